"""The year's XLSX is a stored workbook: built by the background refresh (or, on a miss, by the
first download), served as long as the tables it holds say the same."""

import datetime
import io
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from essor.core import exports
from essor.observatory import selectors, services
from essor.observatory.models import Audience, ComputedTable, YearWorkbook
from tests.observatory.helpers import fake, table


def _download(client, year):
    return client.get(reverse("observatory:year_xlsx"), {"annee": str(year)})


def _values(content: bytes) -> dict[str, list[tuple]]:
    """What each sheet of a workbook says (its file differs by its build date)."""
    workbook = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


def _two_indicators(figures):
    fake("zz.public", lambda year: table([["Culture", figures["culture"]]]), label="Publics")
    fake("zz.private", lambda year: table([["Sport", 3]]), label="Réservés", public=False)


def test_the_workbook_served_is_the_one_built_from_the_tables(client, registry, db):
    year = selectors.current_year()
    _two_indicators({"culture": 12})
    services.refresh_tables()

    response = _download(client, year)

    memo = selectors.TableMemo()
    expected = exports.xlsx_bytes(
        selectors.year_sheets(selectors.audience_indicators(Audience.PUBLIC), year, memo)
    )
    assert _values(response.content) == _values(expected)


def test_the_refresh_builds_the_workbook_of_each_audience(registry, db):
    _two_indicators({"culture": 12})

    services.refresh_tables()

    stored = set(YearWorkbook.objects.values_list("year", "audience"))
    assert stored == {
        (year, audience) for year in selectors.available_years() for audience in Audience.values
    }


def test_a_download_after_the_refresh_builds_nothing(client, registry, db):
    _two_indicators({"culture": 12})
    services.refresh_tables()

    with mock.patch.object(services, "xlsx_bytes") as build:
        response = _download(client, selectors.current_year())

    build.assert_not_called()
    assert "Publics" in _values(response.content)


def test_tables_computed_again_with_the_same_figures_keep_the_workbook(client, registry, db):
    # The benchmark's cold mode: every table aged, the same figures.
    _two_indicators({"culture": 12})
    services.refresh_tables()
    ComputedTable.objects.update(computed_at=timezone.now() - datetime.timedelta(days=30))

    with mock.patch.object(services, "xlsx_bytes") as build:
        _download(client, selectors.current_year())

    build.assert_not_called()


def test_a_change_of_a_table_gives_a_new_workbook(client, registry, db):
    year = selectors.current_year()
    figures = {"culture": 12}
    _two_indicators(figures)
    services.refresh_tables()
    figures["culture"] = 13

    services.refresh_tables(everything=True)

    content = _download(client, year).content
    assert _values(content)["Publics"][1] == ("Culture", 13)


def test_a_download_builds_and_stores_a_missing_workbook(client, registry, db):
    year = selectors.current_year()
    _two_indicators({"culture": 12})

    first = _download(client, year)

    stored = YearWorkbook.objects.get(year=year, audience=Audience.PUBLIC)
    assert bytes(stored.content) == first.content
    assert _download(client, year).content == first.content  # served, not built again


def test_a_new_build_replaces_the_year_s_workbook(client, registry, db):
    year = selectors.current_year()
    figures = {"culture": 12}
    _two_indicators(figures)
    _download(client, year)
    figures["culture"] = 13
    ComputedTable.objects.all().delete()  # computed again by the next download

    _download(client, year)

    assert YearWorkbook.objects.filter(year=year, audience=Audience.PUBLIC).count() == 1


def test_the_public_never_gets_the_full_workbook(client, world, registry):
    year = selectors.current_year()
    _two_indicators({"culture": 12})
    client.force_login(world.users["agency_staff"])
    _download(client, year)  # the full workbook is stored first
    client.logout()

    sheets = _values(_download(client, year).content)

    assert "Publics" in sheets
    assert "Réservés" not in sheets


def test_the_agency_gets_the_full_workbook(client, world, registry):
    year = selectors.current_year()
    _two_indicators({"culture": 12})
    _download(client, year)  # the public workbook is stored first
    client.force_login(world.users["agency_staff"])

    sheets = _values(_download(client, year).content)

    assert {"Publics", "Réservés"} <= set(sheets)


def test_a_funder_instructor_gets_the_full_workbook(client, world, registry):
    _two_indicators({"culture": 12})
    client.force_login(world.users["funder_instructor"])

    sheets = _values(_download(client, selectors.current_year()).content)

    assert "Réservés" in sheets


def test_the_refresh_removes_the_workbooks_of_years_no_longer_offered(registry, db):
    YearWorkbook.objects.create(
        year=2001, audience=Audience.PUBLIC, digest="0" * 64, content=b"", built_at=timezone.now()
    )

    services.refresh_tables()

    assert not YearWorkbook.objects.filter(year=2001).exists()


def test_the_download_runs_a_constant_number_of_queries(client, registry, db):
    year = selectors.current_year()
    fake("zz.one", lambda year: table([["Culture", 1]]), label="Un")
    services.refresh_tables()
    _download(client, year)  # the per-process caches
    with CaptureQueriesContext(connection) as small:
        _download(client, year)
    for number in range(10):
        fake(f"zz.more{number}", lambda year: table([["Sport", 2]] * 20), label=f"Autre {number}")
    services.refresh_tables()
    with CaptureQueriesContext(connection) as large:
        _download(client, year)

    assert len(small.captured_queries) == len(large.captured_queries) == 2


def test_a_download_that_builds_runs_a_constant_number_of_queries(client, registry, db):
    year = selectors.current_year()
    fake("zz.one", lambda year: table([["Culture", 1]]), label="Un")
    services.refresh_tables()
    YearWorkbook.objects.all().delete()

    with CaptureQueriesContext(connection) as queries:
        _download(client, year)

    # the tables, the stored workbook (none), the upsert of the new one
    assert len(queries.captured_queries) == 3
