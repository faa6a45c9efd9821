"""Pages of the third places: who sees what (every URL), booking and cancelling through the pages,
the calendars, constant queries, French messages."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from icalendar import Calendar

from essor.core.formats import long_date
from essor.core.models import AuditLogEntry
from essor.tierslieu import services
from essor.tierslieu.models import Booking, SolidarityGrant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(tl):
    booking = services.book(
        space=tl.room_b, starts_at=tl.at(2, 10), ends_at=tl.at(2, 11),
        actor=tl.alice.user, member=tl.alice,
    )  # fmt: skip
    invoice = services.issue_invoice(
        place=tl.place, actor=tl.manager, member=tl.alice,
        drafts=[services.LineDraft("Salle", Decimal(1), Decimal("20.00"))],
        buyer_name=tl.alice.billing_name, buyer_address=tl.alice.billing_address,
    )  # fmt: skip
    grant = SolidarityGrant.objects.create(
        member=tl.alice, profile="job_seeker",
        proof=SimpleUploadedFile("attestation.pdf", b"%PDF-1.4 preuve"),
    )  # fmt: skip
    return {"booking": booking, "invoice": invoice, "grant": grant}


def _urls(tl, objects):
    slug = tl.place.slug
    year = objects["invoice"].year
    return {
        "home": (reverse("tierslieu:home"), "public"),
        "place": (reverse("tierslieu:place", args=[slug]), "public"),
        "availability": (reverse("tierslieu:availability", args=[slug, tl.room_b.pk]), "public"),
        "space_ics": (reverse("tierslieu:space_calendar", args=[slug, tl.room_b.pk]), "public"),
        "mine": (reverse("tierslieu:mine"), "signed_in"),
        "solidarity": (reverse("tierslieu:solidarity_request", args=[slug]), "member"),
        "manage": (reverse("tierslieu:manage", args=[slug]), "manager"),
        "invoices": (reverse("tierslieu:invoices", args=[slug]), "manager"),
        "invoices_csv": (reverse("tierslieu:invoices_csv", args=[slug, year]), "manager"),
        "invoice_month": (reverse("tierslieu:invoice_month", args=[slug]), "manager"),
        "invoice": (reverse("tierslieu:invoice", args=[objects["invoice"].pk]), "owner"),
        "invoice_pdf": (reverse("tierslieu:invoice_pdf", args=[objects["invoice"].pk]), "owner"),
        "review_grant": (reverse("tierslieu:review_grant", args=[objects["grant"].pk]), "manager"),
        "grant_proof": (reverse("tierslieu:grant_proof", args=[objects["grant"].pk]), "manager"),
    }


# Who gets 200 for each audience; the others get 403 (signed in) or the login page (anonymous).
ALLOWED = {
    "public": {"anonymous", "stranger", "agency", "alice", "bruno", "manager"},
    "signed_in": {"stranger", "agency", "alice", "bruno", "manager"},
    "member": {"alice", "bruno"},
    "manager": {"manager"},
    "owner": {"alice", "manager"},
}


def _people(tl, world):
    return {
        "anonymous": None,
        "stranger": UserFactory(email="inconnu@example.org"),
        "agency": world.users["agency_staff"],
        "alice": tl.alice.user,
        "bruno": tl.bruno.user,
        "manager": tl.manager,
    }


@pytest.mark.parametrize("who", ["anonymous", "stranger", "agency", "alice", "bruno", "manager"])
def test_each_page_answers_only_those_who_may_see_it(client, tl, world, objects, who):
    person = _people(tl, world)[who]
    if person is not None:
        client.force_login(person)
    for name, (url, audience) in _urls(tl, objects).items():
        response = client.get(url)
        if who in ALLOWED[audience]:
            assert response.status_code == 200, (name, who, response.status_code)
        elif person is None:
            assert response.status_code == 302, (name, who)
            assert response["Location"].startswith(reverse("accounts:login")), name
        else:
            assert response.status_code == 403, (name, who, response.status_code)


def test_a_member_books_from_the_availability_page(client, tl):
    client.force_login(tl.alice.user)
    start, end = tl.at(3, 14), tl.at(3, 15)

    response = client.post(
        reverse("tierslieu:book", args=[tl.place.slug, tl.room_b.pk]),
        {"starts_at": f"{start:%Y-%m-%d %H:%M}", "ends_at": f"{end:%Y-%m-%d %H:%M}"},
    )

    assert response.status_code == 302
    assert Booking.objects.get().member == tl.alice


def test_a_taken_slot_sends_back_to_the_grid_with_a_french_message(client, tl, objects):
    client.force_login(tl.bruno.user)
    start, end = tl.at(2, 10), tl.at(2, 11)

    response = client.post(
        reverse("tierslieu:book", args=[tl.place.slug, tl.room_b.pk]),
        {"starts_at": f"{start:%Y-%m-%d %H:%M}", "ends_at": f"{end:%Y-%m-%d %H:%M}"},
        follow=True,
    )

    assert response.redirect_chain[0] == (
        reverse("tierslieu:availability", args=[tl.place.slug, tl.room_b.pk])
        + f"?mois={start:%Y-%m}",
        303,
    )
    assert "« Salle du Phare » est déjà réservé sur ce créneau." in response.content.decode()
    assert Booking.objects.count() == 1


def test_a_slot_off_the_grid_is_refused_on_the_field(client, tl):
    client.force_login(tl.bruno.user)
    start, end = tl.at(2, 10, 15), tl.at(2, 11)

    response = client.post(
        reverse("tierslieu:book", args=[tl.place.slug, tl.room_b.pk]),
        {"starts_at": f"{start:%Y-%m-%d %H:%M}", "ends_at": f"{end:%Y-%m-%d %H:%M}"},
    )

    assert response.status_code == 400
    assert "créneaux de 60 minutes" in response.content.decode()
    assert not Booking.objects.exists()


def test_someone_who_is_not_a_member_cannot_book(client, tl):
    client.force_login(UserFactory())

    response = client.post(
        reverse("tierslieu:book", args=[tl.place.slug, tl.room_b.pk]),
        {"starts_at": "2030-01-01 10:00", "ends_at": "2030-01-01 11:00"},
    )

    assert response.status_code == 403


def test_another_member_cannot_cancel_through_the_page(client, tl, objects):
    client.force_login(tl.bruno.user)

    response = client.post(reverse("tierslieu:cancel", args=[objects["booking"].pk]))

    assert response.status_code == 403
    assert Booking.objects.get().status == Booking.Status.CONFIRMED


def test_the_public_space_calendar_names_nobody(client, tl, objects):
    response = client.get(reverse("tierslieu:space_calendar", args=[tl.place.slug, tl.room_b.pk]))

    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(event["summary"]) for event in events] == ["Salle du Phare : réservé"]
    assert "Alice" not in response.content.decode()


def test_the_member_calendar_lists_their_bookings_by_its_secret_address(client, tl, objects):
    response = client.get(reverse("tierslieu:member_calendar", args=[tl.alice.calendar_token]))

    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["uid"]).startswith(str(objects["booking"].uid))


def test_the_availability_grid_shows_the_taken_slot(client, tl, objects):
    month = f"{tl.at(2, 10):%Y-%m}"

    response = client.get(
        reverse("tierslieu:availability", args=[tl.place.slug, tl.room_b.pk]), {"mois": month}
    )

    assert "10:00–11:00 : indisponible" in response.content.decode().replace("h", ":")


def test_the_availability_grid_reads_a_constant_number_of_queries(
    client, tl, django_assert_max_num_queries
):
    month = f"{tl.at(2, 10):%Y-%m}"
    url = reverse("tierslieu:availability", args=[tl.place.slug, tl.room_a.pk])
    client.get(url, {"mois": month})
    for day in range(2, 12):
        services.book(
            space=tl.room_a, starts_at=tl.at(day, 9), ends_at=tl.at(day, 10),
            actor=tl.manager, outsider_name=f"Client {day}",
        )  # fmt: skip

    with django_assert_max_num_queries(12):
        client.get(url, {"mois": month})


def test_a_manager_reading_a_member_invoice_is_logged(client, tl, objects):
    client.force_login(tl.manager)

    client.get(reverse("tierslieu:invoice", args=[objects["invoice"].pk]))

    assert AuditLogEntry.objects.filter(action="tierslieu.invoice.read").count() == 1


def test_the_invoice_pdf_is_factur_x(client, tl, objects):
    from facturx import get_xml_from_pdf

    client.force_login(tl.alice.user)

    response = client.get(reverse("tierslieu:invoice_pdf", args=[objects["invoice"].pk]))

    assert response["Content-Type"] == "application/pdf"
    _, xml = get_xml_from_pdf(response.content, check_xsd=False)
    assert objects["invoice"].number.encode() in xml


def test_the_accountant_csv_has_a_row_per_invoice(client, tl, objects):
    client.force_login(tl.manager)

    response = client.get(
        reverse("tierslieu:invoices_csv", args=[tl.place.slug, objects["invoice"].year])
    )

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Date;Numéro;Type")
    assert objects["invoice"].number in text


def test_a_manager_grants_the_solidarity_price_with_an_expiry(client, tl, objects):
    client.force_login(tl.manager)

    response = client.post(
        reverse("tierslieu:review_grant", args=[objects["grant"].pk]),
        {"decision": "grant", "valid_until": "2099-06-30"},
    )

    assert response.status_code == 302
    grant = SolidarityGrant.objects.get()
    assert (grant.status, str(grant.valid_until)) == ("granted", "2099-06-30")


def test_a_refusal_without_reason_is_refused_in_french(client, tl, objects):
    client.force_login(tl.manager)

    response = client.post(
        reverse("tierslieu:review_grant", args=[objects["grant"].pk]), {"decision": "refuse"}
    )

    assert response.status_code == 200
    assert "Indiquez le motif du refus." in response.content.decode()
    assert SolidarityGrant.objects.get().status == "submitted"


def test_a_new_booking_shows_on_the_cached_public_grid(client, tl, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    url = reverse("tierslieu:availability", args=[tl.place.slug, tl.room_b.pk])
    month = {"mois": f"{tl.at(2, 10):%Y-%m}"}
    day = f'<th scope="row">{long_date(tl.at(2, 10))}</th>'

    def row():
        page = client.get(url, month).content.decode()
        return page[page.index(day) : page.index("</tr>", page.index(day))]

    assert "10:00–11:00 : libre" in row()

    services.book(
        space=tl.room_b, starts_at=tl.at(2, 10), ends_at=tl.at(2, 11),
        actor=tl.alice.user, member=tl.alice,
    )  # fmt: skip

    assert "10:00–11:00 : indisponible" in row()
