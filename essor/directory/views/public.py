"""Public pages of the directory: search (list and map), organisation page, open data and exports."""

import json

from django.conf import settings
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from essor.accounts.memberships import memberships_of_user
from essor.core.exports import csv_response
from essor.core.page_cache import public_page
from essor.core.permissions import can_admin_organisation
from essor.directory import selectors
from essor.directory.ess import esus_is_valid, legal_category_label
from essor.directory.filters import DirectorySearchForm
from essor.directory.models import HeadcountBand
from essor.directory.naf import naf_label

FILTER_PARAMETERS = ("q", "sector", "family", "commune", "naf", "esus", "employer")


@public_page("directory", "territory")
def home(request):
    """The site's home page: what the directory counts, and the way into each part of Essor."""
    return render(request, "directory/home.html", selectors.home_figures())


def _search_form(request, communes=None) -> DirectorySearchForm:
    bound = any(name in request.GET for name in FILTER_PARAMETERS)
    return DirectorySearchForm(request.GET if bound else None, communes=communes)


def _filter_query(request, *, text: str = "") -> str:
    """The query string of the filters alone (for page links, the map and the exports), with
    `text` instead of the typed one when given."""
    query = request.GET.copy()
    if text:
        query["q"] = text
    for name in list(query):
        if name not in FILTER_PARAMETERS or not query.get(name):
            del query[name]
    return query.urlencode()


def _map_settings() -> dict:
    return {
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


@require_GET
@public_page("directory", "territory")
def search(request):
    territory, communes = selectors.territory_communes()
    form = _search_form(request, communes=communes)
    filters = form.filters()
    page = selectors.search_page(filters, request.GET.get("page"))
    # A corrected typo: the map, the exports and the next pages show what the list shows.
    filter_query = _filter_query(request, text=page.corrected_query)
    return render(
        request,
        "directory/search.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "territory": territory,
            "filter_query": filter_query,
            **_map_settings(),
        },
    )


def _bbox(request):
    """(west, south, east, north) from `?bbox=w,s,e,n`, or None when absent or malformed."""
    try:
        west, south, east, north = (float(part) for part in request.GET["bbox"].split(","))
    except (KeyError, ValueError):
        return None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return None
    return west, south, east, north


@require_GET
@public_page("directory", "territory")
def map_data(request):
    """GeoJSON of the located establishments matching the filters, within `?bbox=`."""
    filters = _search_form(request).filters()
    return JsonResponse(selectors.map_features(filters, bbox=_bbox(request)))


@require_GET
@public_page("directory", "territory")
def organisation(request, pk: int):
    organisation, merged_target = selectors.organisation_for_page(pk)
    if merged_target is not None:
        return redirect("directory:organisation", pk=merged_target.pk, permanent=True)
    if organisation is None:
        raise Http404("Cette structure n'est pas dans l'annuaire.")
    sources = organisation.field_sources or {}

    def source(field):
        return selectors.fact_source_label(sources, field, organisation.last_sirene_date)

    located = [
        {
            "lat": establishment.latitude,
            "lon": establishment.longitude,
            "name": str(establishment.name or organisation.display_name),
            "city": establishment.city,
        }
        for establishment in organisation.public_establishments
        if establishment.address_is_public and establishment.is_located
    ]
    can_edit = request.user.is_authenticated and can_admin_organisation(request.user, organisation)
    # Its own people are not asked whether they manage it (the claim is for outsiders).
    is_member = organisation.pk in memberships_of_user(request.user).organisation_ids()
    return render(
        request,
        "directory/organisation.html",
        {
            "organisation": organisation,
            "can_edit": can_edit,
            "is_member": is_member,
            # Someone whose claim waits for the agency is told so, not asked to claim again.
            "pending_claim": (
                None
                if can_edit or is_member
                else selectors.pending_claim(request.user, organisation.pk)
            ),
            "establishments": organisation.public_establishments,
            "located_establishments": located,
            "legal_category_label": legal_category_label(organisation.legal_category),
            "naf_label": naf_label(organisation.naf_code),
            "esus_valid": esus_is_valid(organisation.esus_start, organisation.esus_end),
            "headcount_label": (
                HeadcountBand(organisation.headcount_band).label
                if organisation.headcount_band in HeadcountBand.values
                else ""
            ),
            "source": {
                field: source(field)
                for field in (
                    "name",
                    "acronym",
                    "legal_category",
                    "ess_family",
                    "activity",
                    "naf_code",
                    "headcount_band",
                    "description",
                    "email",
                    "phone",
                    "website",
                    "esus_start",
                    "sectors",
                    "creation_date",
                )
            },
            **_map_settings(),
        },
    )


@require_GET
@public_page("directory")
def open_data(request):
    return render(
        request,
        "directory/open_data.html",
        {"organisation_count": selectors.public_organisations().count()},
    )


CSV_COLUMNS = [
    "siren",
    "siret",
    "nom",
    "sigle",
    "famille_ess",
    "categorie_juridique",
    "libelle_categorie_juridique",
    "code_naf",
    "libelle_naf",
    "activite",
    "secteurs",
    "agrement_esus_valide",
    "employeur",
    "siege",
    "adresse",
    "code_postal",
    "commune",
    "code_insee",
    "latitude",
    "longitude",
    "site_internet",
    "fiche",
]


def _csv_row(establishment) -> list:
    organisation = establishment.organisation
    public_address = establishment.address_is_public
    return [
        organisation.siren or "",
        establishment.siret or "",
        organisation.name,
        organisation.acronym,
        organisation.get_ess_family_display(),
        organisation.legal_category,
        legal_category_label(organisation.legal_category),
        organisation.naf_code,
        naf_label(organisation.naf_code),
        organisation.activity,
        " | ".join(establishment.sector_names),
        "oui" if esus_is_valid(organisation.esus_start, organisation.esus_end) else "non",
        {True: "oui", False: "non"}.get(organisation.is_employer, ""),
        "oui" if establishment.is_head_office else "non",
        establishment.address if public_address else "",
        establishment.postal_code,
        establishment.commune.name if establishment.commune else establishment.city,
        establishment.commune.insee_code if establishment.commune else "",
        establishment.latitude if public_address and establishment.latitude is not None else "",
        establishment.longitude if public_address and establishment.longitude is not None else "",
        organisation.website,
        settings.SITE_URL + reverse("directory:organisation", kwargs={"pk": organisation.pk}),
    ]


@require_GET
def export_csv(request):
    filters = _search_form(request).filters()
    # Open data: comma, no BOM (the published format); cells are formula-safe like every export.
    return csv_response(
        "annuaire-ess.csv",
        CSV_COLUMNS,
        (_csv_row(establishment) for establishment in selectors.export_rows(filters)),
        delimiter=",",
        bom=False,
    )


@require_GET
def export_geojson(request):
    filters = _search_form(request).filters()

    def chunks():
        yield '{"type": "FeatureCollection", "features": ['
        first = True
        for establishment in selectors.export_rows(filters):
            if not (establishment.address_is_public and establishment.is_located):
                continue
            organisation = establishment.organisation
            feature = {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [establishment.longitude, establishment.latitude],
                },
                "properties": dict(
                    zip(
                        CSV_COLUMNS,
                        _csv_row(establishment),
                        strict=True,
                    ),
                    organisation_id=organisation.pk,
                ),
            }
            yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
            first = False
        yield "]}"

    response = StreamingHttpResponse(chunks(), content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="annuaire-ess.geojson"'
    return response
