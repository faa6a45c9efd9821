from django.db import migrations

# The starting taxonomy; the agency edits it afterwards (it is configuration, not code).
SECTORS = [
    ("culture", "Culture", False),
    ("sport", "Sport", False),
    ("batiment", "Bâtiment", True),
    ("services-a-la-personne", "Services à la personne", True),
    ("mobilite", "Mobilité", True),
    ("tourisme", "Tourisme", True),
    ("alimentation-circuits-courts", "Alimentation et circuits courts", True),
    ("environnement", "Environnement", False),
    ("insertion", "Insertion", False),
    ("action-sociale", "Action sociale", False),
    ("education", "Éducation", False),
    ("sante", "Santé", False),
    ("numerique", "Numérique", False),
]


def create_sectors(apps, schema_editor):
    Sector = apps.get_model("directory", "Sector")
    for position, (slug, name, is_priority) in enumerate(SECTORS, start=1):
        Sector.objects.update_or_create(
            slug=slug, defaults={"name": name, "position": position, "is_priority": is_priority}
        )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(create_sectors, migrations.RunPython.noop)]
