"""The audit codes of the territory module and their French labels (the journal shows the labels)."""

from essor.core import audit

audit.register_actions(
    {
        "territory.territory.set_communes": "Communes du territoire modifiées",
    }
)
