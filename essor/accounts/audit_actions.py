"""The audit codes of the accounts module and their French labels (the journal shows the labels)."""

from essor.core import audit

audit.register_actions(
    {
        "accounts.email_preferences.update": "Choix des courriels reçus modifié",
        "accounts.invitation.accept": "Invitation acceptée",
        "accounts.invitation.revoke": "Invitation annulée",
        "accounts.invitation.send": "Invitation envoyée",
        "accounts.membership.change_role": "Rôle modifié",
        "accounts.membership.create_agency_admin": "Administrateur de l'agence créé",
        "accounts.membership.remove": "Membre retiré",
        "accounts.user.sign_up": "Inscription",
    }
)
