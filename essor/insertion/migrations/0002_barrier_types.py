from django.db import migrations

BARRIER_TYPES = [
    ("mobilite", "Mobilité"),
    ("logement", "Logement"),
    ("sante", "Santé"),
    ("garde-enfants", "Garde d'enfants"),
    ("langue-francaise", "Maîtrise du français"),
    ("numerique", "Numérique"),
    ("justice", "Justice"),
    ("ressources", "Ressources financières"),
]


def create_barrier_types(apps, schema_editor):
    BarrierType = apps.get_model("insertion", "BarrierType")
    for position, (slug, name) in enumerate(BARRIER_TYPES, start=1):
        BarrierType.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("insertion", "0001_initial")]

    operations = [migrations.RunPython(create_barrier_types, migrations.RunPython.noop)]
