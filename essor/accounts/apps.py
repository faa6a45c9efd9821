from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "essor.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        from essor.accounts.memberships import memberships_of_user
        from essor.core import permissions

        # The roles are ours: core's permission helpers read them through this function.
        permissions.use_memberships(memberships_of_user)
