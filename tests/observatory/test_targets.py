"""The CUD's yearly sector targets, and the progress read through the registry."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from essor.core.models import AuditLogEntry
from essor.directory.models import Sector
from essor.observatory import selectors, services
from essor.observatory.models import Measure, SectorTarget
from tests.concurrency import OK, run_together
from tests.observatory.helpers import fake, holders_by_sector, table


def _post(client, **data):
    payload = {"year": "2025", "sector": "mobilite", "measure": "new_holders", "target": "15"}
    payload.update(data)
    return client.post(reverse("observatory:target_create"), payload)


def test_the_agency_sets_a_target(agency_client, world):
    response = _post(agency_client)

    assert response.status_code == 302
    target = SectorTarget.objects.get()
    assert (target.year, target.sector.slug, target.target) == (2025, "mobilite", 15)


def test_setting_a_target_is_written_to_the_audit_log(agency_client, world):
    _post(agency_client)

    entry = AuditLogEntry.objects.get(action="observatory.target.create")
    assert entry.actor == world.users["agency_staff"]


def test_a_target_on_an_unknown_sector_is_refused_in_french(agency_client, world):
    response = _post(agency_client, sector="astronautique")

    assert "Le secteur « astronautique » n&#x27;existe pas" in response.content.decode()
    assert not SectorTarget.objects.exists()


def test_a_second_target_for_the_same_year_sector_and_measure_is_refused(agency_client, world):
    _post(agency_client)

    response = _post(agency_client, target="20")

    assert "Un objectif existe déjà" in response.content.decode()
    assert SectorTarget.objects.get().target == 15


def test_a_target_must_be_positive(agency_client, world):
    response = _post(agency_client, target="0")

    assert "supérieur à zéro" in response.content.decode()


def test_the_agency_changes_a_target(agency_client, world):
    _post(agency_client)
    target = SectorTarget.objects.get()

    agency_client.post(
        reverse("observatory:target_update", args=[target.pk]), {"target": "18", "note": "révisé"}
    )

    target.refresh_from_db()
    assert target.target == 18
    assert AuditLogEntry.objects.filter(action="observatory.target.update").exists()


def test_the_agency_deletes_a_target(agency_client, world):
    _post(agency_client)
    target = SectorTarget.objects.get()

    agency_client.post(reverse("observatory:target_delete", args=[target.pk]))

    assert not SectorTarget.objects.exists()


def test_funders_cannot_set_targets(client, world):
    client.force_login(world.users["funder_instructor"])

    response = _post(client)

    assert response.status_code == 403
    assert not SectorTarget.objects.exists()


def _target(slug="mobilite", measure=Measure.NEW_HOLDERS, value=10, year=2025):
    return SectorTarget.objects.create(
        year=year, sector=Sector.objects.get(slug=slug), measure=measure, target=value
    )


def test_progress_reads_the_support_indicator_by_row_key(registry, db):
    fake("support.new_holders_by_sector", holders_by_sector({2025: {"culture": 30, "mobilite": 8}}))
    _target()

    line = selectors.target_progress(2025, selectors.TableMemo())[0]

    assert (line.actual, line.percent, line.reached) == (8, 80.0, False)


def test_progress_on_creations_reads_the_creations_indicator(registry, db):
    fake(
        "support.creations",
        lambda year: table([["Mobilité", 6]], columns=("Secteur", "Créations"), keys=["mobilite"]),
    )
    _target(measure=Measure.CREATIONS, value=5)

    line = selectors.target_progress(2025, selectors.TableMemo())[0]

    assert line.reached


def test_a_sector_absent_from_the_indicator_has_made_no_progress(registry, db):
    fake("support.new_holders_by_sector", holders_by_sector({2025: {"culture": 30}}))
    _target()

    assert selectors.target_progress(2025, selectors.TableMemo())[0].actual == 0


def test_a_hidden_count_gives_no_rate(registry, db):
    fake("support.new_holders_by_sector", holders_by_sector({2025: {"mobilite": None}}))
    _target()

    line = selectors.target_progress(2025, selectors.TableMemo())[0]

    assert (line.hidden, line.percent) == (True, None)


def test_progress_is_unavailable_without_the_support_module(registry, db):
    registry._REGISTRY.pop("support.new_holders_by_sector", None)
    _target()

    assert selectors.target_progress(2025, selectors.TableMemo())[0].available is False


def test_the_targets_page_shows_progress(client, world, registry):
    fake("support.new_holders_by_sector", holders_by_sector({2025: {"mobilite": 12}}))
    _target(value=10)
    client.force_login(world.users["funder_instructor"])

    content = client.get(reverse("observatory:targets"), {"annee": "2025"}).content.decode()

    assert "120,0" in content and "(atteint)" in content


def test_the_database_refuses_a_duplicate_target(db):
    _target()

    with pytest.raises(ValidationError, match="Un objectif existe déjà"):
        services.create_target(
            year=2025,
            sector=Sector.objects.get(slug="mobilite"),
            measure=Measure.NEW_HOLDERS,
            target=3,
            actor=None,
        )


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_identical_targets_keep_one(world):
    sector = Sector.objects.get(slug="tourisme")

    def create(value):
        return lambda: services.create_target(
            year=2025, sector=sector, measure=Measure.CREATIONS, target=value, actor=None
        )

    outcomes = run_together(create(4), create(5), expected=(ValidationError,))
    outcomes = ["créé" if outcome == OK else outcome.messages[0] for outcome in outcomes]

    assert sorted(outcomes) == sorted(["créé", services.DUPLICATE_TARGET])
    assert SectorTarget.objects.count() == 1


def test_a_field_in_error_points_to_its_message(agency_client, world):
    response = _post(agency_client, target="0")

    assert 'aria-describedby="id_target_erreurs id_target_helptext"' in response.content.decode()


def test_targets_of_next_year_can_be_shown(client, world):
    next_year = selectors.current_year() + 1
    _target(year=next_year)
    client.force_login(world.users["agency_staff"])

    response = client.get(reverse("observatory:targets"), {"annee": str(next_year)})

    assert response.context["year"] == next_year


def test_the_targets_export_holds_the_progress(client, world, registry):
    import io

    from openpyxl import load_workbook

    fake("support.new_holders_by_sector", holders_by_sector({2025: {"mobilite": 12}}))
    _target(value=10)
    client.force_login(world.users["agency_staff"])

    response = client.get(reverse("observatory:targets_xlsx"), {"annee": "2025"})

    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1] == ("Mobilité", "Nouveaux porteurs de projet", 10, 12, 120)


def test_the_targets_chart_leaves_out_unknown_rates(registry, db):
    registry._REGISTRY.pop("support.new_holders_by_sector", None)
    _target()

    assert selectors.target_chart(selectors.target_progress(2025, selectors.TableMemo())) == (
        [],
        [],
    )


def test_the_targets_chart_draws_the_rates(registry, db):
    fake("support.new_holders_by_sector", holders_by_sector({2025: {"mobilite": 5}}))
    _target(value=10)

    chart = selectors.target_chart(selectors.target_progress(2025, selectors.TableMemo()))

    assert chart == (["Mobilité (porteurs)"], [50.0])


def test_a_completion_rate_on_the_edge_rounds_half_up(registry, db):
    # 49 of 400 is 12.25 %: round() would give 12.2 (half to even), the rule is 12.3.
    fake("support.new_holders_by_sector", holders_by_sector({2025: {"mobilite": 49}}))
    _target(value=400)

    line = selectors.target_progress(2025, selectors.TableMemo())[0]

    assert line.percent == Decimal("12.3")


def test_the_targets_export_writes_the_rounded_rate_as_a_number(client, world, registry):
    import io

    from openpyxl import load_workbook

    fake("support.new_holders_by_sector", holders_by_sector({2025: {"mobilite": 49}}))
    _target(value=400)
    client.force_login(world.users["agency_staff"])

    response = client.get(reverse("observatory:targets_xlsx"), {"annee": "2025"})

    assert list(load_workbook(io.BytesIO(response.content)).active.values)[1][-1] == 12.3
