"""The audit codes and their French labels (the journal shows the labels, never the codes).

Codes follow one grammar, `module.object.verb` (`funding.share.accept`). A module declares its
codes in its `audit_actions.py` (`core.apps` finds them); the workflow engine declares every
transition's code. `audit.record` refuses a code that is not declared here.
"""

import re

ACTION_GRAMMAR = re.compile(r"^[a-z]+\.[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*$")

_LABELS: dict[str, str] = {}


def register_actions(labels: dict[str, str]) -> None:
    """Declares audit codes and their French labels."""
    for code, label in labels.items():
        if not ACTION_GRAMMAR.match(code):
            raise ValueError(f"Code d'action « {code} » hors de la grammaire module.objet.verbe.")
        known = _LABELS.get(code)
        if known is not None and known != label:
            raise ValueError(f"Code d'action « {code} » déclaré deux fois : {known!r} / {label!r}.")
        _LABELS[code] = label


def is_registered(code: str) -> bool:
    return code in _LABELS


def action_label(code: str) -> str:
    return _LABELS.get(code, code)


def registered_actions() -> dict[str, str]:
    return dict(_LABELS)
