"""The funding demo: programmes of the three co-funders with envelopes, applications in every
state (some of the demo structure), instructor accounts; removed with the demo."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.http import HttpRequest

from essor.demo import registry
from essor.funding.models import Application, Envelope, Programme, Share, ShareStatus


@pytest.fixture
def only_funding(monkeypatch, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    step = registry._STEPS["funding"]
    monkeypatch.setattr(registry, "_STEPS", {"funding": step})


def test_the_demo_has_applications_in_every_state(only_funding):
    out = StringIO()
    call_command("load_demo", stdout=out, stderr=StringIO())
    states = set(Share.objects.values_list("status", flat=True))
    assert states == set(ShareStatus.values)
    assert "instructeur.region@demo.essor.fr" in out.getvalue()
    for envelope in Envelope.objects.all():
        assert envelope.granted <= envelope.amount


def test_the_demo_structure_sees_applications_in_several_states(only_funding, client):
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    assert client.login(
        request=HttpRequest(), email="admin.structure@demo.essor.fr", password="Essor-demo-2026"
    )
    mine = Share.objects.filter(
        application__organisation__memberships__user__email="admin.structure@demo.essor.fr"
    )
    assert mine.filter(status=ShareStatus.ACCEPTED).exists()
    assert mine.filter(status=ShareStatus.DRAFT).exists()
    assert client.get("/financements/mes-dossiers/").status_code == 200


def test_the_demo_is_replaced_without_duplicates(only_funding):
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    count = Application.objects.count()
    call_command("load_demo", "--remplacer", stdout=StringIO(), stderr=StringIO())
    assert Application.objects.count() == count
    assert Programme.objects.filter(is_demo=True).count() == 5
