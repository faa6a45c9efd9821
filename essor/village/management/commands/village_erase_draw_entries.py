from django.core.management.base import BaseCommand

from essor.core.formats import counted, plural
from essor.village import services


class Command(BaseCommand):
    help = (
        "Efface les prénoms et coordonnées des participants au tirage du Village des solidarités "
        "une fois passé le délai de conservation (ESSOR_VILLAGE_DRAW_KEEP_DAYS, à lancer chaque jour)."
    )

    def handle(self, *args, **options):
        erased = services.erase_draw_entries()
        self.stdout.write(
            f"{counted(erased, 'participation')} au tirage {plural(erased, 'effacée')}."
        )
