"""Always-fresh figures without waiting: pages read stored tables, the worker refreshes them."""

import datetime
from decimal import Decimal
from io import StringIO
from unittest import mock

from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from essor.observatory import selectors, services, tasks
from essor.observatory.models import ComputedTable
from tests.conftest import committed
from tests.observatory.helpers import fake, table


def _counting(calls, figures):
    def compute(year):
        calls.append(year)
        return table([["Culture", figures["culture"]]])

    return compute


def _age_every_table(seconds):
    """As if `seconds` had passed: the stored tables aged, and the refresh queued by the first
    visit run (tests run no worker)."""
    ComputedTable.objects.update(computed_at=timezone.now() - datetime.timedelta(seconds=seconds))
    cache.delete(tasks.REFRESH_QUEUED)


def _figure(response, key="zz.figures"):
    return next(
        figure
        for section in response.context["sections"]
        for figure in section.figures
        if figure.item.indicator.key == key
    )


def test_a_stale_table_is_shown_at_once_while_a_refresh_is_queued(client, registry, db):
    calls, figures = [], {"culture": 12}
    fake("zz.figures", _counting(calls, figures))
    client.get(reverse("observatory:public"), {"annee": "2024"})
    _age_every_table(2 * 24 * 3600)
    figures["culture"] = 13
    calls.clear()

    with mock.patch.object(tasks, "refresh_observatory_tables") as refresh, committed():
        response = client.get(reverse("observatory:public"), {"annee": "2024"})

    assert calls == []  # the request computed nothing
    assert _figure(response).value == 12
    refresh.enqueue.assert_called_once_with()


def test_the_queued_refresh_stores_the_new_figures(client, registry, db):
    calls, figures = [], {"culture": 12}
    fake("zz.figures", _counting(calls, figures))
    client.get(reverse("observatory:public"), {"annee": "2024"})
    _age_every_table(2 * 24 * 3600)
    figures["culture"] = 13

    with committed():  # the tests' task backend runs the queued refresh at once
        client.get(reverse("observatory:public"), {"annee": "2024"})
    response = client.get(reverse("observatory:public"), {"annee": "2024"})

    assert _figure(response).value == 13


def test_a_second_stale_request_queues_no_second_refresh(client, registry, db):
    fake("zz.figures", lambda year: table([["Culture", 1]]))
    client.get(reverse("observatory:public"))
    _age_every_table(2 * 24 * 3600)

    with mock.patch.object(tasks, "refresh_observatory_tables") as refresh, committed():
        client.get(reverse("observatory:public"))
        client.get(reverse("observatory:public"))

    assert refresh.enqueue.call_count == 1


def test_the_first_visit_of_an_empty_install_computes_and_stores(client, registry, db):
    fake("zz.figures", lambda year: table([["Culture", 1]]))

    client.get(reverse("observatory:public"), {"annee": "2024"})

    stored = set(
        ComputedTable.objects.filter(indicator="zz.figures").values_list("year", flat=True)
    )
    assert stored == {2023, 2024}


def test_the_refresh_computes_missing_and_stale_tables_only(registry, db):
    calls, figures = [], {"culture": 1}
    fake("zz.figures", _counting(calls, figures))
    services.refresh_tables()
    calls.clear()
    this_year = selectors.current_year()
    ComputedTable.objects.filter(year=this_year).update(
        computed_at=timezone.now() - datetime.timedelta(hours=1)
    )

    services.refresh_tables()

    assert calls == [this_year]


def test_older_years_are_refreshed_once_a_day(registry, db):
    calls = []
    fake("zz.figures", _counting(calls, {"culture": 1}))
    services.refresh_tables()
    calls.clear()
    _age_every_table(3600)

    services.refresh_tables()

    assert sorted(calls) == [selectors.current_year() - 1, selectors.current_year()]


def test_the_refresh_covers_every_year_an_indicator_page_compares(registry, db):
    fake("zz.figures", lambda year: table([["Culture", 1]]))

    services.refresh_tables()

    years = set(ComputedTable.objects.filter(indicator="zz.figures").values_list("year", flat=True))
    oldest_compared = selectors.comparison_years(selectors.available_years()[-1])[0]
    assert years == set(range(oldest_compared, selectors.current_year() + 1))


def test_the_refresh_removes_the_tables_of_unregistered_indicators(registry, db):
    ComputedTable.objects.create(
        indicator="zz.gone", year=2024, table=None, computed_at=timezone.now()
    )

    services.refresh_tables()

    assert not ComputedTable.objects.filter(indicator="zz.gone").exists()


def test_a_failed_computation_is_stored_then_retried(registry, db):
    attempts = []

    def broken(year):
        attempts.append(year)
        raise RuntimeError("bug d'un module")

    fake("zz.broken", broken)
    services.refresh_tables()
    first = len(attempts)

    services.refresh_tables()

    assert ComputedTable.objects.filter(indicator="zz.broken", table__isnull=True).exists()
    assert len(attempts) == 2 * first


def test_stored_cells_come_back_as_computed(registry, db):
    rows = [["Culture", Decimal("61.50"), 12, 0.5, None]]
    indicator = fake(
        "zz.cells",
        lambda year: table(rows, columns=("Secteur", "Taux", "Nombre", "Part", "Masqué")),
    )
    services.refresh_tables()

    computed = selectors.TableMemo().get(indicator, 2024)

    assert computed.table.rows == rows
    assert str(computed.table.rows[0][1]) == "61.50"


def test_the_command_refreshes_what_expires_before_its_next_run(registry, db):
    calls = []
    fake("zz.figures", _counting(calls, {"culture": 1}))
    services.refresh_tables()
    calls.clear()
    out = StringIO()

    call_command("refresh_observatory", stdout=out)  # every table is younger than 5 minutes

    assert sorted(calls) == [selectors.current_year() - 1, selectors.current_year()]
    assert "tableaux recalculés" in out.getvalue()


def test_the_command_hands_the_refresh_to_the_worker_on_request(db):
    with mock.patch.object(tasks, "refresh_observatory_tables") as refresh:
        call_command("refresh_observatory", "--en-tache-de-fond", stdout=StringIO())

    refresh.enqueue.assert_called_once_with()


def test_the_refresh_task_frees_the_queue_for_the_next_stale_table(registry, db):
    fake("zz.figures", lambda year: table([["Culture", 1]]))
    cache.set(tasks.REFRESH_QUEUED, True)

    tasks.refresh_observatory_tables.call()

    assert cache.get(tasks.REFRESH_QUEUED) is None


def test_the_yearly_report_stores_its_fresh_figures(registry, db):
    calls, figures = [], {"culture": 1}
    indicator = fake("zz.figures", _counting(calls, figures))
    services.refresh_tables()
    figures["culture"] = 5

    services.report_context(year=2024)

    assert selectors.TableMemo().get(indicator, 2024).table.rows == [["Culture", 5]]


def test_a_queue_refusing_the_refresh_does_not_break_the_page(client, registry, db):
    fake("zz.figures", lambda year: table([["Culture", 1]]))
    client.get(reverse("observatory:public"))
    _age_every_table(2 * 24 * 3600)

    with mock.patch.object(tasks, "refresh_observatory_tables") as refresh:
        refresh.enqueue.side_effect = RuntimeError("file indisponible")
        with committed():
            response = client.get(reverse("observatory:public"))

    assert response.status_code == 200
    assert cache.get(tasks.REFRESH_QUEUED) is None  # the next request tries again
