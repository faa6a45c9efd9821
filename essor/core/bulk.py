"""Plain multi-row INSERT and UPDATE for imports of thousands of validated model instances.

`bulk_create` and `bulk_update` prepare every value through the ORM's generic machinery (and
`bulk_update` builds one CASE per field); for an import that writes tens of thousands of rows
this dominates its time. These helpers send the same values with `executemany`, converting only
the field types whose database value differs from the Python one. They run no `save()` logic
and no signals: call them with instances already validated by the service.
"""

from django.db import connections, models
from django.utils import timezone

BATCH_SIZE = 2000
_NEEDS_PREPARATION = (models.DateField, models.JSONField, models.DecimalField, models.UUIDField)


def _columns(model, fields):
    return [(field, isinstance(field, _NEEDS_PREPARATION)) for field in fields]


def _values(instance, columns, connection, timestamps: dict):
    values = []
    for field, prepare in columns:
        if field.attname in timestamps:
            values.append(timestamps[field.attname])
            continue
        value = getattr(instance, field.attname)
        values.append(field.get_db_prep_save(value, connection) if prepare else value)
    return values


def _timestamps(fields, connection, *, add: bool) -> dict:
    """auto_now (and, on insert, auto_now_add) fields: one prepared value for the whole call."""
    now = timezone.now()
    return {
        field.attname: field.get_db_prep_save(now, connection)
        for field in fields
        if isinstance(field, models.DateTimeField)
        and (field.auto_now or (add and field.auto_now_add))
    }


def insert_instances(model, instances, *, using: str = "default") -> None:
    """INSERT the instances (their primary keys are not set on them: read them back by a key)."""
    if not instances:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = _columns(model, fields)
    timestamps = _timestamps(fields, connection, add=True)
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model only)
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(instances), BATCH_SIZE):
            batch = instances[start : start + BATCH_SIZE]
            cursor.executemany(
                sql, [_values(obj, columns, connection, timestamps) for obj in batch]
            )


def update_instances(model, instances, field_names, *, using: str = "default") -> None:
    """UPDATE those fields of the instances, by primary key."""
    if not instances:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in field_names]
    columns = _columns(model, fields)
    timestamps = _timestamps(fields, connection, add=False)
    pk = model._meta.pk
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 (names from the model only)
        quote(model._meta.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in fields),
        quote(pk.column),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(instances), BATCH_SIZE):
            batch = instances[start : start + BATCH_SIZE]
            cursor.executemany(
                sql, [[*_values(obj, columns, connection, timestamps), obj.pk] for obj in batch]
            )
