"""Loads the Communauté urbaine de Dunkerque's 17 communes and the former codes now inside them."""

import csv
import datetime
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"
CUD_SIREN = "245900428"


def load_cud(apps, schema_editor):
    Commune = apps.get_model("territory", "Commune")
    FormerCommune = apps.get_model("territory", "FormerCommune")
    Territory = apps.get_model("territory", "Territory")
    territory, _ = Territory.objects.get_or_create(
        siren=CUD_SIREN,
        defaults={
            "slug": "cud",
            "name": "Communauté urbaine de Dunkerque",
            "kind": "epci",
            "is_main": True,
        },
    )
    with (DATA / "cud-communes.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            commune, _ = Commune.objects.update_or_create(
                insee_code=row["code_insee"],
                defaults={
                    "name": row["nom"],
                    "department_code": row["code_insee"][:2],
                    "siren": row["siren_commune"],
                    "population": int(row["pmun_2024"]),
                    "latitude": float(row["lat_approx"]),
                    "longitude": float(row["lon_approx"]),
                    "postal_codes": row["codes_postaux_a_verifier"].split(";"),
                },
            )
            territory.communes.add(commune)
    with (DATA / "cud-former-communes.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["ancien_code_insee"] == row["commune_parente"][:5]:
                continue  # a delegated commune that kept the new commune's code
            FormerCommune.objects.update_or_create(
                code=row["ancien_code_insee"],
                defaults={
                    "name": row["nom"],
                    "current": Commune.objects.get(insee_code=row["commune_parente"][:5]),
                    "kind": row["type_actuel"],
                    "effective_date": datetime.date.fromisoformat(row["date_effet"]),
                },
            )


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial")]
    operations = [migrations.RunPython(load_cud, migrations.RunPython.noop)]
