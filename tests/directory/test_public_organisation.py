"""The public page of an organisation."""

import datetime

import pytest
from django.urls import reverse

from essor.directory import services
from essor.directory.models import DiffusionStatus, OrganisationClaim
from essor.directory.selectors import fact_source_label
from tests.directory.helpers import public_organisation
from tests.factories import EstablishmentFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def page(client, organisation):
    return client.get(reverse("directory:organisation", kwargs={"pk": organisation.pk}))


def test_page_shows_the_public_facts(client):
    organisation = public_organisation(
        "Les Jardins",
        legal_category="9220",
        headcount_band="11",
        email="contact@jardins.example",
        sectors=["environnement"],
    )
    content = page(client, organisation).content.decode()
    assert "<h1>Les Jardins</h1>" in content
    assert "Association déclarée" in content
    assert "10 à 19 salariés" in content
    assert "contact@jardins.example" in content
    assert "Environnement" in content
    assert "1 rue de la Paix" in content


def test_page_shows_the_source_of_each_fact(client):
    organisation = public_organisation(
        "Sourcée",
        activity="Maraîchage",
        description="Présentation.",
        field_sources={
            "activity": {"source": "sirene", "date": "2026-11-01"},
            "description": {"source": "declared"},
            "email": {"source": "agency"},
        },
        email="a@b.example",
    )
    content = page(client, organisation).content.decode()
    assert "Source : SIRENE (1er novembre 2026)" in content
    assert "Source : déclaré par la structure" in content
    assert "Source : renseigné par l&#x27;agence" in content


def test_partially_diffusible_establishment_hides_its_street_address(client):
    organisation = OrganisationFactory(name="Partielle")
    EstablishmentFactory(
        organisation=organisation,
        address="12 rue Secrète",
        diffusion_status=DiffusionStatus.PARTIAL,
    )
    content = page(client, organisation).content.decode()
    assert "12 rue Secrète" not in content
    assert "Dunkerque" in content
    assert "organisation-map" not in content


def test_non_diffusible_establishment_is_not_shown(client):
    organisation = OrganisationFactory(name="Discrète")
    EstablishmentFactory(
        organisation=organisation,
        address="3 quai Caché",
        diffusion_status=DiffusionStatus.NOT_DIFFUSIBLE,
    )
    content = page(client, organisation).content.decode()
    assert "3 quai Caché" not in content
    assert "Aucun établissement ouvert" in content


def test_map_data_of_open_establishments_is_passed_with_json_script(client):
    organisation = public_organisation("Localisée")
    content = page(client, organisation).content.decode()
    assert 'id="organisation-establishments" type="application/json"' in content
    assert "51.034" in content


def test_page_links_to_the_claim_form(client):
    organisation = public_organisation("Revendiquable")
    content = page(client, organisation).content.decode()
    assert reverse("directory:claim", kwargs={"pk": organisation.pk}) in content
    assert "Vous gérez cette structure ?" in content


@pytest.mark.parametrize(
    "fields", [{"is_ess": False, "ess_family": "", "legal_category": "5710"}, {"is_active": False}]
)
def test_non_public_organisation_is_not_found(client, fields):
    organisation = OrganisationFactory(**fields)
    assert page(client, organisation).status_code == 404


def test_merged_organisation_redirects_to_the_one_it_was_merged_into(client):
    target = public_organisation("Absorbante")
    merged = OrganisationFactory(name="Absorbée", merged_into=target)
    response = page(client, merged)
    assert response.status_code == 301
    assert response["Location"] == reverse("directory:organisation", kwargs={"pk": target.pk})


def test_organisation_merged_into_a_non_public_one_is_not_found(client):
    target = OrganisationFactory(is_active=False)
    merged = OrganisationFactory(merged_into=target)
    assert page(client, merged).status_code == 404


@pytest.mark.parametrize("establishments", [1, 10])
def test_page_runs_a_constant_number_of_queries(client, django_assert_num_queries, establishments):
    organisation = public_organisation("Grande", sectors=["culture", "sport"])
    for _ in range(2, establishments + 1):
        EstablishmentFactory(organisation=organisation, siret=None, is_head_office=False)
    # organisation, its sectors, its establishments (with communes)
    with django_assert_num_queries(3):
        page(client, organisation)


def test_the_creation_date_writes_the_first_of_the_month_as_1er(client):
    organisation = public_organisation("Fondée", creation_date=datetime.date(2020, 3, 1))
    assert "1er mars 2020" in page(client, organisation).content.decode()


def test_fact_source_label_falls_back_to_the_last_sirene_date():
    sources = {"name": {"source": "sirene"}}
    label = fact_source_label(sources, "name", datetime.date(2026, 10, 1))
    assert label == "Source : SIRENE (1er octobre 2026)"


