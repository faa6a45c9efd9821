"""Looking for a person's details anywhere in the database, for the erasure tests.

Every text and JSON column of every model (the tables of many-to-many relations included) is
read and searched, case-insensitively, for each of the given texts. JSON values are searched as
text, with their accents (the database may store them escaped)."""

import json

from django.apps import apps
from django.db import models

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def traces_of(*texts: str) -> list[str]:
    """« app.Model.field n° pk : text » for every column value that still contains one of
    `texts`; an empty list when none does."""
    wanted = [text.casefold() for text in texts]
    found = []
    for model in apps.get_models(include_auto_created=True):
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields:
            continue
        names = [f.attname for f in fields]
        for pk, *values in model._base_manager.values_list("pk", *names):
            for name, value in zip(names, values, strict=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                text = text.casefold()
                found += [
                    f"{model._meta.label}.{name} n° {pk} : {needle}"
                    for needle in wanted
                    if needle in text
                ]
    return found
