"""The journal speaks French: action labels and French values, never codes or Python reprs."""

import datetime
import html as html_module
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from essor.core import audit
from essor.directory.selectors_backoffice import PAGE_SIZE

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return html_module.unescape(re.sub(r"<[^>]+>", " ", main))


def test_the_journal_shows_every_action_by_its_label_and_values_in_french(agency_client, world):
    codes = sorted(audit.registered_actions())
    for code in codes:
        audit.record(
            actor=None,
            action=code,
            target=world.structure,
            changes={
                "statut": [None, True],
                "montant": [Decimal("1234.50"), "1234.5"],
                "date": [datetime.date(2026, 12, 6), "2026-12-06"],
                "publiée": False,
            },
        )

    pages = -(-len(codes) // PAGE_SIZE)
    text = " ".join(
        _text(agency_client.get(reverse("directory:audit_log") + f"?page={page}"))
        for page in range(1, pages + 1)
    )

    assert [code for code in codes if code in text] == []
    assert [code for code in codes if audit.action_label(code) not in text] == []
    assert not re.search(r"\b(None|True|False)\b", text)
    assert "6 décembre 2026" in text and "Oui" in text and "Non" in text


def test_the_journal_s_action_filter_lists_labels(agency_client, world):
    audit.record(actor=None, action="directory.organisation.update", target=world.structure)

    html = agency_client.get(reverse("directory:audit_log")).content.decode()

    assert ">Fiche modifiée</option>" in html
    assert ">directory.organisation.update</option>" not in html
