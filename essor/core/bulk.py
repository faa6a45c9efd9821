"""Plain multi-row INSERT and UPDATE of value rows, for imports of thousands of validated rows.

`bulk_create` and `bulk_update` build a model instance per row and prepare every value through the
ORM's generic machinery (and `bulk_update` builds one CASE per field); for an import that writes
tens of thousands of rows this dominates its time. These helpers take rows of plain Python values
and send them with `executemany`, converting only the field types whose database value differs
from the Python one. They run no `save()` logic, no validation and no signals: call them with rows
already validated by the service.
"""

from collections.abc import Callable, Sequence

from django.db import connections, models
from django.utils import timezone

BATCH_SIZE = 2000
_NEEDS_PREPARATION = (models.DateField, models.JSONField, models.DecimalField, models.UUIDField)


def _preparer(field, connection) -> Callable | None:
    """The conversion of one column's values, or None when the database takes them as they are.

    A JSON value is serialised once per object: import rows often share one `field_sources`."""
    if not isinstance(field, _NEEDS_PREPARATION):
        return None
    if type(field) is models.DateField:  # a date or None: the adaptation alone (str on SQLite)
        return connection.ops.adapt_datefield_value
    if not isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    prepared: dict[int, tuple] = {}  # id -> (the object, kept so its id stays its own; the value)

    def prepare(value):
        known = prepared.get(id(value))
        if known is None:
            known = prepared[id(value)] = (value, field.get_db_prep_save(value, connection))
        return known[1]

    return prepare


def _timestamps(model, connection, *, add: bool) -> dict:
    """auto_now (and, on insert, auto_now_add) fields: one prepared value for the whole call."""
    now = timezone.now()
    return {
        field.name: field.get_db_prep_save(now, connection)
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateTimeField)
        and (field.auto_now or (add and field.auto_now_add))
    }


def _prepared(rows, preparers, fixed: list) -> list[list]:
    converting = [(position, prepare) for position, prepare in enumerate(preparers) if prepare]
    prepared = []
    for row in rows:
        values = list(row)
        for position, prepare in converting:
            values[position] = prepare(values[position])
        values += fixed
        prepared.append(values)
    return prepared


def insert_rows(
    model, field_names: Sequence[str], rows: Sequence[Sequence], *, using: str = "default"
) -> None:
    """INSERT one row per sequence of values (in the order of `field_names`, attnames such as
    "organisation_id" for foreign keys). Every other field gets its model default, once for the
    whole call, and auto_now/auto_now_add fields the current time. Primary keys are not returned:
    read them back by a key."""
    if not rows:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = model._meta
    given = [meta.get_field(name) for name in field_names]
    timestamps = {
        name: value
        for name, value in _timestamps(model, connection, add=True).items()
        if name not in field_names
    }
    defaults = [
        field
        for field in meta.concrete_fields
        if not field.primary_key and field not in given and field.name not in timestamps
    ]
    fixed = [field.get_db_prep_save(field.get_default(), connection) for field in defaults]
    fixed += timestamps.values()
    columns = [field.column for field in given + defaults]
    columns += [meta.get_field(name).column for name in timestamps]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model only)
        quote(meta.db_table),
        ", ".join(quote(column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )
    preparers = [_preparer(field, connection) for field in given]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, _prepared(rows[start : start + BATCH_SIZE], preparers, fixed))


def update_rows(
    model, field_names: Sequence[str], rows: Sequence[Sequence], *, using: str = "default"
) -> None:
    """UPDATE those fields by primary key: each row holds the values (in the order of
    `field_names`), then the primary key. Fields not named are left as they are (auto_now ones
    included: name them to set them)."""
    if not rows:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = model._meta
    given = [meta.get_field(name) for name in field_names]
    preparers = [_preparer(field, connection) for field in given]
    preparers.append(None)  # the primary key
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 (names from the model only)
        quote(meta.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in given),
        quote(meta.pk.column),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, _prepared(rows[start : start + BATCH_SIZE], preparers, []))
