"""The audit codes of the third places and their French labels (transitions add their own)."""

from essor.core import audit

audit.register_actions(
    {
        "tierslieu.place.create": "Tiers-lieu déclaré",
        "tierslieu.place.update": "Réglages du tiers-lieu modifiés",
        "tierslieu.space.create": "Espace ajouté",
        "tierslieu.space.update": "Espace modifié",
        "tierslieu.plan.create": "Formule ajoutée",
        "tierslieu.plan.update": "Formule modifiée",
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
        "tierslieu.grid.create": "Grille de points de la crèche créée",
        "tierslieu.grid.update": "Grille de points de la crèche modifiée",
        "tierslieu.grid.publish": "Grille de points de la crèche publiée",
        "tierslieu.creche.apply": "Demande de place en crèche déposée",
        "tierslieu.creche.read": "Dossier de crèche consulté",
        "tierslieu.commission.create": "Commission de la crèche créée",
        "tierslieu.commission.offer": "Places de la crèche proposées en commission",
        "tierslieu.cafe.record": "Cafés suspendus enregistrés",
        "tierslieu.proof.read": "Justificatif de tarif solidaire consulté",
    }
)
