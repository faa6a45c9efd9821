"""Demo data of the observatory: the CUD's yearly targets for the priority sectors (the figures
themselves come from the other modules' demo data, through the indicator registry)."""

from essor.observatory.models import Measure, SectorTarget


def load_demo(ctx) -> str:
    priority = [sector for sector in ctx.sectors if sector.is_priority]
    this_year = ctx.today.year
    targets = []
    for year in range(this_year - 4, this_year + 1):
        growth = year - (this_year - 4)
        for sector in priority:
            targets.append(
                SectorTarget(
                    year=year,
                    sector=sector,
                    measure=Measure.NEW_HOLDERS,
                    target=10 + 3 * growth + ctx.rng.randint(0, 4),
                    is_demo=True,
                    note="Objectif de la délibération ESS de la CUD (démonstration)",
                )
            )
            targets.append(
                SectorTarget(
                    year=year,
                    sector=sector,
                    measure=Measure.CREATIONS,
                    target=2 + growth + ctx.rng.randint(0, 2),
                    is_demo=True,
                )
            )
    SectorTarget.objects.bulk_create(targets)
    return f"{len(targets)} objectifs sectoriels de la CUD ({len(priority)} secteurs prioritaires)"


def remove_demo() -> None:
    SectorTarget.objects.filter(is_demo=True).delete()
