"""Notifications live in core: every module notifies. A module that kept its own copies its rows
here from one of its migrations (which depends on this one: core depends on no module)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_action_grammar"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Notification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("message", models.CharField(max_length=500, verbose_name="message")),
                ("url", models.CharField(blank=True, max_length=300, verbose_name="lien")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créée le")),
                ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="lue le")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="destinataire",
                    ),
                ),
            ],
            options={
                "verbose_name": "notification",
                "verbose_name_plural": "notifications",
                "ordering": ["-created_at", "-pk"],
                "indexes": [models.Index(fields=["user", "read_at"], name="notification_unread")],
            },
        ),
    ]
