"""The support module's demo step: ten years of holders whose sector mix shifts."""

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from essor.demo import registry
from essor.support.models import Action, ProjectHolder, Stage
from essor.support.selectors import new_holders_by_sector, survival


@pytest.fixture(scope="module")
def support_demo(django_db_setup, django_db_blocker):
    """The directory's demo data and the support step only (peers' steps left out), loaded once."""
    from essor.demo.support import load_support_demo, remove_support_demo

    saved = dict(registry._STEPS)
    registry._STEPS.clear()
    registry.register_step(
        registry.DemoStep("support", 40, load=load_support_demo, remove=remove_support_demo)
    )
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            out = StringIO()
            started = time.perf_counter()
            call_command("load_demo", stdout=out, stderr=StringIO())
            elapsed = time.perf_counter() - started
            yield out.getvalue(), elapsed
            transaction.set_rollback(True)
    finally:
        registry._STEPS.clear()
        registry._STEPS.update(saved)


@pytest.fixture
def demo(support_demo, db):
    return support_demo


def test_the_summary_line_is_printed(demo):
    assert "porteurs de projet sur 10 ans" in demo[0]


def test_ten_years_of_60_to_90_holders_ending_this_year(demo):
    years = sorted({holder.first_contact_on.year for holder in ProjectHolder.objects.all()})
    this_year = years[-1]
    assert years == list(range(this_year - 9, this_year + 1))
    full_years = [
        ProjectHolder.objects.filter(first_contact_on__year=year).count() for year in years[:-1]
    ]
    assert all(60 <= count <= 91 for count in full_years)


def test_culture_then_sport_lead_at_first_and_priority_sectors_grow(demo):
    first_year = min(h.first_contact_on.year for h in ProjectHolder.objects.all())
    first = new_holders_by_sector(first_year)
    last = new_holders_by_sector(first_year + 9)
    assert first.row_keys[:2] == ["culture", "sport"]

    def priority_share(years):
        rows = [new_holders_by_sector(year) for year in years]
        priority = ("batiment", "services-a-la-personne", "mobilite", "tourisme",
                    "alimentation-circuits-courts")  # fmt: skip
        return sum(
            value or 0
            for table in rows
            for key, (_, value) in zip(table.row_keys, table.rows, strict=True)
            if key in priority
        )

    assert priority_share(range(first_year + 7, first_year + 10)) > 2 * priority_share(
        range(first_year, first_year + 3)
    )
    assert last.row_keys  # the last year is computed too


def test_histories_hold_actions_abandons_creations_and_closures(demo):
    assert Action.objects.count() > 2 * ProjectHolder.objects.count()
    assert ProjectHolder.objects.filter(stage=Stage.ABANDONED).count() > 10
    created = ProjectHolder.objects.filter(stage=Stage.CREATION)
    assert created.count() > 50
    assert all(h.organisation.creation_date == h.creation_date for h in created)
    assert created.filter(organisation__is_active=False, organisation__closed_on__isnull=False)


def test_survival_has_figures_for_recent_years(demo):
    year = max(h.first_contact_on.year for h in ProjectHolder.objects.all()) - 1
    table = survival(year)
    assert table.rows[1][1] is not None  # creations three years before


def test_the_step_is_fast(demo):
    assert demo[1] < 30  # the directory's demo data included
