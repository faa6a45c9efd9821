"""The funding demo: programmes of the three co-funders with envelopes, applications in every
state (some of the demo structure), instructor accounts; removed with the demo."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.http import HttpRequest
from django.urls import reverse

from essor.accounts.models import User
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


def test_the_demo_structures_applications_have_its_admin_as_author(only_funding):
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    admin = User.objects.get(email="admin.structure@demo.essor.fr")
    mine = Application.objects.filter(organisation__memberships__user=admin)

    assert mine.exists()
    assert set(mine.values_list("created_by", flat=True)) == {admin.pk}


def test_the_demo_structures_admin_corrects_and_deposits_again_an_application_sent_back(
    only_funding, client
):
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    admin = User.objects.get(email="admin.structure@demo.essor.fr")
    application = (
        Application.objects.filter(
            organisation__memberships__user=admin, shares__status=ShareStatus.CORRECTION
        )
        .distinct()
        .get()
    )
    client.force_login(admin)
    edit = reverse("funding:application_edit", args=[application.pk])
    form = client.get(edit).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["beneficiaries"] = "Les habitants du Courghain, public précisé."

    assert client.post(edit, data).status_code == 302
    response = client.post(
        reverse("funding:application_submit", args=[application.pk]),
        {"declarant_name": "Direction de la structure", "certify": "on", "obligations": "on"},
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.beneficiaries == "Les habitants du Courghain, public précisé."
    assert set(application.shares.values_list("status", flat=True)) == {ShareStatus.SUBMITTED}
    assert application.created_by == admin
