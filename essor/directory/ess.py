"""ESS family from the INSEE legal category, the declared cooperative status and ESUS approval.

Rules from STANDARDS.md (loi n° 2014-856 du 31 juillet 2014, article 1). SIRENE's own ESS flag is
kept as one more signal beside these, never as the only one.
"""

import csv
import datetime
from functools import cache
from pathlib import Path

from essor.directory.models import CooperativeStatus, EssFamily

ASSOCIATION_CODES = frozenset({"9210", "9220", "9221", "9222", "9223", "9230", "9260"})
FOUNDATION_CODES = frozenset({"9300"})
MUTUAL_CODES = frozenset({"8210", "8250", "8290", "6411"})
COOPERATIVE_CODES = frozenset(
    {
        # SCOP, other cooperatives, unions of cooperatives
        "5458", "5558", "5658", "5460", "5560", "5660", "6560", "5459", "5559", "5659",
        # consumer, retail, craft, maritime, transport, construction, HLM cooperatives
        "5451", "5551", "5651", "6551", "5452", "5552", "5652", "5453", "5553", "5653",
        "5454", "5554", "5654", "6554", "5455", "5555", "5655", "5443", "5543", "5643",
        "6543", "5547", "5647", "6558",
        # agricultural cooperatives (CUMA…), cooperative banks
        "6316", "6317", "6318", "5191", "5192", "5193", "5194", "5195", "5196",
        # partnerships with a cooperative form
        "5203", "5307", "5309",
    }
)  # fmt: skip

ESS_LEGAL_CATEGORIES = ASSOCIATION_CODES | FOUNDATION_CODES | MUTUAL_CODES | COOPERATIVE_CODES

LEGAL_CATEGORIES_FILE = Path(__file__).parent / "data" / "insee-categories-juridiques.tsv"


@cache
def legal_category_labels() -> dict[str, str]:
    with LEGAL_CATEGORIES_FILE.open(encoding="utf-8") as handle:
        return {
            row[0]: row[1].strip() for row in csv.reader(handle, delimiter="\t") if len(row) >= 2
        }


def legal_category_label(code: str) -> str:
    return legal_category_labels().get(code or "", "")


def family_from_legal_category(code: str) -> str:
    if code in ASSOCIATION_CODES:
        return EssFamily.ASSOCIATION
    if code in FOUNDATION_CODES:
        return EssFamily.FOUNDATION
    if code in MUTUAL_CODES:
        return EssFamily.MUTUAL
    if code in COOPERATIVE_CODES:
        return EssFamily.COOPERATIVE
    return ""


def esus_is_valid(esus_start, esus_end, on: datetime.date | None = None) -> bool:
    on = on or datetime.date.today()
    return bool(esus_start and esus_start <= on and (esus_end is None or on <= esus_end))


def derive_family(
    *,
    legal_category: str,
    cooperative_status: str = "",
    has_ess_statutes: bool = False,
    esus_start=None,
    esus_end=None,
    sirene_ess_flag: str = "",
    on: datetime.date | None = None,
) -> str:
    """The ESS family, or "" when the organisation is not part of the ESS."""
    family = family_from_legal_category(legal_category)
    if family:
        return family
    # SCIC and CAE have no legal category of their own: the declared status makes them cooperatives.
    if cooperative_status and cooperative_status != CooperativeStatus.NONE:
        return EssFamily.COOPERATIVE
    if has_ess_statutes or esus_is_valid(esus_start, esus_end, on) or sirene_ess_flag == "O":
        return EssFamily.COMPANY
    return ""


def apply_family(organisation) -> None:
    """Set `ess_family` and `is_ess` on an organisation from its facts (no save)."""
    organisation.ess_family = derive_family(
        legal_category=organisation.legal_category,
        cooperative_status=organisation.cooperative_status,
        has_ess_statutes=organisation.has_ess_statutes,
        esus_start=organisation.esus_start,
        esus_end=organisation.esus_end,
        sirene_ess_flag=organisation.sirene_ess_flag,
    )
    organisation.is_ess = bool(organisation.ess_family)
