"""What a transition of a state machine means to people (see `core.workflow`).

Kept apart from the engine, which reads the audit log: `core.models` declares its own machines'
steps without importing the engine.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Step:
    """What a transition means to people: see `step`."""

    action: str
    label: str
    done: str
    reason: bool = False
    system: bool = False


def step(action: str, label: str, done: str, *, reason: bool = False, system: bool = False):
    """The `custom` of a transition: `action` is its audit code (`module.object.verb`), `label` the
    button (« Mettre en instruction »), `done` the journal's label (« Dossier mis en
    instruction »), `reason` whether a reason must be given, `system` whether Essor alone performs
    it (then it has no `permission`)."""
    return {"step": Step(action=action, label=label, done=done, reason=reason, system=system)}
