"""The steps of consultations taken before the workflow engine are read from the audit log into
the transition log, so that each consultation's timeline (`workflow.history`) keeps them."""

from django.db import migrations

TRANSITIONS = {
    "foodlink.consultation.publish": "publish",
    "foodlink.consultation.close": "close",
    "foodlink.consultation.award": "award_offers",
    "foodlink.consultation.declare_unsuccessful": "declare_unsuccessful",
    "foodlink.consultation.cancel": "cancel",
    "foodlink.consultation.order": "order",
    "foodlink.consultation.deliver": "deliver",
}


def copy_steps(apps, schema_editor):
    AuditLogEntry = apps.get_model("core", "AuditLogEntry")
    StateLog = apps.get_model("django_fsm_log", "StateLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="foodlink", model="consultation")
    logged = set(
        StateLog.objects.filter(content_type=content_type).values_list("object_id", flat=True)
    )
    rows = []
    for entry in AuditLogEntry.objects.filter(
        target_type="foodlink.consultation", action__in=TRANSITIONS
    ).order_by("created_at", "pk"):
        status = (entry.changes or {}).get("status")
        if not (isinstance(status, list) and len(status) == 2) or int(entry.target_id) in logged:
            continue
        rows.append(
            StateLog(
                timestamp=entry.created_at,
                by_id=entry.actor_id,
                source_state=status[0],
                state=status[1],
                transition=TRANSITIONS[entry.action],
                content_type=content_type,
                object_id=int(entry.target_id),
                description=entry.message,
            )
        )
    StateLog.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("foodlink", "0003_consultation_and_offer_status_workflow"),
        ("core", "0003_audit_action_grammar"),
        ("django_fsm_log", "0004_auto_20190131_0341"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # Backwards, the copies stay: the audit log still holds the steps, and going forwards again
    # skips the consultations that already have a timeline.
    operations = [migrations.RunPython(copy_steps, migrations.RunPython.noop)]
