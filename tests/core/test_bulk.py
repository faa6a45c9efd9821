"""essor.core.bulk: value rows written many per statement, on SQLite and PostgreSQL alike."""

import datetime

from django.db import transaction

from essor.core import bulk
from essor.directory.models import Organisation
from tests.factories import OrganisationFactory


def test_insert_rows_fills_the_defaults_and_the_timestamps(db):
    sources = {"name": {"source": "sirene", "date": "2025-12-01"}}
    bulk.insert_rows(
        Organisation,
        ["siren", "name", "creation_date", "field_sources"],
        [
            ["900000001", "Première", datetime.date(2001, 2, 3), sources],
            ["900000002", "Seconde", None, sources],
        ],
    )
    first, second = Organisation.objects.order_by("siren")
    assert (first.name, first.creation_date, first.field_sources) == (
        "Première",
        datetime.date(2001, 2, 3),
        sources,
    )
    assert (second.creation_date, second.rna, second.description, second.is_active) == (
        None,
        None,
        "",
        True,
    )
    assert first.created_at is not None and first.updated_at is not None


def test_insert_rows_writes_more_rows_than_one_statement_holds(db, monkeypatch):
    monkeypatch.setattr(bulk, "BATCH_SIZE", 3)
    bulk.insert_rows(
        Organisation, ["siren", "name"], [[f"90000{n:04d}", f"S{n}"] for n in range(7)]
    )
    assert Organisation.objects.count() == 7


def test_update_rows_sets_each_row_its_values_even_a_column_of_nulls(db, monkeypatch):
    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)
    organisations = OrganisationFactory.create_batch(3, closed_on=datetime.date(2020, 1, 1))
    bulk.update_rows(
        Organisation,
        ["name", "closed_on", "is_employer", "field_sources"],
        [
            [f"Nom {number}", None, number == 1, {"name": {"source": "sirene"}}, organisation.pk]
            for number, organisation in enumerate(organisations)
        ],
    )
    rows = Organisation.objects.filter(pk__in=[o.pk for o in organisations]).order_by("pk")
    assert [(o.name, o.closed_on, o.is_employer, o.field_sources) for o in rows] == [
        (f"Nom {number}", None, number == 1, {"name": {"source": "sirene"}}) for number in range(3)
    ]


def test_update_rows_leaves_the_other_fields_and_rows(db):
    kept, changed = OrganisationFactory.create_batch(2, acronym="AB")
    bulk.update_rows(Organisation, ["name"], [["Nouveau", changed.pk]])
    changed.refresh_from_db()
    kept_name = kept.name
    kept.refresh_from_db()
    assert (changed.name, changed.acronym, kept.name) == ("Nouveau", "AB", kept_name)


def test_update_rows_twice_in_one_transaction(db):
    first, second = OrganisationFactory.create_batch(2)
    with transaction.atomic():
        bulk.update_rows(Organisation, ["name"], [["Un", first.pk]])
        bulk.update_rows(Organisation, ["acronym"], [["DX", second.pk]])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.name, second.acronym) == ("Un", "DX")
