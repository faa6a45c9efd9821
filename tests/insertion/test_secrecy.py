"""Statistical secrecy of the insertion figures across every page, filter and file (one pattern
for the whole set of linked figures), and withdrawn exits left out of every exit count."""

import json
from io import BytesIO
from unittest import mock

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from essor.core.indicators import get as get_indicator
from essor.insertion import selectors
from essor.insertion.models import Siae
from essor.territory.models import Commune
from tests.factories import OrganisationFactory
from tests.insertion.factories import AnnexFactory, ExitFactory, make_siae, pathway

pytestmark = pytest.mark.django_db

WITHDRAWN_LABEL = "Retrait des sorties constatées"


def _people(siae, count, *, exits=None, commune=None, sex="F"):
    """`count` participants of `siae` employed in 2026; `exits` {category: count} among them."""
    people = [pathway(siae, sex=sex, commune=commune) for _ in range(count)]
    remaining = iter(people)
    for category, number in (exits or {}).items():
        for _ in range(number):
            ExitFactory(participant=next(remaining), category=category)
    return people


@pytest.fixture
def siae(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    return siae


def _compute(siaes, *, secret=True, commune=None):
    return selectors.compute_indicators(
        siaes=siaes, year=2026, commune_id=commune.pk if commune else None, secret=secret
    )


# Withdrawn exits -------------------------------------------------------------------------------


@pytest.fixture
def with_withdrawals(siae):
    # 13 counted exits (6 durable, 2 transition, 5 other) and 3 withdrawals.
    _people(siae, 20, exits={"durable": 6, "transition": 2, "other": 5, "withdrawn": 3})
    return siae


def test_withdrawn_exits_are_not_counted_exits(with_withdrawals):
    data = _compute(Siae.objects.all(), secret=False)
    assert data.exits_total == 13
    assert "withdrawn" not in {key for key, _, _ in data.exits}


def test_withdrawn_exits_are_not_in_the_indicators_page(client, world, with_withdrawals):
    client.force_login(world.users["organisation_admin"])
    response = client.get(reverse("insertion:indicators") + "?year=2026")
    page = response.content.decode()
    assert WITHDRAWN_LABEL not in page
    assert response.context["data"].exits_total == 13


def test_withdrawn_exits_are_not_in_the_xlsx_export(client, world, with_withdrawals):
    client.force_login(world.users["organisation_admin"])
    response = client.get(reverse("insertion:indicators_xlsx") + "?year=2026")
    workbook = load_workbook(BytesIO(response.content))
    exits = {row[0]: row[1] for row in workbook["Sorties"].iter_rows(min_row=2, values_only=True)}
    assert WITHDRAWN_LABEL not in exits
    summary = dict(workbook["Synthèse"].iter_rows(min_row=2, values_only=True))
    assert summary["Sorties constatées"] == 13


def test_withdrawn_exits_are_not_in_the_yearly_pdf_report(client, world, with_withdrawals):
    client.force_login(world.users["organisation_admin"])
    with mock.patch("essor.insertion.views.render_pdf", return_value=b"%PDF") as render:
        client.get(
            reverse("insertion:report_pdf", kwargs={"pk": with_withdrawals.pk, "year": 2026})
        )
    html = render_to_string(*render.call_args.args)
    assert WITHDRAWN_LABEL not in html
    assert render.call_args.args[1]["data"].exits_total == 13


def test_withdrawn_exits_are_not_in_the_observatory_nor_its_open_data(client, with_withdrawals):
    table = get_indicator("insertion.exits_by_category").compute(2026)
    assert "withdrawn" not in table.row_keys
    page = client.get(reverse("observatory:public") + "?annee=2026").content.decode()
    assert WITHDRAWN_LABEL not in page
    data = json.loads(
        client.get(
            reverse(
                "observatory:open_data_json",
                kwargs={"key": "insertion.exits_by_category", "year": 2026},
            )
        ).content
    )
    assert "withdrawn" not in json.dumps(data)
    by_kind = get_indicator("insertion.people_by_kind").compute(2026)
    assert by_kind.rows[0][2] == 13


# One pattern for linked figures -------------------------------------------------------------


def test_dynamic_exits_do_not_give_a_hidden_category_back(siae):
    _people(siae, 16, exits={"durable": 6, "transition": 2, "other": 5})
    data = _compute(Siae.objects.all())
    exits = {key: count for key, _, count in data.exits}
    assert exits["transition"] is None
    # dynamic − durable − positive = transition: one of them must be hidden too.
    assert None in (data.dynamic_exits, exits["durable"], exits["positive"])
    assert data.dynamic_rate is None or data.dynamic_exits is not None


def test_a_kind_filter_hides_what_the_breakdown_by_kind_hides(world, siae):
    other = make_siae(world, organisation=world.other_structure, kind="EI")
    AnnexFactory(siae=other, number="EI059269902A0M0")
    third = make_siae(world, organisation=OrganisationFactory(name="Tri Solidaire"), kind="AI")
    AnnexFactory(siae=third, number="AI059269903A0M0")
    _people(siae, 12)
    _people(other, 3)
    _people(third, 9)
    territory = _compute(Siae.objects.all())
    by_kind = {row["key"]: row["people"] for row in territory.by_kind}
    for kind in ("ACI", "EI", "AI"):
        filtered = _compute(Siae.objects.filter(kind=kind))
        assert filtered.people == by_kind[kind]
    # 24 − 12 − 9 would give the EI's 3 back.
    assert territory.people is None or None in (by_kind["ACI"], by_kind["AI"])


def test_an_siae_filter_hides_what_the_breakdown_by_siae_hides(world, siae):
    other = make_siae(world, organisation=world.other_structure, kind="ACI")
    AnnexFactory(siae=other, number="ACI059269901A0M0")
    _people(siae, 12)
    _people(other, 2)
    territory = _compute(Siae.objects.all())
    by_siae = {int(row["key"]): row["people"] for row in territory.by_siae}
    assert _compute(Siae.objects.filter(pk=siae.pk)).people == by_siae[siae.pk]
    assert _compute(Siae.objects.filter(pk=other.pk)).people is None
    assert territory.people is None or by_siae[siae.pk] is None


def test_a_commune_and_the_territory_do_not_give_the_other_communes_back(siae):
    dunkerque = Commune.objects.get(insee_code="59183")
    gravelines = Commune.objects.get(insee_code="59273")
    _people(siae, 7, commune=dunkerque)
    _people(siae, 2, commune=gravelines)
    territory = _compute(Siae.objects.all())
    in_dunkerque = _compute(Siae.objects.all(), commune=dunkerque)
    in_gravelines = _compute(Siae.objects.all(), commune=gravelines)
    assert in_gravelines.people is None
    assert territory.people is None or in_dunkerque.people is None


def test_an_siae_cannot_subtract_its_own_people_from_its_kind(world, siae):
    other = make_siae(world, organisation=world.other_structure, kind="ACI")
    AnnexFactory(siae=other, number="ACI059269901A0M0")
    third = make_siae(world, organisation=OrganisationFactory(name="Tri Solidaire"), kind="AI")
    AnnexFactory(siae=third, number="AI059269903A0M0")
    _people(siae, 8)
    _people(other, 3)
    _people(third, 9)
    # The staff of the first ACI know their 8 people: the ACI row (11) would give the other's 3.
    territory = _compute(Siae.objects.all())
    aci = next(row for row in territory.by_kind if row["key"] == "ACI")
    assert aci["people"] is None


def test_a_share_is_published_only_with_both_its_counts(siae):
    _people(siae, 8, sex="F")
    _people(siae, 9, sex="M")
    data = _compute(Siae.objects.all())
    for item in data.profile:
        if item["share"] is not None:
            assert item["count"] is not None and data.people is not None


# Filters that would cross a small population ---------------------------------------------------


def test_a_funder_is_not_offered_the_commune_filter(client, world, siae):
    _people(siae, 9, commune=Commune.objects.get(insee_code="59183"))
    client.force_login(world.users["funder_instructor"])
    commune = Commune.objects.get(insee_code="59183")
    response = client.get(reverse("insertion:indicators") + f"?year=2026&commune={commune.pk}")
    assert "commune" not in response.context["form"].fields
    assert response.context["data"].commune_id is None


def test_the_agency_cannot_cross_one_siae_with_a_commune(client, world, siae):
    commune = Commune.objects.get(insee_code="59183")
    other = make_siae(world, organisation=world.other_structure, kind="ACI")
    AnnexFactory(siae=other, number="ACI059269901A0M0")
    _people(siae, 9, commune=commune)
    _people(other, 6, commune=commune)
    client.force_login(world.users["agency_staff"])
    response = client.get(
        reverse("insertion:indicators") + f"?year=2026&siae={siae.pk}&commune={commune.pk}"
    )
    assert "commune" in response.context["form"].errors
    assert response.context["data"].commune_id is None


def test_the_staff_of_an_siae_filter_their_own_people_by_commune(client, world, siae):
    commune = Commune.objects.get(insee_code="59183")
    _people(siae, 2, commune=commune)
    client.force_login(world.users["organisation_admin"])
    response = client.get(reverse("insertion:indicators") + f"?year=2026&commune={commune.pk}")
    assert response.context["data"].secret is False
    assert response.context["data"].people == 2


def test_a_funder_of_two_siae_sees_its_own_total_under_the_same_pattern(world, siae):
    second = make_siae(world, organisation=world.other_structure, kind="EI")
    AnnexFactory(siae=second, number="EI059269902A0M0")
    unfunded = make_siae(
        world, organisation=OrganisationFactory(name="Tri Solidaire"), kind="EI", funded=False
    )
    AnnexFactory(siae=unfunded, number="EI059269904A0M0")
    _people(siae, 9)
    _people(second, 6)
    _people(unfunded, 3)
    scope = Siae.objects.filter(pk__in=[siae.pk, second.pk])
    funder_view = _compute(scope)
    territory = _compute(Siae.objects.all())
    # territory (18) − the funder's total (15) = the unfunded SIAE's 3.
    assert funder_view.people is None or territory.people is None
