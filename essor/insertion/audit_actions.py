"""The audit codes of the insertion module and their French labels (the journal shows the labels)."""

from essor.core import audit

audit.register_actions(
    {
        "insertion.annex.create": "Annexe financière créée",
        "insertion.annex.update": "Annexe financière modifiée",
        "insertion.barrier.create": "Frein ajouté",
        "insertion.barrier.update": "Frein modifié",
        "insertion.barrier_type.create": "Type de frein ajouté",
        "insertion.barrier_type.update": "Type de frein modifié",
        "insertion.contract.create": "Contrat ajouté",
        "insertion.contract.update": "Contrat modifié",
        "insertion.exit.create": "Sortie enregistrée",
        "insertion.hours.import": "Heures importées",
        "insertion.hours.save": "Heures enregistrées",
        "insertion.participant.anonymise": "Salarié anonymisé",
        "insertion.participant.create": "Salarié enregistré",
        "insertion.participant.erase": "Données du salarié effacées",
        "insertion.participant.list": "Liste des salariés consultée",
        "insertion.participant.read": "Fiche du salarié consultée",
        "insertion.participant.update": "Fiche du salarié modifiée",
        "insertion.siae.create": "SIAE créée",
        "insertion.siae.update": "SIAE modifiée",
        "insertion.training.create": "Formation ajoutée",
    }
)
