"""ma-cantine's EGalim rule, in one place: the group a purchase counts in (its highest label), and
the totals of the yearly « bilan simple » each purchase counts in.

Read from betagouv/ma-cantine (main checked 2026-06-30), `data/models/purchase.py`:
`PurchaseQuerySet.aggregated_stats` and `Purchase.canteen_summary_for_year`, the rule ma-cantine
applies when it fills a bilan from a canteen's purchases. The columns are those of
`reference/macantine-bilans-simple-siret.schema.json`. Characteristics are ma-cantine's codes;
Essor keeps origin, short chain and local in their own fields (`Purchase.origin`,
`is_short_chain`, `is_local`), which ma-cantine's purchase import turns into the
characteristics FRANCE/EUROPE, CIRCUIT_COURT and LOCAL.
"""

from decimal import Decimal

from essor.core.formats import round_half_up
from essor.foodlink.models import EgalimGroup, Family

BIO = "BIO"
SIQO = frozenset({"LABEL_ROUGE", "AOCAOP", "IGP", "STG"})
OTHER_EGALIM = frozenset({"HVE", "PECHE_DURABLE", "RUP", "FERMIER", "COMMERCE_EQUITABLE"})
EXTERNALITIES = frozenset({"EXTERNALITES", "PERFORMANCE"})
FAIR_TRADE = "COMMERCE_EQUITABLE"
FRANCE = "FRANCE"


def egalim_group(characteristics) -> str:
    """The purchase's highest EGalim group: it counts once, there (bio › SIQO › other EGalim ›
    externalités/performance), as in ma-cantine's `aggregated_stats`."""
    codes = set(characteristics)
    if BIO in codes:
        return EgalimGroup.BIO
    if codes & SIQO:
        return EgalimGroup.SIQO
    if codes & OTHER_EGALIM:
        return EgalimGroup.OTHER
    if codes & EXTERNALITIES:
        return EgalimGroup.EXTERNALITIES
    return EgalimGroup.NONE


# The schema's columns, in its order (ma-cantine checks the header's names and order).
BILAN_COLUMNS = (
    "siret",
    "année_bilan",
    "valeur_totale",
    "valeur_bio",
    "valeur_bio_dont_commerce_equitable",
    "valeur_siqo",
    "valeur_externalites_performance",
    "valeur_egalim_autres",
    "valeur_egalim_autres_dont_commerce_equitable",
    "valeur_viandes_volailles",
    "valeur_viandes_volailles_egalim",
    "valeur_viandes_volailles_france",
    "valeur_produits_de_la_mer",
    "valeur_produits_de_la_mer_egalim",
    "valeur_produits_de_la_mer_france",
    "valeur_fruits_et_legumes_france",
    "valeur_charcuterie_france",
    "valeur_produits_laitiers_france",
    "valeur_boulangerie_france",
    "valeur_boissons_france",
    "valeur_autres_france",
)
BILAN_AMOUNTS = BILAN_COLUMNS[2:]

_GROUP_TOTAL = {
    EgalimGroup.BIO: "valeur_bio",
    EgalimGroup.SIQO: "valeur_siqo",  # « hors bio »: a bio purchase is counted as bio only
    EgalimGroup.OTHER: "valeur_egalim_autres",
    EgalimGroup.EXTERNALITIES: "valeur_externalites_performance",
}
# Fair trade is also counted apart, inside the group the purchase counts in (bio or other
# EGalim); a SIQO purchase with fair trade is in neither « dont » column.
_FAIR_TRADE_TOTAL = {
    EgalimGroup.BIO: "valeur_bio_dont_commerce_equitable",
    EgalimGroup.OTHER: "valeur_egalim_autres_dont_commerce_equitable",
}
# Only these two families have their total and their EGalim part in the simple bilan.
_FAMILIES_WITH_TOTALS = {Family.VIANDES_VOLAILLES, Family.PRODUITS_DE_LA_MER}
# In 2025 only, ma-cantine counts a short-chain or local purchase as « Origine France »
# (`_complete_diag_appro_labels_origine_circuit_court_local_2025`)… except meat and poultry,
# whose France total is then recomputed from the FRANCE characteristic alone (`_misc_totals`
# overwrites it, every year).
_YEARS_SHORT_CHAIN_AND_LOCAL_ARE_FRANCE = {2025}


def _counts_as_france(*, family: str, origin: str, is_short_chain: bool, is_local: bool, year: int):
    if origin == FRANCE:
        return True
    return (
        year in _YEARS_SHORT_CHAIN_AND_LOCAL_ARE_FRANCE
        and family != Family.VIANDES_VOLAILLES
        and (is_short_chain or is_local)
    )


def bilan_totals(
    *,
    family: str,
    group: str,
    fair_trade: bool,
    origin: str,
    is_short_chain: bool,
    is_local: bool,
    year: int,
) -> list[str]:
    """The bilan columns a purchase's price (HT) is added to: `group` is its EGalim group
    (`egalim_group`), `fair_trade` whether COMMERCE_EQUITABLE is among its characteristics."""
    totals = ["valeur_totale"]
    if group in _GROUP_TOTAL:
        totals.append(_GROUP_TOTAL[group])
        if group in _FAIR_TRADE_TOTAL and fair_trade:
            totals.append(_FAIR_TRADE_TOTAL[group])
    prefix = f"valeur_{family.lower()}"
    if family in _FAMILIES_WITH_TOTALS:
        totals.append(prefix)
        if group != EgalimGroup.NONE:
            totals.append(f"{prefix}_egalim")
    if _counts_as_france(
        family=family,
        origin=origin,
        is_short_chain=is_short_chain,
        is_local=is_local,
        year=year,
    ):
        totals.append(f"{prefix}_france")
    return totals


def bilan_amounts(rows, *, year: int) -> dict[str, Decimal]:
    """Every amount of the bilan, in euros HT to the cent, from rows of
    (family, group, fair_trade, origin, is_short_chain, is_local, amount): each row's amount
    (a sum of prices, already to the cent) is added to the totals it counts in."""
    amounts = dict.fromkeys(BILAN_AMOUNTS, Decimal("0.00"))
    for family, group, fair_trade, origin, is_short_chain, is_local, amount in rows:
        # A sum read from SQLite went through a float: back to the cent before it is added.
        amount = round_half_up(amount, 2)
        for column in bilan_totals(
            family=family,
            group=group,
            fair_trade=bool(fair_trade),
            origin=origin,
            is_short_chain=is_short_chain,
            is_local=is_local,
            year=year,
        ):
            amounts[column] += amount
    return amounts
