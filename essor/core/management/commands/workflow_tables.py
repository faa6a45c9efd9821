"""Prints the transition table of every state machine, in Markdown, for the modules' READMEs."""

from django.core.management.base import BaseCommand

from essor.core import workflow


class Command(BaseCommand):
    help = "Affiche la table des transitions de chaque machine à états (Markdown)."

    def add_arguments(self, parser):
        parser.add_argument("--module", help="Seulement les machines de ce module (ex. funding).")

    def handle(self, *args, module=None, **options):
        for machine in workflow.machines():
            if module and machine.model._meta.app_label != module:
                continue
            self.stdout.write(workflow.markdown_table(machine) + "\n")
