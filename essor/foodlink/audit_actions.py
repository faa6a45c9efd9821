"""The audit codes of the foodlink module and their French labels (the journal shows the labels).

The codes of the transitions (a consultation's steps, an offer retained or not, a producer's
revision approved or refused) are declared by their steps in `models.py`, not here."""

from essor.core import audit

audit.register_actions(
    {
        "foodlink.buyer.create": "Cantine enregistrée",
        "foodlink.consultation.create": "Consultation créée",
        "foodlink.consultation.update": "Consultation modifiée",
        "foodlink.offer.submit": "Offre déposée",
        "foodlink.offer.update": "Offre modifiée",
        "foodlink.producer.create": "Producteur enregistré",
        "foodlink.producer.propose": "Modification de la fiche proposée",
        "foodlink.purchase.create": "Achat enregistré",
        "foodlink.purchase.import": "Achats importés",
    }
)
