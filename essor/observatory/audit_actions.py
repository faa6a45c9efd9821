"""The audit codes of the observatory module and their French labels (the journal shows the labels)."""

from essor.core import audit

audit.register_actions(
    {
        "observatory.target.create": "Objectif créé",
        "observatory.target.delete": "Objectif supprimé",
        "observatory.target.update": "Objectif modifié",
    }
)
