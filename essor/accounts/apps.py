from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "essor.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        from essor.accounts.memberships import memberships_of_user
        from essor.core import permissions
        from essor.core.notifications import EmailCategory, register_email_category

        # The roles are ours: core's permission helpers read them through this function.
        permissions.use_memberships(memberships_of_user)
        # The account's own e-mails: nobody can do without them (listed on « Mes notifications »).
        for code, label, audience, why, order in (
            (
                "accounts.sign_up",
                "Lien de création de compte",
                "personnes qui s'inscrivent",
                "il est le seul moyen de créer votre compte",
                1,
            ),
            (
                "accounts.password_reset",
                "Lien pour choisir un nouveau mot de passe",
                "personnes qui l'ont demandé",
                "vous l'avez demandé, et il est le seul moyen de retrouver l'accès à votre compte",
                2,
            ),
            (
                "accounts.invitation",
                "Invitation à rejoindre une structure",
                "personnes invitées",
                "elle contient le lien qui vous fait entrer dans la structure",
                3,
            ),
        ):
            register_email_category(
                EmailCategory(code, label, audience=audience, mandatory=True, why=why, order=order)
            )
