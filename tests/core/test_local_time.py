"""Every date and time shown, exported, printed or e-mailed is the one of Europe/Paris: 23:30 UTC
on 5 December 2026 is 00:30 on 6 December in Paris, and reads « 6 décembre »."""

import datetime
import json
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from essor.core import audit
from essor.core.models import AuditLogEntry, Notification
from essor.foodlink.models import Consultation, Offer
from essor.funding.models import Note
from essor.insertion.models import Participant
from tests.foodlink.factories import ConsultationFactory, OfferFactory, make_buyer
from tests.funding.factories import ApplicationFactory, FunderProfileFactory
from tests.insertion.factories import AnnexFactory, make_siae, pathway

pytestmark = pytest.mark.django_db

LATE_EVENING_UTC = datetime.datetime(2026, 12, 5, 23, 30, tzinfo=datetime.UTC)


def test_a_page_shows_the_day_in_paris(client, world):
    user = world.users["organisation_member"]
    notification = Notification.objects.create(user=user, message="Nouvelle consultation")
    Notification.objects.filter(pk=notification.pk).update(created_at=LATE_EVENING_UTC)
    client.force_login(user)

    page = client.get(reverse("core:notifications")).content.decode()

    assert "6 décembre 2026" in page and "5 décembre 2026" not in page


def test_the_access_export_writes_paris_time_in_json_and_xlsx(client, world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae)
    Participant.objects.filter(pk=person.pk).update(anonymised_at=LATE_EVENING_UTC)
    client.force_login(world.users["organisation_admin"])
    url = reverse("insertion:participant_export", kwargs={"pk": person.pk})

    data = json.loads(client.get(url + "?format=json").content)
    workbook = load_workbook(BytesIO(client.get(url + "?format=xlsx").content))

    assert data["anonymise_le"] == "2026-12-06T00:30:00+01:00"
    values = dict(workbook["Fiche"].iter_rows(min_row=2, values_only=True))
    assert values["anonymise_le"] == datetime.datetime(2026, 12, 6, 0, 30)


def test_a_pdf_prints_the_day_in_paris(client, world, monkeypatch):
    printed = []

    class FakeHTML:
        def __init__(self, *, string, **options):
            printed.append(string)

        def write_pdf(self, **options):
            return b"%PDF-"

    monkeypatch.setattr("weasyprint.HTML", FakeHTML)
    consultation = ConsultationFactory(
        buyer=make_buyer(world.structure),
        status=Consultation.Status.ORDERED,
        awarded_at=LATE_EVENING_UTC,
        deadline=LATE_EVENING_UTC - datetime.timedelta(days=1),
    )
    offer = OfferFactory(
        consultation=consultation, status=Offer.Status.RETAINED, awarded_quantity=Decimal("50")
    )
    client.force_login(world.users["organisation_member"])

    client.get(reverse("foodlink:purchase_order", kwargs={"pk": offer.pk}))

    [html] = printed
    assert "attribuée le 6 décembre 2026" in html


def test_str_gives_the_day_and_time_in_paris(world):
    note = Note.objects.create(
        application=ApplicationFactory(),
        funder=FunderProfileFactory(organisation=world.funder),
        body="À revoir.",
    )
    Note.objects.filter(pk=note.pk).update(created_at=LATE_EVENING_UTC)
    audit.record(actor=None, action="demo.data.load", target=world.structure)
    AuditLogEntry.objects.update(created_at=LATE_EVENING_UTC)

    assert str(Note.objects.get()) == "Note du 6 décembre 2026"
    assert str(AuditLogEntry.objects.get()).startswith(
        "6 décembre 2026 à 00:30 Données de démonstration chargées"
    )
