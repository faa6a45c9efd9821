"""The audit codes of the directory module and their French labels (the journal shows the labels)."""

from essor.core import audit

audit.register_actions(
    {
        "directory.claim.create": "Demande de gestion créée",
        "directory.claim.submit": "Demande de gestion de la fiche",
        "directory.organisation.create": "Structure créée",
        "directory.organisation.merge": "Doublon fusionné dans cette structure",
        "directory.organisation.merge_into": "Fusionnée dans une autre structure",
        "directory.organisation.update": "Fiche modifiée",
        "directory.revision.propose": "Modification de la fiche proposée",
        "directory.revision.update": "Modification proposée mise à jour",
        "directory.sirene.import": "Import SIRENE",
    }
)
