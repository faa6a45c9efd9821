import html

from django.urls import reverse

from essor.core.models import AuditLogEntry
from essor.directory.models import Establishment, Organisation
from tests.factories import OrganisationFactory, siren_sequence, siret_for

CREATE_URL = "directory:staff_organisation_create"


def _create_data(**overrides):
    siren = siren_sequence(4242)
    data = {
        "siren": siren,
        "name": "La Ressourcerie du Port",
        "legal_category": "9220",
        "cooperative_status": "",
        "sectors": ["environnement"],
        "is_active": "on",
        "siege-siret": siret_for(siren, 12),
        "siege-address": "12 quai des Hollandais",
        "siege-postal_code": "59140",
        "siege-commune": "Dunkerque",
    }
    data.update(overrides)
    return data


def _content(response) -> str:
    return html.unescape(response.content.decode())


def test_the_agency_creates_an_organisation_with_its_head_office(agency_client, world):
    response = agency_client.post(reverse(CREATE_URL), _create_data())

    assert response.status_code == 302
    organisation = Organisation.objects.get(name="La Ressourcerie du Port")
    assert (organisation.ess_family, organisation.is_ess) == ("association", True)
    assert organisation.field_sources["name"]["source"] == "agency"
    assert list(organisation.sectors.values_list("slug", flat=True)) == ["environnement"]
    head_office = organisation.establishments.get()
    assert head_office.is_head_office
    assert head_office.commune.insee_code == "59183"
    assert head_office.city == "Dunkerque"
    entry = AuditLogEntry.objects.get(action="directory.organisation.create")
    assert entry.target_id == str(organisation.pk)
    assert entry.actor == world.users["agency_staff"]


def test_a_former_commune_code_is_resolved_to_the_current_commune(agency_client, world):
    agency_client.post(reverse(CREATE_URL), _create_data(**{"siege-commune": "59540"}))

    assert Establishment.objects.get().commune.insee_code == "59183"


def test_an_unknown_commune_is_refused_in_french(agency_client, world):
    response = agency_client.post(reverse(CREATE_URL), _create_data(**{"siege-commune": "Paris"}))

    assert response.status_code == 200
    assert "Commune inconnue : « Paris »" in _content(response)
    assert not Organisation.objects.filter(name="La Ressourcerie du Port").exists()


def test_a_duplicate_siren_is_refused_on_create(agency_client, world):
    response = agency_client.post(
        reverse(CREATE_URL), _create_data(siren=world.structure.siren, **{"siege-siret": ""})
    )

    assert response.status_code == 200
    assert (
        f"Une structure porte déjà le SIREN {world.structure.siren} : « Les Jardins du Littoral »"
        in _content(response)
    )
    assert Organisation.objects.filter(siren=world.structure.siren).count() == 1


def test_an_invalid_siren_is_refused_in_french(agency_client, world):
    response = agency_client.post(
        reverse(CREATE_URL), _create_data(siren="123456789", **{"siege-siret": ""})
    )

    assert "Le SIREN « 123456789 » est invalide" in _content(response)
    assert not Organisation.objects.filter(name="La Ressourcerie du Port").exists()


def test_an_invalid_siret_is_refused_and_nothing_is_saved(agency_client, world):
    response = agency_client.post(
        reverse(CREATE_URL), _create_data(**{"siege-siret": "12345678901234"})
    )

    assert "Le SIRET « 12345678901234 » est invalide" in _content(response)
    assert not Organisation.objects.filter(name="La Ressourcerie du Port").exists()
    assert not Establishment.objects.exists()


def test_a_siret_of_another_siren_is_refused(agency_client, world):
    response = agency_client.post(
        reverse(CREATE_URL), _create_data(**{"siege-siret": siret_for(siren_sequence(7), 1)})
    )

    assert "n'appartient pas au SIREN" in _content(response)
    assert not Organisation.objects.filter(name="La Ressourcerie du Port").exists()


def test_an_invalid_rna_is_refused_on_create(agency_client, world):
    response = agency_client.post(reverse(CREATE_URL), _create_data(rna="X12"))

    assert "Le numéro RNA « X12 » est invalide" in _content(response)
    assert not Organisation.objects.filter(name="La Ressourcerie du Port").exists()


def test_the_legal_category_must_come_from_the_insee_list(agency_client, world):
    response = agency_client.post(reverse(CREATE_URL), _create_data(legal_category="0000"))

    assert response.status_code == 200
    assert not Organisation.objects.filter(name="La Ressourcerie du Port").exists()


def test_the_agency_edits_an_organisation_and_the_history_shows_it(agency_client, world):
    url = reverse("directory:staff_organisation_edit", kwargs={"pk": world.structure.pk})
    data = {
        "siren": world.structure.siren,
        "name": world.structure.name,
        "legal_category": "5710",
        "cooperative_status": "scic",
        "is_active": "on",
    }

    response = agency_client.post(url, data)

    assert response.status_code == 302
    world.structure.refresh_from_db()
    assert world.structure.legal_category == "5710"
    assert world.structure.ess_family == "cooperative"  # a SCIC has no legal category of its own
    assert world.structure.field_sources["cooperative_status"]["source"] == "agency"
    page = _content(agency_client.get(url))
    assert "Fiche modifiée" in page
    assert "directory.organisation.update" not in page
    assert "legal_category" in page and "9220 → 5710" in page


def test_editing_with_the_same_siren_is_not_a_duplicate(agency_client, world):
    url = reverse("directory:staff_organisation_edit", kwargs={"pk": world.structure.pk})

    response = agency_client.post(
        url, {"siren": world.structure.siren, "name": "Nouveau nom", "legal_category": "9220"}
    )

    assert response.status_code == 302


def test_an_rna_already_used_elsewhere_is_refused(agency_client, world):
    OrganisationFactory(rna="W595001234", name="Autre association")
    url = reverse("directory:staff_organisation_edit", kwargs={"pk": world.structure.pk})

    response = agency_client.post(
        url, {"name": world.structure.name, "legal_category": "9220", "rna": "W595001234"}
    )

    assert "déjà celui de la structure « Autre association »" in _content(response)
    world.structure.refresh_from_db()
    assert world.structure.rna is None
