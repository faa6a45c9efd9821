"""Set-based INSERT and UPDATE of value rows, for imports of thousands of validated rows.

`bulk_create` and `bulk_update` build a model instance per row and prepare every value through the
ORM's generic machinery (and `bulk_update` builds one CASE per field); for an import that writes
tens of thousands of rows this dominates its time. These helpers take rows of plain Python values,
convert only the field types whose database value differs from the Python one, and write them in
few statements, so that statement-level triggers (the directory's public listing on PostgreSQL)
run once, not once per row:

- PostgreSQL: COPY into the table (INSERT), or into a temporary table then one UPDATE … FROM.
  COPY sends typed rows without building SQL text: a multi-row VALUES statement spends more time
  in the driver's parameter handling than the database spends writing.
- SQLite: multi-row VALUES statements, as many rows as its parameter limit allows.

They run no `save()` logic, no validation and no signals: call them with rows already validated
by the service.
"""

import json
from collections.abc import Callable, Iterator, Sequence

from django.db import connections, models, transaction
from django.utils import timezone

BATCH_SIZE = 1000  # rows per SQLite statement, fewer when the parameter limit requires it
_NEEDS_PREPARATION = (models.DateField, models.JSONField, models.DecimalField, models.UUIDField)


def _copies(connection) -> bool:
    return connection.vendor == "postgresql"


def _preparer(field, connection) -> Callable | None:
    """The conversion of one column's values, or None when the database takes them as they are.

    A JSON value is serialised once per object: import rows often share one `field_sources`."""
    if not isinstance(field, _NEEDS_PREPARATION):
        return None
    if type(field) is models.DateField:  # a date or None: the adaptation alone (str on SQLite)
        return connection.ops.adapt_datefield_value
    if not isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    if _copies(connection):  # COPY reads the JSON text into the jsonb column

        def serialise(value):
            return None if value is None else json.dumps(value, cls=field.encoder)

    else:

        def serialise(value):
            return field.get_db_prep_save(value, connection)

    prepared: dict[int, tuple] = {}  # id -> (the object, kept so its id stays its own; the value)

    def prepare(value):
        known = prepared.get(id(value))
        if known is None:
            known = prepared[id(value)] = (value, serialise(value))
        return known[1]

    return prepare


def _default(field, connection):
    """The field's default, prepared for the database."""
    value = field.get_default()
    prepare = _preparer(field, connection)
    return prepare(value) if prepare else field.get_db_prep_save(value, connection)


def _timestamps(model, connection, *, add: bool) -> dict:
    """auto_now (and, on insert, auto_now_add) fields: one prepared value for the whole call."""
    now = timezone.now()
    return {
        field.name: field.get_db_prep_save(now, connection)
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateTimeField)
        and (field.auto_now or (add and field.auto_now_add))
    }


def _prepared(rows, preparers, fixed: list) -> Iterator[list]:
    converting = [(position, prepare) for position, prepare in enumerate(preparers) if prepare]
    for row in rows:
        values = list(row)
        for position, prepare in converting:
            values[position] = prepare(values[position])
        values += fixed
        yield values


def _copy(cursor, table: str, columns: list[str], rows: Iterator[list]) -> None:
    """PostgreSQL: COPY the rows into those columns of the table (all names quoted)."""
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _statements(rows: Iterator[list], width: int, connection) -> Iterator[tuple[str, list]]:
    """SQLite: (the VALUES rows' placeholders, their parameters) per statement."""
    limit = connection.features.max_query_params
    size = max(1, min(BATCH_SIZE, limit // width)) if limit else BATCH_SIZE
    placeholders = "({})".format(", ".join(["%s"] * width))
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield ", ".join([placeholders] * size), [value for row in batch for value in row]
            batch = []
    if batch:
        yield ", ".join([placeholders] * len(batch)), [value for row in batch for value in row]


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
    fixed = [_default(field, connection) for field in defaults]
    fixed += timestamps.values()
    columns = [quote(field.column) for field in given + defaults]
    columns += [quote(meta.get_field(name).column) for name in timestamps]
    table = quote(meta.db_table)
    preparers = [_preparer(field, connection) for field in given]
    prepared = _prepared(rows, preparers, fixed)
    with connection.cursor() as cursor:
        if _copies(connection):
            _copy(cursor, table, columns, prepared)
            return
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608 (model names)
        for values, params in _statements(prepared, len(columns), connection):
            cursor.execute(head + values, params)


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
    names = [f"v{position}" for position in range(len(given))]
    table = quote(meta.db_table)
    assignments = ", ".join(
        f"{quote(field.column)} = incoming.{name}" for field, name in zip(given, names, strict=True)
    )
    pk = quote(meta.pk.column)
    update = f"UPDATE {table} SET {assignments} FROM incoming "  # noqa: S608 (model names)
    update += f"WHERE {table}.{pk} = incoming.pk"
    preparers = [_preparer(field, connection) for field in given]
    preparers.append(None)  # the primary key
    prepared = _prepared(rows, preparers, [])
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if _copies(connection):
            types = [field.db_type(connection) for field in given]
            types.append(meta.pk.rel_db_type(connection))
            columns = [*names, "pk"]
            definition = ", ".join(f"{n} {t}" for n, t in zip(columns, types, strict=True))
            cursor.execute(f"CREATE TEMPORARY TABLE incoming ({definition})")
            _copy(cursor, "incoming", columns, prepared)
            cursor.execute(update)
            cursor.execute("DROP TABLE incoming")
            return
        head = f"WITH incoming ({', '.join(names)}, pk) AS (VALUES "
        for values, params in _statements(prepared, len(preparers), connection):
            cursor.execute(f"{head}{values}) {update}", params)
