"""The audit codes of the support module and their French labels (the journal shows the labels)."""

from essor.core import audit

audit.register_actions(
    {
        "support.action.complete_reminder": "Relance faite",
        "support.action.create": "Action ajoutée",
        "support.action.update": "Action modifiée",
        "support.holder.change_stage": "Étape du projet modifiée",
        "support.holder.create": "Fiche du porteur créée",
        "support.holder.erase": "Données personnelles effacées",
        "support.holder.export": "Porteurs de projet exportés",
        "support.holder.merge": "Doublon fusionné dans cette fiche",
        "support.holder.merge_into": "Fiche fusionnée dans une autre",
        "support.holder.read_personal_data": "Données personnelles consultées",
        "support.holder.update": "Fiche du porteur modifiée",
    }
)
