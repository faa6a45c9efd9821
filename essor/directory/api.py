"""Public JSON API of the directory (mounted at /api/annuaire/): only public organisations and
diffusible facts, the same filters as the search page."""

import datetime

from django.http import Http404
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from essor.directory import selectors
from essor.directory.ess import esus_is_valid, legal_category_label
from essor.directory.filters import DirectorySearchForm
from essor.directory.models import Sector
from essor.directory.naf import naf_label
from essor.territory.models import Commune

router = Router(tags=["Annuaire"])


class FiltersIn(Schema):
    q: str = ""
    sector: str = ""
    family: str = ""
    commune: str = ""
    naf: str = Field(
        "", description="Code NAF rév. 2 : une division (« 88 ») ou une sous-classe (« 88.99B »)."
    )
    esus: bool = False
    employer: bool = False
    page: int = 1


class EstablishmentOut(Schema):
    siret: str | None
    name: str
    is_head_office: bool
    address: str
    postal_code: str
    commune: str
    insee_code: str
    latitude: float | None
    longitude: float | None


class OrganisationOut(Schema):
    id: int
    siren: str | None
    name: str
    acronym: str
    ess_family: str
    ess_family_label: str
    legal_category: str
    legal_category_label: str
    naf_code: str
    naf_label: str = Field(description="Libellé NAF rév. 2 du code (vide si inconnu).")
    activity: str
    description: str
    sectors: list[str]
    esus_valid: bool
    is_employer: bool | None
    website: str
    email: str
    phone: str
    url: str
    establishments: list[EstablishmentOut]


class OrganisationPage(Schema):
    count: int
    count_is_lower_bound: bool = Field(
        False,
        description="Vrai quand la recherche est trop large pour être comptée : il y a alors "
        "plus de `count` résultats, et les pages présentent les `count` premiers trouvés.",
    )
    corrected_q: str = Field(
        "",
        description="Le texte cherché à la place de `q` quand `q` ne trouvait aucune structure "
        "(une faute de frappe : « assocation » devient « association »), sinon vide.",
    )
    page: int
    pages: int
    page_size: int
    results: list[OrganisationOut]


class SectorOut(Schema):
    slug: str
    name: str
    is_priority: bool


class CommuneOut(Schema):
    insee_code: str
    name: str
    latitude: float | None
    longitude: float | None


def _establishment(establishment) -> dict:
    public = establishment.address_is_public
    return {
        "siret": establishment.siret,
        "name": establishment.name,
        "is_head_office": establishment.is_head_office,
        "address": establishment.address if public else "",
        "postal_code": establishment.postal_code if public else "",
        "commune": establishment.commune.name if establishment.commune else establishment.city,
        "insee_code": establishment.commune.insee_code if establishment.commune else "",
        "latitude": establishment.latitude if public else None,
        "longitude": establishment.longitude if public else None,
    }


def _organisation(organisation, today: datetime.date) -> dict:
    for establishment in organisation.public_establishments:
        establishment.address_is_public = selectors.address_is_public(establishment, organisation)
    return {
        "id": organisation.pk,
        "siren": organisation.siren,
        "name": organisation.name,
        "acronym": organisation.acronym,
        "ess_family": organisation.ess_family,
        "ess_family_label": organisation.get_ess_family_display(),
        "legal_category": organisation.legal_category,
        "legal_category_label": legal_category_label(organisation.legal_category),
        "naf_code": organisation.naf_code,
        "naf_label": naf_label(organisation.naf_code),
        "activity": organisation.activity,
        "description": organisation.description,
        "sectors": [sector.slug for sector in organisation.sectors.all()],
        "esus_valid": esus_is_valid(organisation.esus_start, organisation.esus_end, today),
        "is_employer": organisation.is_employer,
        "website": organisation.website,
        "email": organisation.email,
        "phone": organisation.phone,
        "url": reverse("directory:organisation", kwargs={"pk": organisation.pk}),
        "establishments": [_establishment(item) for item in organisation.public_establishments],
    }


@router.get(
    "/organisations", response=OrganisationPage, url_name="directory_organisations", by_alias=True
)
def list_organisations(request, filters: Query[FiltersIn]):
    """Structures de l'annuaire : recherche plein texte (`q`), filtres, 25 par page."""
    data = filters.dict()
    form = DirectorySearchForm(
        {key: value for key, value in data.items() if value and key != "page"}
    )
    page = selectors.search_page(form.filters(), filters.page)
    today = datetime.date.today()
    return {
        "count": page.paginator.count,
        "count_is_lower_bound": page.paginator.count_is_lower_bound,
        "corrected_q": page.corrected_query,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "page_size": selectors.PAGE_SIZE,
        "results": [_organisation(organisation, today) for organisation in page.object_list],
    }


@router.get(
    "/organisations/{int:organisation_id}",
    response=OrganisationOut,
    url_name="directory_organisation",
)
def get_organisation(request, organisation_id: int):
    """Une structure de l'annuaire (404 si elle n'y figure pas)."""
    organisation, _ = selectors.organisation_for_page(organisation_id)
    if organisation is None:
        raise Http404("Cette structure n'est pas dans l'annuaire.")
    return _organisation(organisation, datetime.date.today())


@router.get("/secteurs", response=list[SectorOut], url_name="directory_sectors")
def list_sectors(request):
    """Les secteurs d'activité (filtre `sector` : le `slug`)."""
    return list(Sector.objects.all())


@router.get("/communes", response=list[CommuneOut], url_name="directory_communes")
def list_communes(request):
    """Les communes du territoire (filtre `commune` : le code INSEE)."""
    territory = selectors.main_territory()
    communes = territory.communes.all() if territory else Commune.objects.all()
    return list(communes.order_by("name"))
