"""Indicators: SQL aggregates in a constant number of queries, statistical secrecy outside the
SIAE, charts with their tables, XLSX export, yearly PDF report, observatory registry."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from essor.core.indicators import IndicatorTable, registered
from essor.insertion import selectors
from essor.insertion.models import Siae
from tests.insertion.factories import (
    AnnexFactory,
    ExitFactory,
    MonthlyHoursFactory,
    make_siae,
    pathway,
)

pytestmark = pytest.mark.django_db


def _population(siae, exits, *, women=0, men=0, start=datetime.date(2026, 2, 1)):
    """Participants of `siae` (women first) with the given exits {category: count} in 2026."""
    people = [pathway(siae, sex="F", start=start) for _ in range(women)]
    people += [pathway(siae, sex="M", start=start) for _ in range(men)]
    remaining = iter(people)
    for category, count in exits.items():
        for _ in range(count):
            ExitFactory(participant=next(remaining), category=category)
    return people


@pytest.fixture
def siae(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae, conventioned_fte=Decimal("10"))
    return siae


def _compute(siae, secret, year=2026):
    return selectors.compute_indicators(
        siaes=Siae.objects.filter(pk=siae.pk), year=year, secret=secret
    )


def _exits(data):
    return {key: count for key, _, count in data.exits}


def test_people_entries_and_exits_are_counted(siae):
    _population(siae, {"durable": 6, "transition": 2, "other": 5, "withdrawn": 1}, women=10, men=6)
    data = _compute(siae, secret=False)
    # Withdrawals (« retrait des sorties constatées ») are not counted exits.
    assert (data.people, data.entries, data.exits_total) == (16, 16, 13)
    assert _exits(data) == {"durable": 6, "transition": 2, "positive": 0, "other": 5}
    # (6 + 2 + 0) / (6 + 2 + 0 + 5): withdrawals are left out of the count.
    assert data.dynamic_rate == 61.5


def test_people_who_started_before_the_year_are_employed_but_not_entries(world, siae):
    AnnexFactory(siae=siae, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31))
    _population(siae, {}, women=3, start=datetime.date(2025, 6, 1))
    _population(siae, {}, women=2)
    data = _compute(siae, secret=False)
    assert (data.people, data.entries) == (5, 2)


def test_small_exit_cells_are_hidden_with_a_second_cell(siae):
    _population(siae, {"durable": 6, "transition": 2, "other": 5}, women=10, men=6)
    data = _compute(siae, secret=True)
    # 2 is hidden; so is 6, which shares both sums with it (13 = 6 + 2 + 0 + 5 and the dynamic
    # exits 8 = 6 + 2 + 0): neither sum gives 2 back.
    assert _exits(data) == {"durable": None, "transition": None, "positive": 0, "other": 5}
    assert (data.exits_total, data.dynamic_exits) == (13, 8)


def test_a_share_is_hidden_when_its_complement_is_small(siae):
    _population(siae, {}, women=8, men=2)
    data = _compute(siae, secret=True)
    women = next(p for p in data.profile if p["key"] == "women")
    assert (women["count"], women["share"]) == (None, None)
    assert _compute(siae, secret=False).profile[0]["count"] == 8


def test_a_small_siae_shows_no_count_to_outsiders(siae):
    _population(siae, {"durable": 3}, women=3)
    data = _compute(siae, secret=True)
    assert data.people is None
    assert data.dynamic_rate is None
    assert all(p["count"] is None for p in data.profile)


def test_fte_worked_and_conventioned_by_month(siae):
    person = pathway(siae)
    MonthlyHoursFactory(
        participant=person, month=datetime.date(2026, 3, 1), hours=Decimal("133.92")
    )
    data = _compute(siae, secret=False)
    march = data.months[2]
    assert (march["conventioned"], march["worked"], march["under"]) == (
        Decimal("10"),
        Decimal("1.00"),
        True,
    )
    assert data.fte_worked == Decimal("0.08")  # 133.92 / 1607
    assert data.fte_conventioned == Decimal("10.00")


def test_the_reference_yearly_hours_is_a_setting(siae, settings):
    settings.ESSOR_INSERTION_REFERENCE_YEARLY_HOURS = 1820
    person = pathway(siae)
    MonthlyHoursFactory(participant=person, hours=Decimal("182"))
    assert _compute(siae, secret=False).fte_worked == Decimal("0.10")


def test_fte_worked_rounds_half_up(siae, settings):
    # 5 hours of a 1,000-hour year is 0.005 FTE: half to even would say 0.00.
    settings.ESSOR_INSERTION_REFERENCE_YEARLY_HOURS = 1000
    MonthlyHoursFactory(participant=pathway(siae), hours=Decimal("5"))
    data = _compute(siae, secret=False)
    assert data.fte_worked == Decimal("0.01")
    assert data.by_siae[0]["fte_worked"] == Decimal("0.01")


def test_an_amendment_replaces_the_annex_from_its_start(siae):
    initial = siae.annexes.get()
    AnnexFactory(
        siae=siae,
        number="ACI059260001A0M1",
        amends=initial,
        start=datetime.date(2026, 7, 1),
        conventioned_fte=Decimal("12"),
    )
    months = _compute(siae, secret=False).months
    assert [m["conventioned"] for m in months] == [Decimal("10")] * 6 + [Decimal("12")] * 6


def test_barriers_count_people_by_support(siae):
    from essor.insertion.models import Barrier, BarrierType

    mobility = BarrierType.objects.get(slug="mobilite")
    for index, person in enumerate(_population(siae, {}, women=6)):
        Barrier.objects.create(
            participant=person,
            barrier_type=mobility,
            identified_on=datetime.date(2026, 2, 1),
            support="internal" if index < 5 else "external",
        )
    row = next(b for b in _compute(siae, secret=False).barriers if b["key"] == "mobilite")
    assert (row["people"], row["internal"], row["external"]) == (6, 5, 1)
    hidden = next(b for b in _compute(siae, secret=True).barriers if b["key"] == "mobilite")
    assert (hidden["people"], hidden["internal"], hidden["external"]) == (6, None, None)


def _queries(siae):
    with CaptureQueriesContext(connection) as queries:
        _compute(siae, secret=True)
    return len(queries)


def test_indicators_take_a_constant_number_of_queries(world, siae, django_assert_num_queries):
    _population(siae, {"durable": 1}, women=2)
    small = _queries(siae)
    other = make_siae(world, organisation=world.other_structure, kind="EI")
    AnnexFactory(siae=other, number="EI059260002A0M0")
    for person in _population(siae, {"durable": 4, "other": 3}, women=15, men=15):
        MonthlyHoursFactory(participant=person)
    _population(other, {"positive": 2}, women=6)
    with django_assert_num_queries(small):
        selectors.compute_indicators(siaes=Siae.objects.all(), year=2026, secret=True)


def test_the_participant_list_takes_a_constant_number_of_queries(
    client, world, siae, django_assert_num_queries
):
    client.force_login(world.users["organisation_member"])
    url = reverse("insertion:participant_list", kwargs={"pk": siae.pk})
    _population(siae, {"durable": 1}, women=2)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    _population(siae, {"durable": 5}, women=20)
    with django_assert_num_queries(len(queries)):
        response = client.get(url)
    assert response.content.decode().count("SAL-") >= 22


def test_the_indicators_page_shows_charts_and_hides_small_cells_from_a_funder(client, world, siae):
    _population(siae, {"durable": 6, "transition": 2, "other": 5}, women=10, men=6)
    client.force_login(world.users["funder_instructor"])
    response = client.get(reverse("insertion:indicators") + "?year=2026")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<svg class="chart"') == 3
    assert "&lt; 5" in page
    assert "Secret statistique" in page


def test_the_siae_staff_see_their_own_figures_unhidden(client, world, siae):
    _population(siae, {"durable": 6, "transition": 2, "other": 5}, women=10, men=6)
    client.force_login(world.users["organisation_admin"])
    response = client.get(reverse("insertion:indicators") + f"?year=2026&siae={siae.pk}")
    assert response.context["data"].secret is False
    assert _exits(response.context["data"])["transition"] == 2


def test_a_funder_does_not_see_an_siae_it_does_not_fund(client, world, siae):
    other = make_siae(world, organisation=world.other_structure, funded=False)
    client.force_login(world.users["funder_instructor"])
    response = client.get(reverse("insertion:siae_detail", kwargs={"pk": other.pk}))
    assert response.status_code == 403
    page = client.get(reverse("insertion:indicators")).content.decode()
    assert world.other_structure.name not in page


def test_the_xlsx_export_holds_every_table_with_secrecy(client, world, siae):
    _population(siae, {"durable": 6, "transition": 2, "other": 5}, women=10, men=6)
    client.force_login(world.users["agency_staff"])
    response = client.get(reverse("insertion:indicators_xlsx") + "?year=2026")
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == [
        "Synthèse",
        "Sorties",
        "ETP par mois",
        "Profil des personnes",
        "Freins et accompagnement",
        "Par type de SIAE",
        "Par SIAE",
    ]
    exits = {row[0]: row[1] for row in workbook["Sorties"].iter_rows(min_row=2, values_only=True)}
    assert exits["Emploi de transition"] == "s"
    assert exits["Autre sortie"] == 5


def test_the_yearly_report_is_a_pdf(client, world, siae):
    _population(siae, {"durable": 5}, women=6)
    client.force_login(world.users["agency_staff"])
    response = client.get(reverse("insertion:report_pdf", kwargs={"pk": siae.pk, "year": 2026}))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_module_publishes_its_indicators_to_the_observatory(siae):
    _population(siae, {"durable": 6, "other": 5}, women=10, men=6)
    indicators = {indicator.key: indicator for indicator in registered(module="insertion")}
    assert set(indicators) == {
        "insertion.people_by_kind",
        "insertion.exits_by_category",
        "insertion.fte_by_month",
        "insertion.profile",
    }
    table = indicators["insertion.people_by_kind"].compute(2026)
    assert isinstance(table, IndicatorTable)
    assert table.row_keys == ["ACI"]
    assert table.rows[0][1] == 16
    exits = indicators["insertion.exits_by_category"].compute(2026)
    assert dict(zip(exits.row_keys, [row[1] for row in exits.rows], strict=True))["durable"] == 6


def test_the_public_indicators_hide_small_cells(siae):
    _population(siae, {"durable": 2}, women=3)
    table = registered(module="insertion")[0].compute(2026)
    assert all(cell is None or not 0 < cell < 5 for row in table.rows for cell in row[1:4])


def test_years_and_identifiers_are_not_split_by_a_thousands_separator(client, world, siae):
    client.force_login(world.users["agency_staff"])
    page = client.get(reverse("insertion:indicators") + "?year=2026").content.decode()
    assert "économique — 2026</h1>" in page
    assert '<option value="2026" selected>2026</option>' in page


def test_months_not_over_yet_are_not_flagged(world):
    siae = make_siae(world)
    next_year = datetime.date.today().year + 1
    AnnexFactory(
        siae=siae,
        start=datetime.date(next_year, 1, 1),
        end=datetime.date(next_year, 12, 31),
    )
    months = _compute(siae, secret=False, year=next_year).months
    assert [m["conventioned"] for m in months] == [Decimal("10")] * 12
    assert not any(m["under"] for m in months)


def test_the_xlsx_export_neutralises_an_siae_name(client, world, siae):
    world.structure.name = "@Jardins"
    world.structure.save(update_fields=["name"])
    _population(siae, {"durable": 6}, women=6)
    client.force_login(world.users["agency_staff"])
    response = client.get(reverse("insertion:indicators_xlsx") + "?year=2026")
    sheet = load_workbook(BytesIO(response.content))["Par SIAE"]
    assert sheet["A2"].value == "'@Jardins (ACI)"
