"""python manage.py demo_accounts: lists the demonstration accounts and their password."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from essor.core.demo.accounts import ALL_ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Affiche les comptes de démonstration (un par rôle) et leur mot de passe."

    def handle(self, *args, **options):
        emails = [account.email for account in ALL_ACCOUNTS]
        users = {
            user.email: user
            for user in get_user_model()
            .objects.filter(email__in=emails)
            .prefetch_related("memberships__organisation")
        }
        if not users:
            self.stdout.write(
                "Aucun compte de démonstration : lancez « python manage.py load_demo »."
            )
            return
        self.stdout.write("Comptes de démonstration :")
        for email in emails:
            user = users.get(email)
            if user is None:
                continue
            roles = ", ".join(
                f"{membership.get_role_display()} — {membership.organisation.name}"
                for membership in user.memberships.all()
            )
            self.stdout.write(f"  {email:<36} {roles or 'Compte sans rôle'}")
        self.stdout.write(f"Mot de passe de tous ces comptes : {DEMO_PASSWORD}")
