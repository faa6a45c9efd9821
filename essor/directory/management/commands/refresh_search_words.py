"""Rebuilds the words typos in a search are corrected against (run every night by
deploy/systemd/essor-search-words-refresh.timer; a SIRENE import and the demo rebuild them too)."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from essor.core import formats
from essor.directory.services import rebuild_search_words


class Command(BaseCommand):
    help = (
        "Reconstruit la liste des mots de l'annuaire (noms, sigles, activités des structures) "
        "contre laquelle la recherche corrige les fautes de frappe."
    )

    def handle(self, *args, **options):
        bar = tqdm(total=None, unit=" structures", disable=options["verbosity"] == 0)

        def progress(done: int, total: int, message: str) -> None:
            bar.set_description(message)
            if bar.total != total:
                bar.reset(total=total)
            bar.n = done
            bar.refresh()

        try:
            words = rebuild_search_words(progress=progress)
        finally:
            bar.close()
        self.stdout.write(
            f"Annuaire : {formats.counted(words, 'mot', 'mots')} pour corriger les recherches."
        )
