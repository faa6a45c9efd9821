"""A share's history moves from its own table (ShareEvent) to the workflow engine's transition log
(django-fsm-log's StateLog): the same rows, named by their transition."""

from django.db import migrations

DECIDED = ("accepted", "refused", "closed")
TRANSITIONS = {
    "submitted": "submit",
    "correction": "request_correction",
    "accepted": "accept",
    "refused": "refuse",
    "closed": "close",
}


def transition_name(source, target):
    if target == "instruction":
        return "reopen" if source in DECIDED else "start_instruction"
    return TRANSITIONS.get(target, target)


def _share_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="funding", model="share")[0]


def events_to_log(apps, schema_editor):
    ShareEvent = apps.get_model("funding", "ShareEvent")
    StateLog = apps.get_model("django_fsm_log", "StateLog")
    share_type = _share_type(apps)
    batch = []
    for event in ShareEvent.objects.order_by("created_at", "pk").iterator(chunk_size=2000):
        batch.append(
            StateLog(
                timestamp=event.created_at,
                by_id=event.actor_id,
                source_state=event.from_status,
                state=event.to_status,
                transition=transition_name(event.from_status, event.to_status),
                content_type=share_type,
                object_id=event.share_id,
                description=event.motivation,
            )
        )
        if len(batch) == 2000:
            StateLog.objects.bulk_create(batch)
            batch = []
    StateLog.objects.bulk_create(batch)


def log_to_events(apps, schema_editor):
    ShareEvent = apps.get_model("funding", "ShareEvent")
    StateLog = apps.get_model("django_fsm_log", "StateLog")
    logs = StateLog.objects.filter(content_type=_share_type(apps))
    for log in logs.order_by("timestamp", "pk").iterator(chunk_size=2000):
        event = ShareEvent.objects.create(
            share_id=log.object_id,
            from_status=log.source_state or "",
            to_status=log.state,
            actor_id=log.by_id,
            motivation=log.description or "",
        )
        # `created_at` is set on creation (auto_now_add): give the event its moment back.
        ShareEvent.objects.filter(pk=event.pk).update(created_at=log.timestamp)
    logs.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0005_derived_application_status"),
        ("django_fsm_log", "0004_auto_20190131_0341"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(events_to_log, log_to_events)]
