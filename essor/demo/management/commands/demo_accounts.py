"""python manage.py demo_accounts: lists the demonstration accounts and their password."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from essor.demo.accounts import ALL_ACCOUNTS, DEMO_EMAIL_DOMAIN, account_lines
from essor.demo.cigales import cigalier_labels


class Command(BaseCommand):
    help = "Affiche les comptes de démonstration (un par rôle) et leur mot de passe."

    def handle(self, *args, **options):
        # The role accounts first, in their order, then the modules' accounts by e-mail.
        order = {account.email: index for index, account in enumerate(ALL_ACCOUNTS)}
        users = sorted(
            get_user_model()
            .objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
            .prefetch_related("memberships__organisation"),
            key=lambda user: (order.get(user.email, len(order)), user.email),
        )
        if not users:
            self.stdout.write(
                "Aucun compte de démonstration : lancez « python manage.py load_demo »."
            )
            return
        clubs = cigalier_labels(users)
        accounts = [
            (
                user.email,
                ", ".join(
                    [
                        f"{membership.get_role_display()} — {membership.organisation.name}"
                        for membership in user.memberships.all()
                    ]
                    + clubs.get(user.pk, [])
                )
                or "Compte sans rôle",
            )
            for user in users
        ]
        for line in account_lines(accounts):
            self.stdout.write(line)
