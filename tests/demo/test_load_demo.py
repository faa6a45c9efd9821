import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.http import HttpRequest

from essor.accounts.models import Membership, Role
from essor.core.models import AuditLogEntry
from essor.core.validators import is_valid_siren, is_valid_siret
from essor.demo import loader
from essor.demo.accounts import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, ROLE_ACCOUNTS
from essor.directory.ess import derive_family
from essor.directory.models import (
    EssFamily,
    Establishment,
    Organisation,
    OrganisationClaim,
    ProfileRevision,
    Sector,
)
from essor.territory.geo import distance_km
from essor.territory.models import Commune, Territory


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """The demo data set, loaded once for the module and rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo", stdout=out, stderr=StringIO())
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db):
    return demo_output


def demo_snapshot():
    return list(
        Organisation.objects.filter(is_demo=True, is_agency=False)
        .order_by("siren")
        .values_list("siren", "name", "legal_category", "is_active", "headcount_band")
    ) + list(
        Establishment.objects.filter(organisation__is_demo=True)
        .order_by("siret")
        .values_list("siret", "commune__insee_code", "latitude", "address")
    )


def directory_structures():
    """The ESS structures of the directory's demo (modules add organisations of their own, such
    as farms and canteens, which are not ESS structures)."""
    return Organisation.objects.filter(is_demo=True, is_agency=False, is_ess=True)


def test_about_300_fictional_structures_all_marked_demo(demo):
    demo_structures = directory_structures()
    assert demo_structures.count() == loader.ORGANISATION_COUNT == 300
    assert "300 structures fictives" in demo


def test_every_siren_and_siret_passes_the_check_digit(demo):
    sirens = Organisation.objects.exclude(siren=None).values_list("siren", flat=True)
    sirets = Establishment.objects.values_list("siret", flat=True)
    assert len(sirets) > 300
    assert all(is_valid_siren(siren) for siren in sirens)
    assert all(is_valid_siret(siret) for siret in sirets)
    assert all(
        siren.startswith("9")
        for siren in Organisation.objects.filter(is_demo=True).values_list("siren", flat=True)
    )


def test_every_sector_is_used(demo):
    assert not Sector.objects.filter(organisations__isnull=True).exists()


def test_every_ess_family_is_present_and_derived_from_the_facts(demo):
    structures = directory_structures()
    assert set(structures.values_list("ess_family", flat=True)) == set(EssFamily.values)
    for organisation in structures:
        assert organisation.ess_family == derive_family(
            legal_category=organisation.legal_category,
            cooperative_status=organisation.cooperative_status,
            has_ess_statutes=organisation.has_ess_statutes,
            esus_start=organisation.esus_start,
            esus_end=organisation.esus_end,
            sirene_ess_flag=organisation.sirene_ess_flag,
        )


def test_each_structure_has_one_head_office_near_its_commune(demo):
    structures = directory_structures()
    head_offices = Establishment.objects.filter(organisation__in=structures, is_head_office=True)
    assert head_offices.count() == structures.count()
    for site in Establishment.objects.filter(organisation__is_demo=True).select_related("commune"):
        commune = site.commune
        assert distance_km(site.latitude, site.longitude, commune.latitude, commune.longitude) < 2


def test_some_structures_are_closed_and_some_have_several_sites(demo):
    assert Organisation.objects.filter(is_demo=True, is_active=False).exists()
    assert Establishment.objects.filter(organisation__is_demo=True, is_head_office=False).exists()
    assert Organisation.objects.filter(is_demo=True, is_employer=True).exists()


def test_contacts_are_fictional(demo):
    structures = directory_structures()
    assert all(
        email.endswith("@example.org") for email in structures.values_list("email", flat=True)
    )
    assert all(
        phone.startswith("03 28 00 0") for phone in structures.values_list("phone", flat=True)
    )


def test_agency_and_co_funders_exist(demo, settings):
    agency = Organisation.objects.get(is_agency=True)
    assert agency.name == settings.ESSOR_AGENCY_NAME
    funders = dict(
        Organisation.objects.filter(siren__in=["245900428", "200053742", "225900018"]).values_list(
            "siren", "legal_category"
        )
    )
    assert funders == {"245900428": "7343", "200053742": "7230", "225900018": "7220"}


def test_partner_territory_is_its_epci_as_the_reference_package_lists_it(demo):
    territory = Territory.objects.get(name="Pays des Moulins de Flandre")
    assert territory.kind == Territory.Kind.PARTNER
    # The CC des Hauts de Flandre (SIREN 200040954) has 40 communes in the 2026 list.
    codes = set(territory.communes.values_list("insee_code", flat=True))
    assert len(codes) == 40
    assert {"59067", "59663", "59309", "59210", "59089"} <= codes
    wormhout = Commune.objects.get(insee_code="59663")
    assert (wormhout.name, wormhout.siren, wormhout.postal_codes) == (
        "Wormhout", "215906637", ["59470"]
    )  # fmt: skip


def test_demo_producers_stand_in_partner_communes_with_coordinates(demo):
    territory = Territory.objects.get(name="Pays des Moulins de Flandre")
    placed = territory.communes.filter(latitude__isnull=False)
    assert set(placed.values_list("insee_code", flat=True)) == {
        "59067", "59663", "59309", "59210", "59089"
    }  # fmt: skip


@pytest.mark.parametrize("account", ROLE_ACCOUNTS, ids=lambda account: account.role)
def test_each_role_account_can_log_in_with_its_role(demo, client, account):
    assert client.login(request=HttpRequest(), email=account.email, password=DEMO_PASSWORD)
    assert Membership.objects.filter(user__email=account.email, role=account.role).exists()


def test_funder_instructor_belongs_to_the_cud(demo):
    membership = Membership.objects.get(
        role=Role.FUNDER_INSTRUCTOR, user__email=f"instructeur.cud@{DEMO_EMAIL_DOMAIN}"
    )
    assert membership.organisation.siren == "245900428"


def test_back_office_has_pending_items_with_audit_entries(demo):
    assert ProfileRevision.objects.filter(status="pending").count() == 3
    assert OrganisationClaim.objects.filter(status="pending").count() == 2
    assert AuditLogEntry.objects.filter(action="directory.revision.propose").count() == 3
    assert AuditLogEntry.objects.filter(action="demo.data.load").exists()


def test_load_demo_prints_the_accounts_and_password(demo):
    assert "admin.agence@demo.essor.fr" in demo
    assert f"Mot de passe de tous ces comptes : {DEMO_PASSWORD}" in demo


def test_demo_accounts_lists_accounts_and_password(demo):
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    assert all(account.email in text for account in ROLE_ACCOUNTS)
    assert "Instructeur d'un financeur — Communauté urbaine de Dunkerque" in text
    assert DEMO_PASSWORD in text


def test_if_empty_does_nothing_when_organisations_exist(demo):
    before = Organisation.objects.count()
    out = StringIO()
    call_command("load_demo", if_empty=True, stdout=out)
    assert Organisation.objects.count() == before
    assert "non chargées" in out.getvalue()


def test_loading_twice_without_replacing_is_refused(demo):
    with pytest.raises(CommandError, match="déjà chargées"):
        call_command("load_demo", stdout=StringIO())


def test_same_seed_gives_the_same_data(demo):
    before = demo_snapshot()
    call_command("load_demo", remplacer=True, stdout=StringIO(), stderr=StringIO())
    assert demo_snapshot() == before
    assert directory_structures().count() == 300


def test_another_seed_gives_other_data():
    sirens = [loader.identifiers.draw_sirens(random.Random(seed), 5) for seed in (1, 1, 2)]
    assert sirens[0] == sirens[1] != sirens[2]
