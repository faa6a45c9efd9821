from django.core.management.base import BaseCommand

from essor.core.formats import counted
from essor.tierslieu import services_creche


class Command(BaseCommand):
    help = (
        "Efface les données personnelles des dossiers de crèche clos depuis plus que la durée de "
        "conservation de leur lieu (à lancer chaque jour) ; les chiffres anonymes restent."
    )

    def handle(self, *args, **options):
        erased = services_creche.erase_closed_files()
        self.stdout.write(
            f"{counted(erased, 'dossier de crèche effacé', 'dossiers de crèche effacés')}."
        )
