"""The audit codes of the village module and their French labels (transitions add their own)."""

from essor.core import audit

audit.register_actions(
    {
        "village.edition.create": "Édition du Village créée",
        "village.edition.update": "Édition du Village modifiée",
        "village.zone.create": "Zone ajoutée au plan",
        "village.stand.create": "Stand ajouté au plan",
        "village.application.create": "Candidature d'exposant commencée",
        "village.application.update": "Candidature d'exposant modifiée",
        "village.application.mark": "Candidature notée selon la grille",
        "village.application.allocate_stand": "Stand attribué",
        "village.animation.create": "Animation ajoutée au programme",
        "village.route.create": "Parcours thématique créé",
        "village.stand.renew_keys": "QR codes et lien de borne du stand renouvelés",
        "village.stand.question": "Question du stand enregistrée",
        "village.draw.freeze": "Liste des participants au tirage arrêtée",
        "village.draw.run": "Tirage au sort effectué",
        "village.draw.read_winner": "Coordonnées d'un gagnant consultées",
    }
)
