"""The audit codes of the funding module and their French labels (the journal shows the labels).

The moves of the funding machines (a share's instruction and decision, an application's derived
state, payments, financial reports, committee sessions) are declared with their codes and labels
on the models' transitions (`workflow.step`): the workflow engine registers them."""

from essor.core import audit

audit.register_actions(
    {
        "funding.agenda_item.create": "Dossier inscrit à l'ordre du jour",
        "funding.agreement.create": "Convention établie",
        "funding.application.create": "Dossier créé",
        "funding.application.update": "Dossier modifié",
        "funding.attachment.create": "Pièce jointe ajoutée",
        "funding.attachment.delete": "Pièce jointe supprimée",
        "funding.budget.update": "Budget modifié",
        "funding.envelope.set": "Enveloppe fixée",
        "funding.funder.create": "Financeur créé",
        "funding.funder.update": "Financeur modifié",
        "funding.message.create": "Message envoyé",
        "funding.note.create": "Note d'instruction ajoutée",
        "funding.programme.create": "Dispositif créé",
        "funding.programme.update": "Dispositif modifié",
        "funding.report.remind_after": "Relance après l'échéance du compte-rendu",
        "funding.report.remind_before": "Relance avant l'échéance du compte-rendu",
        "funding.report.remind_late": "Relance d'un compte-rendu en retard",
        "funding.report.save": "Compte-rendu financier enregistré",
        "funding.session.create": "Séance de comité créée",
        "funding.share.remove": "Dispositif retiré de la demande",
        "funding.share.request": "Dispositif sollicité",
    }
)
