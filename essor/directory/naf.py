"""NAF rév. 2 labels (INSEE's activity nomenclature), from the npm package `@socialgouv/codes-naf`
installed by the set-up command at the version pinned in package.json: read once per process.

The directory stores a code as SIRENE gives it, with its dot (« 88.99B »); a code typed without
it (« 8899B ») is found too. The package lists every level: sections aside, divisions (« 88 »),
groups (« 88.9 »), classes (« 88.99 ») and sub-classes (« 88.99B », the level of a structure's
activity)."""

import functools
import re

from essor.core import npm_data

NAF_PACKAGE = "@socialgouv/codes-naf"
SUBCLASS_LENGTH = 6  # « 88.99B »
_WITHOUT_DOT = re.compile(r"^(\d{2})(\d{1,2}[A-Z]?)$")


@functools.cache
def naf_labels() -> dict[str, str]:
    """{code: label} for every level of the nomenclature, codes as the directory stores them."""
    return {entry["id"]: entry["label"] for entry in npm_data.read_json(NAF_PACKAGE, "index.json")}


def normalise(code: str) -> str:
    """« 8899b », « 88.99B » → « 88.99B »."""
    code = (code or "").strip().upper()
    if match := _WITHOUT_DOT.match(code):
        return f"{match[1]}.{match[2]}"
    return code


def naf_label(code: str) -> str:
    """The label of a NAF rév. 2 code, or "" (no code, or a code of another nomenclature)."""
    return naf_labels().get(normalise(code), "")


@functools.cache
def naf_divisions() -> tuple[tuple[str, str], ...]:
    """(code, label) of the 88 divisions, the level offered by the directory's filter."""
    return tuple((code, label) for code, label in naf_labels().items() if len(code) == 2)


def naf_subclasses(code: str) -> list[str]:
    """The sub-classes a code covers (a division, group or class: those it begins; a sub-class:
    itself), to filter on the stored codes by equality (an index serves it on every engine)."""
    code = normalise(code)
    if code not in naf_labels():
        return []
    return [subclass for subclass in _subclasses() if subclass.startswith(code)]


@functools.cache
def _subclasses() -> tuple[str, ...]:
    return tuple(code for code in naf_labels() if len(code) == SUBCLASS_LENGTH)
