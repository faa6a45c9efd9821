"""The audit codes of the funding module and their French labels (the journal shows the labels)."""

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
        "funding.payment.cancel": "Versement annulé",
        "funding.payment.pay": "Versement effectué",
        "funding.programme.create": "Dispositif créé",
        "funding.programme.update": "Dispositif modifié",
        "funding.report.remind_after": "Relance après l'échéance du compte-rendu",
        "funding.report.remind_before": "Relance avant l'échéance du compte-rendu",
        "funding.report.accept": "Compte-rendu financier accepté",
        "funding.report.return": "Compte-rendu financier renvoyé pour complément",
        "funding.report.save": "Compte-rendu financier enregistré",
        "funding.report.submit": "Compte-rendu financier remis",
        "funding.session.create": "Séance de comité créée",
        "funding.session.hold": "Décisions du comité enregistrées",
        "funding.share.accept": "Demande acceptée",
        "funding.share.close": "Demande classée sans suite",
        "funding.share.instruct": "Demande mise en instruction",
        "funding.share.refuse": "Demande refusée",
        "funding.share.remove": "Dispositif retiré de la demande",
        "funding.share.reopen": "Décision rouverte",
        "funding.share.request": "Dispositif sollicité",
        "funding.share.request_correction": "Demande renvoyée pour correction",
        "funding.share.submit": "Demande déposée",
    }
)
