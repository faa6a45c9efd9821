"""The audit codes of the demo data and their French labels."""

from essor.core import audit

audit.register_actions({"demo.data.load": "Données de démonstration chargées"})
