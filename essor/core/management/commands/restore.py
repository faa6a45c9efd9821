"""Restores a backup made by `manage.py backup` into a NEW database and a NEW media directory,
verifies them against its manifest and prints the steps that put them in service."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from essor.core import backups
from essor.core.formats import counted


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde dans une base NOUVELLE (--database-url pour PostgreSQL, "
        "--sqlite-path pour SQLite) et un dossier de fichiers NOUVEAU (--media-root), vérifie "
        "le tout d'après le manifeste, puis indique comment y faire pointer Essor."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "source", help="La sauvegarde : dossier essor-AAAAMMJJ-HHMMSS ou archive .tar.gpg."
        )
        parser.add_argument(
            "--media-root",
            required=True,
            type=Path,
            metavar="DOSSIER",
            help="Dossier nouveau (absent ou vide) où restaurer les fichiers envoyés.",
        )
        parser.add_argument(
            "--database-url",
            metavar="URL",
            help="PostgreSQL : la base nouvelle, postgres://rôle:mot-de-passe@hôte:port/nom "
            "(créée si elle n'existe pas ; refusée si elle existe et n'est pas vide).",
        )
        parser.add_argument(
            "--sqlite-path",
            type=Path,
            metavar="FICHIER",
            help="SQLite : le fichier nouveau de la base restaurée (il ne doit pas exister).",
        )
        parser.add_argument(
            "--passphrase-file",
            type=Path,
            metavar="FICHIER",
            help="Phrase secrète d'une sauvegarde chiffrée (.tar.gpg).",
        )

    def handle(self, *args, source, media_root, **options):
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
            result = backups.restore(
                Path(source),
                media_root=media_root,
                database_url=options.get("database_url"),
                sqlite_path=options.get("sqlite_path"),
                passphrase_file=options.get("passphrase_file"),
                say=self.stdout.write,
                progress_factory=progress_factory,
            )
        except backups.BackupError as error:
            raise CommandError(f"Restauration annulée.\n{error}") from error
        finally:
            for bar in bars:
                bar.close()
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Restauration vérifiée : base {result.database} "
                f"({len(manifest['database']['tables'])} tables, nombres de lignes identiques "
                f"au manifeste), {counted(len(manifest['media']['files']), 'fichier')} dans "
                f"{result.media_root} (empreintes sha256 identiques)."
            )
        )
        self.stdout.write("Étapes suivantes, dans cet ordre :")
        for number, step in enumerate(result.next_steps, start=1):
            self.stdout.write(f"  {number}. {step}")
