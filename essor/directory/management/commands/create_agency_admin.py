"""Creates the first agency admin of a new instance (the only account that needs the shell)."""

import getpass
import secrets
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from essor.directory.services import create_agency_admin


class Command(BaseCommand):
    help = "Crée (ou promeut) un administrateur de l'agence."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="adresse électronique")
        parser.add_argument("--nom", default="", help="nom complet")

    def handle(self, *args, email, nom, **options):
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"Adresse électronique invalide : « {email} ».") from exc
        generated = not sys.stdin.isatty()
        if generated:
            password = secrets.token_urlsafe(18)
        else:
            password = getpass.getpass("Mot de passe : ")
            if password != getpass.getpass("Mot de passe (à nouveau) : "):
                raise CommandError("Les deux mots de passe ne correspondent pas.")
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        user, created = create_agency_admin(
            email=email.lower(), full_name=nom, password=password, password_generated=generated
        )
        self.stdout.write(self.style.SUCCESS(f"{user.email} est administrateur de l'agence."))
        if not created:
            self.stdout.write("Ce compte existait déjà : son mot de passe n'a pas été modifié.")
        elif generated:
            self.stdout.write(
                "Mot de passe généré (Essor demandera de le changer à la première connexion) : "
                f"{password}"
            )
