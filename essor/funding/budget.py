"""The budget grids: Cerfa 12156 (request) and Cerfa 15059 (financial report) share one grid of
accounts. Charges and produits balance, in whole euros; account 74 has one line per funder."""

from dataclasses import dataclass
from decimal import Decimal

from essor.core.formats import round_half_up

CHARGE = "charge"
PRODUIT = "produit"


@dataclass(frozen=True)
class Account:
    code: str
    label: str
    side: str  # CHARGE or PRODUIT
    funder_line: bool = False  # a line of account 74 (one per funder)


CHARGES = (
    Account("60", "60 — Achats", CHARGE),
    Account("61", "61 — Services extérieurs", CHARGE),
    Account("62", "62 — Autres services extérieurs", CHARGE),
    Account("63", "63 — Impôts et taxes", CHARGE),
    Account("64", "64 — Charges de personnel", CHARGE),
    Account("65", "65 — Autres charges de gestion courante", CHARGE),
    Account("66", "66 — Charges financières", CHARGE),
    Account("67", "67 — Charges exceptionnelles", CHARGE),
    Account("68", "68 — Dotations aux amortissements", CHARGE),
    Account("86", "86 — Emplois des contributions volontaires en nature", CHARGE),
)

PRODUITS = (
    Account("70", "70 — Ventes de produits finis, prestations de services", PRODUIT),
    Account("73", "73 — Dotations et produits de tarification", PRODUIT),
    Account("74-etat", "74 — Subvention : État", PRODUIT, True),
    Account("74-region", "74 — Subvention : Région", PRODUIT, True),
    Account("74-departement", "74 — Subvention : Département", PRODUIT, True),
    Account("74-epci", "74 — Subvention : Intercommunalité (EPCI)", PRODUIT, True),
    Account("74-commune", "74 — Subvention : Commune", PRODUIT, True),
    Account("74-social", "74 — Subvention : Organismes sociaux", PRODUIT, True),
    Account("74-europe", "74 — Subvention : Fonds européens", PRODUIT, True),
    Account("74-asp", "74 — Subvention : ASP (emplois aidés)", PRODUIT, True),
    Account("74-autres-publics", "74 — Subvention : Autres établissements publics", PRODUIT, True),
    Account("74-prives", "74 — Aides privées", PRODUIT, True),
    Account("75", "75 — Autres produits de gestion courante (cotisations, dons)", PRODUIT),
    Account("76", "76 — Produits financiers", PRODUIT),
    Account("77", "77 — Produits exceptionnels", PRODUIT),
    Account("78", "78 — Reprises sur amortissements et provisions", PRODUIT),
    Account("79", "79 — Transferts de charges", PRODUIT),
    Account("87", "87 — Contributions volontaires en nature", PRODUIT),
)

ACCOUNTS = CHARGES + PRODUITS
BY_CODE = {account.code: account for account in ACCOUNTS}
CODE_CHOICES = [(account.code, account.label) for account in ACCOUNTS]

# Which account-74 line a funder's subsidy belongs to, from its INSEE legal category.
FUNDER_LINE_BY_LEGAL_CATEGORY = {
    "7230": "74-region",
    "7220": "74-departement",
    "7343": "74-epci",
    "7344": "74-epci",
    "7345": "74-epci",
    "7346": "74-epci",
    "7348": "74-epci",
    "7210": "74-commune",
}


def funder_line_code(legal_category: str) -> str:
    if legal_category.startswith("71"):
        return "74-etat"
    return FUNDER_LINE_BY_LEGAL_CATEGORY.get(legal_category, "74-autres-publics")


@dataclass
class Totals:
    charges: Decimal
    produits: Decimal

    @property
    def balanced(self) -> bool:
        return self.charges == self.produits

    @property
    def gap(self) -> Decimal:
        return self.produits - self.charges


def totals(amounts: dict[str, Decimal]) -> Totals:
    """Totals of a grid given as {code: amount} (missing codes count as zero)."""
    zero = Decimal(0)
    charges = sum((amounts.get(a.code) or zero for a in CHARGES), zero)
    produits = sum((amounts.get(a.code) or zero for a in PRODUITS), zero)
    return Totals(charges=charges, produits=produits)


def gap_percent(planned: Decimal | None, actual: Decimal | None) -> Decimal | None:
    """Cerfa 15059's « écart » in %: (réalisé − prévu) / prévu × 100, one decimal."""
    if not planned:
        return None
    return round_half_up((Decimal(actual or 0) - planned) * 100 / planned, 1)
