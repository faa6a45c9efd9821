"""The applications' statuses, derived from their shares; the decision references of the accepted
shares (the committee session's item when decided in session, else the agreement)."""

import datetime
from collections import defaultdict

from django.db import migrations

DECIDED = ("accepted", "refused", "closed")


def derived_status(share_statuses):
    """The rule of `models.derived_application_status` when this migration was written."""
    deposited = [status for status in share_statuses if status != "draft"]
    if not deposited:
        return "draft"
    if "correction" in deposited:
        return "correction"
    if all(status in DECIDED for status in deposited):
        return "decided"
    if any(status == "instruction" or status in DECIDED for status in deposited):
        return "instruction"
    return "submitted"


def derive_statuses(apps, schema_editor):
    Application = apps.get_model("funding", "Application")
    Share = apps.get_model("funding", "Share")
    by_application = defaultdict(list)
    for application_id, status in Share.objects.values_list("application_id", "status"):
        by_application[application_id].append(status)
    targets = defaultdict(list)
    for pk, status in Application.objects.exclude(status="draft").values_list("pk", "status"):
        target = derived_status(by_application[pk])
        if target != status and target != "draft":
            targets[target].append(pk)
    for target, pks in targets.items():
        for start in range(0, len(pks), 500):
            Application.objects.filter(pk__in=pks[start : start + 500]).update(status=target)


def back_to_two_states(apps, schema_editor):
    Application = apps.get_model("funding", "Application")
    Application.objects.exclude(status="draft").update(status="submitted")


def decision_references(apps, schema_editor):
    Share = apps.get_model("funding", "Share")
    AgendaItem = apps.get_model("funding", "AgendaItem")
    in_session = {}
    for share_id, session_id, session_year, held_at, position in AgendaItem.objects.filter(
        session__status="held", share__status="accepted"
    ).values_list("share_id", "session_id", "session__date__year", "session__held_at", "position"):
        in_session.setdefault(share_id, []).append((session_id, session_year, held_at, position))
    for share in Share.objects.filter(status="accepted").select_related("agreement", "application"):
        reference = ""
        for session_id, session_year, held_at, position in in_session.get(share.pk, ()):
            # Decided by that session: its decisions were recorded at the same moment.
            if (
                held_at
                and share.decided_at
                and abs(held_at - share.decided_at) < datetime.timedelta(hours=1)
            ):
                reference = f"CS-{session_year}-{session_id:04d}-{position:02d}"
        if not reference:
            agreement = getattr(share, "agreement", None)
            reference = agreement.reference if agreement else ""
        Share.objects.filter(pk=share.pk).update(decision_reference=reference)


class Migration(migrations.Migration):
    dependencies = [("funding", "0004_workflow_machines")]

    operations = [
        migrations.RunPython(derive_statuses, back_to_two_states),
        migrations.RunPython(decision_references, migrations.RunPython.noop),
    ]
