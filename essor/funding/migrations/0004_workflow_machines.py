"""Every funding status on the workflow engine (FSM fields, protected), the application's derived
states, and the fields the SCDL export reads by their descriptions."""

import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0003_application_search_trigram"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="aid_scheme_id",
            field=models.CharField(
                blank=True,
                help_text="L'identifiant du dispositif dans les données publiées au schéma national « dispositifs d'aide » (par exemple 65d5b6c7-102c-4440-ac3b-768f708edc0a), s'il y figure.",
                max_length=64,
                verbose_name="identifiant au référentiel national des dispositifs d'aide",
            ),
        ),
        migrations.AddField(
            model_name="programme",
            name="de_minimis",
            field=models.BooleanField(
                default=False,
                verbose_name="aide de minimis notifiée à la Commission européenne (règlement UE n° 1407/2013)",
            ),
        ),
        migrations.AddField(
            model_name="share",
            name="decision_reference",
            field=models.CharField(
                blank=True, max_length=40, verbose_name="référence de la décision"
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="créé par",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="status",
            field=django_fsm.FSMField(
                choices=[
                    ("draft", "Brouillon"),
                    ("submitted", "Déposé"),
                    ("instruction", "En instruction"),
                    ("correction", "À corriger"),
                    ("decided", "Décidé"),
                ],
                db_index=True,
                default="draft",
                max_length=16,
                protected=True,
                verbose_name="état",
            ),
        ),
        migrations.AlterField(
            model_name="committeesession",
            name="status",
            field=django_fsm.FSMField(
                choices=[("planned", "Programmée"), ("held", "Tenue")],
                default="planned",
                max_length=16,
                protected=True,
                verbose_name="état",
            ),
        ),
        migrations.AlterField(
            model_name="financialreport",
            name="status",
            field=django_fsm.FSMField(
                choices=[
                    ("pending", "À remettre"),
                    ("submitted", "Remis"),
                    ("accepted", "Accepté"),
                    ("returned", "Renvoyé pour complément"),
                ],
                default="pending",
                max_length=16,
                protected=True,
                verbose_name="état",
            ),
        ),
        migrations.AlterField(
            model_name="payment",
            name="status",
            field=django_fsm.FSMField(
                choices=[("scheduled", "Prévu"), ("paid", "Versé"), ("cancelled", "Annulé")],
                default="scheduled",
                max_length=16,
                protected=True,
                verbose_name="état",
            ),
        ),
        migrations.AlterField(
            model_name="share",
            name="status",
            field=django_fsm.FSMField(
                choices=[
                    ("draft", "Brouillon"),
                    ("submitted", "Déposé"),
                    ("instruction", "En instruction"),
                    ("correction", "Renvoyé pour correction"),
                    ("accepted", "Accepté"),
                    ("refused", "Refusé"),
                    ("closed", "Classé sans suite"),
                ],
                default="draft",
                max_length=16,
                protected=True,
                verbose_name="état",
            ),
        ),
    ]
