"""Backs up the database and the stored files into one dated, verified backup (see
essor/core/backups.py and docs/exploitation/guide-exploitation.md, section 6)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from essor.core import backups
from essor.core.formats import counted


class Command(BaseCommand):
    help = (
        "Sauvegarde la base puis les fichiers envoyés (MEDIA_ROOT) dans un dossier daté "
        "essor-AAAAMMJJ-HHMMSS avec un manifeste (nombre de lignes de chaque table, empreinte "
        "sha256 de chaque fichier) ; rien n'est conservé si une étape échoue."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", help="Dossier où ranger les sauvegardes.")
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="Ne garder que les N sauvegardes complètes les plus récentes de ce dossier.",
        )
        parser.add_argument(
            "--passphrase-file",
            type=Path,
            metavar="FICHIER",
            help="Chiffrer la sauvegarde (gpg, AES256) avec la phrase secrète de ce fichier : "
            "une seule archive essor-AAAAMMJJ-HHMMSS.tar.gpg.",
        )

    def handle(self, *args, destination, keep=None, passphrase_file=None, **options):
        bars = []

        def progress_factory(total):
            bar = tqdm(
                total=total,
                desc="Fichiers",
                unit="o",
                unit_scale=True,
                file=self.stderr,
                disable=None,
            )
            bars.append(bar)
            return bar.update

        try:
            result = backups.backup(
                Path(destination),
                keep=keep,
                passphrase_file=passphrase_file,
                say=self.stdout.write,
                progress_factory=progress_factory,
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        finally:
            for bar in bars:
                bar.close()
        manifest = result.manifest
        rows = sum(manifest["database"]["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde complète : {result.path}\n"
                f"{len(manifest['database']['tables'])} tables, {rows} lignes ; "
                f"{counted(len(manifest['media']['files']), 'fichier')}."
            )
        )
        for path in result.pruned:
            self.stdout.write(f"Ancienne sauvegarde supprimée (--keep {keep}) : {path}")
