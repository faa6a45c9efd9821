"""The audit codes of the third places and their French labels (transitions add their own)."""

from essor.core import audit

audit.register_actions(
    {
        "tierslieu.member.add": "Membre ajouté au tiers-lieu",
        "tierslieu.grant.request": "Tarif solidaire demandé",
        "tierslieu.subscription.create": "Formule vendue",
        "tierslieu.visit.check_in": "Passage enregistré",
        "tierslieu.booking.create": "Espace réservé",
        "tierslieu.invoice.issue": "Facture émise",
        "tierslieu.credit_note.issue": "Avoir émis",
        "tierslieu.invoice.credited": "Facture annulée par un avoir",
        "tierslieu.invoice.paid": "Paiement enregistré",
        "tierslieu.invoice.read": "Facture d'un membre consultée",
        "tierslieu.proof.read": "Justificatif de tarif solidaire consulté",
    }
)