def test_fact_without_source_has_no_label():
    assert fact_source_label({}, "name") == ""


def test_the_organisation_s_admin_is_offered_to_edit_its_page(client, world):
    client.force_login(world.users["organisation_admin"])
    page = client.get(reverse("directory:organisation", kwargs={"pk": world.structure.pk}))
    content = page.content.decode()
    assert reverse("directory:profile_edit", kwargs={"pk": world.structure.pk}) in content
    assert reverse("directory:claim", kwargs={"pk": world.structure.pk}) not in content


def test_a_visitor_is_offered_to_claim_the_organisation(client, world):
    page = client.get(reverse("directory:organisation", kwargs={"pk": world.structure.pk}))
    assert reverse("directory:claim", kwargs={"pk": world.structure.pk}) in page.content.decode()


def test_a_member_of_the_organisation_is_not_offered_to_claim_it(client, world):
    client.force_login(world.users["organisation_member"])
    page = client.get(reverse("directory:organisation", kwargs={"pk": world.structure.pk}))
    content = page.content.decode()
    assert reverse("directory:claim", kwargs={"pk": world.structure.pk}) not in content
    assert "Vous gérez cette structure ?" not in content
    assert "Vous êtes membre de cette structure" in content


def test_a_member_of_another_organisation_is_offered_to_claim_this_one(client, world):
    client.force_login(world.users["organisation_member"])
    page = client.get(reverse("directory:organisation", kwargs={"pk": world.other_structure.pk}))
    assert "Vous gérez cette structure ?" in page.content.decode()


PENDING_SENTENCE = "Votre demande de gestion de cette structure, envoyée le"


def _claim(world, user):
    """A pending claim made on 3 December 2026."""
    claim = services.create_claim(organisation=world.structure, user=user, position="Trésorière")
    OrganisationClaim.objects.filter(pk=claim.pk).update(
        created_at=datetime.datetime(2026, 12, 3, 10, 0, tzinfo=datetime.UTC)
    )
    return claim


def _structure_page(client, world) -> str:
    return page(client, world.structure).content.decode()


def test_a_pending_claimant_is_told_their_request_is_being_examined(client, world):
    claimant = world.users["authenticated"]
    _claim(world, claimant)
    client.force_login(claimant)

    content = _structure_page(client, world)

    assert f"{PENDING_SENTENCE} 3 décembre 2026, est en cours d'examen" in content
    assert reverse("directory:claim", kwargs={"pk": world.structure.pk}) not in content


def test_another_person_is_still_offered_to_claim_while_a_claim_is_pending(client, world):
    _claim(world, world.users["authenticated"])
    client.force_login(world.users["funder_instructor"])

    content = _structure_page(client, world)

    assert "Vous gérez cette structure ?" in content
    assert PENDING_SENTENCE not in content


def test_an_anonymous_visitor_is_offered_to_claim_while_a_claim_is_pending(client, world):
    _claim(world, world.users["authenticated"])

    content = _structure_page(client, world)

    assert "Vous gérez cette structure ?" in content
    assert PENDING_SENTENCE not in content


def test_a_member_with_a_pending_claim_sees_the_member_sentence(client, world):
    member = world.users["organisation_member"]
    _claim(world, member)
    client.force_login(member)

    content = _structure_page(client, world)

    assert "Vous êtes membre de cette structure" in content
    assert PENDING_SENTENCE not in content


def test_a_refused_claimant_is_offered_to_ask_again(client, world):
    claimant = world.users["authenticated"]
    claim = _claim(world, claimant)
    services.refuse_claim(
        claim=claim, reviewer=world.users["agency_staff"], comment="Lien non établi."
    )
    client.force_login(claimant)

    content = _structure_page(client, world)

    assert "Vous gérez cette structure ?" in content
    assert PENDING_SENTENCE not in content


def test_a_refused_claimant_may_claim_again(world):
    claimant = world.users["authenticated"]
    claim = _claim(world, claimant)
    services.refuse_claim(
        claim=claim, reviewer=world.users["agency_staff"], comment="Lien non établi."
    )

    again = services.create_claim(
        organisation=world.structure, user=claimant, position="Présidente"
    )

    assert again.status == OrganisationClaim.Status.PENDING


@pytest.mark.parametrize("with_claim", [False, True])
def test_a_signed_in_visitor_s_page_runs_a_constant_number_of_queries(
    client, world, django_assert_num_queries, with_claim
):
    claimant = world.users["authenticated"]
    if with_claim:
        _claim(world, claimant)
    client.force_login(claimant)
    _structure_page(client, world)  # the per-process caches
    # session, user, memberships, organisation, sectors, establishments, pending claim
    with django_assert_num_queries(7):
        _structure_page(client, world)
