"""Audit codes follow one grammar, module.object.verb: entries written before are renamed."""

from django.db import migrations

RENAMED = {
    "accounts.invitation_accepted": "accounts.invitation.accept",
    "accounts.invitation_revoked": "accounts.invitation.revoke",
    "accounts.invitation_sent": "accounts.invitation.send",
    "accounts.member_removed": "accounts.membership.remove",
    "accounts.role_changed": "accounts.membership.change_role",
    "accounts.signed_up": "accounts.user.sign_up",
    "core.demo_loaded": "demo.data.load",
    "directory.claim_accepted": "directory.claim.accept",
    "directory.claim_created": "directory.claim.create",
    "directory.claim_refused": "directory.claim.refuse",
    "directory.claim_submitted": "directory.claim.submit",
    "directory.organisation_created": "directory.organisation.create",
    "directory.organisation_merged": "directory.organisation.merge",
    "directory.organisation_merged_into": "directory.organisation.merge_into",
    "directory.organisation_updated": "directory.organisation.update",
    "directory.revision_approved": "directory.revision.approve",
    "directory.revision_proposed": "directory.revision.propose",
    "directory.revision_rejected": "directory.revision.reject",
    "directory.revision_updated": "directory.revision.update",
    "directory.sirene_import": "directory.sirene.import",
    "foodlink.consultation.awarded": "foodlink.consultation.award",
    "foodlink.consultation.cancelled": "foodlink.consultation.cancel",
    "foodlink.consultation.closed": "foodlink.consultation.close",
    "foodlink.consultation.delivered": "foodlink.consultation.deliver",
    "foodlink.consultation.ordered": "foodlink.consultation.order",
    "foodlink.consultation.published": "foodlink.consultation.publish",
    "foodlink.consultation.unsuccessful": "foodlink.consultation.declare_unsuccessful",
    "funding.agenda_item_added": "funding.agenda_item.create",
    "funding.agreement_created": "funding.agreement.create",
    "funding.application_created": "funding.application.create",
    "funding.application_updated": "funding.application.update",
    "funding.attachment_added": "funding.attachment.create",
    "funding.attachment_deleted": "funding.attachment.delete",
    "funding.budget_updated": "funding.budget.update",
    "funding.envelope_set": "funding.envelope.set",
    "funding.funder_created": "funding.funder.create",
    "funding.funder_updated": "funding.funder.update",
    "funding.message_posted": "funding.message.create",
    "funding.note_added": "funding.note.create",
    "funding.payment_cancelled": "funding.payment.cancel",
    "funding.payment_paid": "funding.payment.pay",
    "funding.programme_created": "funding.programme.create",
    "funding.programme_updated": "funding.programme.update",
    "funding.report_accepted": "funding.report.accept",
    "funding.report_reminder_after": "funding.report.remind_after",
    "funding.report_reminder_before": "funding.report.remind_before",
    "funding.report_returned": "funding.report.return",
    "funding.report_saved": "funding.report.save",
    "funding.report_submitted": "funding.report.submit",
    "funding.session_created": "funding.session.create",
    "funding.session_held": "funding.session.hold",
    "funding.share_accepted": "funding.share.accept",
    "funding.share_closed": "funding.share.close",
    "funding.share_correction": "funding.share.request_correction",
    "funding.share_instruction": "funding.share.instruct",
    "funding.share_refused": "funding.share.refuse",
    "funding.share_removed": "funding.share.remove",
    "funding.share_requested": "funding.share.request",
    "funding.share_submitted": "funding.share.submit",
    "insertion.annex_created": "insertion.annex.create",
    "insertion.annex_updated": "insertion.annex.update",
    "insertion.barrier_added": "insertion.barrier.create",
    "insertion.barrier_type_added": "insertion.barrier_type.create",
    "insertion.barrier_type_updated": "insertion.barrier_type.update",
    "insertion.barrier_updated": "insertion.barrier.update",
    "insertion.contract_added": "insertion.contract.create",
    "insertion.contract_updated": "insertion.contract.update",
    "insertion.exit_recorded": "insertion.exit.create",
    "insertion.hours_imported": "insertion.hours.import",
    "insertion.hours_saved": "insertion.hours.save",
    "insertion.participant_anonymised": "insertion.participant.anonymise",
    "insertion.participant_created": "insertion.participant.create",
    "insertion.participant_erased": "insertion.participant.erase",
    "insertion.participant_read": "insertion.participant.read",
    "insertion.participant_updated": "insertion.participant.update",
    "insertion.participants_listed": "insertion.participant.list",
    "insertion.siae_created": "insertion.siae.create",
    "insertion.siae_updated": "insertion.siae.update",
    "insertion.training_added": "insertion.training.create",
    "membership.agency_admin_created": "accounts.membership.create_agency_admin",
    "observatory.target_created": "observatory.target.create",
    "observatory.target_deleted": "observatory.target.delete",
    "observatory.target_updated": "observatory.target.update",
    "support.action_added": "support.action.create",
    "support.action_updated": "support.action.update",
    "support.holder_created": "support.holder.create",
    "support.holder_merged": "support.holder.merge",
    "support.holder_merged_into": "support.holder.merge_into",
    "support.holder_updated": "support.holder.update",
    "support.holders_exported": "support.holder.export",
    "support.personal_data_erased": "support.holder.erase",
    "support.personal_data_read": "support.holder.read_personal_data",
    "support.reminder_done": "support.action.complete_reminder",
    "support.stage_changed": "support.holder.change_stage",
    "territory.communes_set": "territory.territory.set_communes",
}


def rename(apps, schema_editor):
    entries = apps.get_model("core", "AuditLogEntry").objects
    for old, new in RENAMED.items():
        entries.filter(action=old).update(action=new)


def restore(apps, schema_editor):
    entries = apps.get_model("core", "AuditLogEntry").objects
    for old, new in RENAMED.items():
        entries.filter(action=new).update(action=old)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_job_status_workflow")]

    operations = [migrations.RunPython(rename, restore)]
