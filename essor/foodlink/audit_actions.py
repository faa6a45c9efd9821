"""The audit codes of the foodlink module and their French labels (the journal shows the labels)."""

from essor.core import audit

audit.register_actions(
    {
        "foodlink.buyer.create": "Cantine enregistrée",
        "foodlink.consultation.award": "Consultation attribuée",
        "foodlink.consultation.cancel": "Consultation annulée",
        "foodlink.consultation.close": "Réponses closes",
        "foodlink.consultation.create": "Consultation créée",
        "foodlink.consultation.declare_unsuccessful": "Consultation déclarée infructueuse",
        "foodlink.consultation.deliver": "Livraison confirmée",
        "foodlink.consultation.order": "Bons de commande émis",
        "foodlink.consultation.publish": "Consultation publiée",
        "foodlink.consultation.update": "Consultation modifiée",
        "foodlink.offer.submit": "Offre déposée",
        "foodlink.offer.update": "Offre modifiée",
        "foodlink.producer.create": "Producteur enregistré",
        "foodlink.producer.propose": "Modification de la fiche proposée",
        "foodlink.purchase.create": "Achat enregistré",
        "foodlink.purchase.import": "Achats importés",
    }
)
