"""Who opens which page of a third place: the public its availability, a member their bookings
and invoices, its managers (the administrators of its organisation) everything of their place;
the agency and the funders no one's bookings nor invoices."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from essor.tierslieu import services, services_creche
from essor.tierslieu.creche_models import CommissionSession, CrecheGrid, GridCriterion
from essor.tierslieu.models import Member, OpeningHours, Place, SolidarityGrant, Space
from tests.factories import siret_for
from tests.url_access import ANON_LOGIN, LOGGED_IN, PUBLIC, UrlCase

NOBODY_BUT = dict.fromkeys(PUBLIC, 403) | {"anonymous": ANON_LOGIN}
MANAGER = {**NOBODY_BUT, "organisation_admin": 200}
MEMBER = {**NOBODY_BUT, "organisation_member": 200}
OWNER_OR_MANAGER = {**NOBODY_BUT, "organisation_admin": 200, "organisation_member": 200}
POST_ONLY = {**dict.fromkeys(PUBLIC, 405), "anonymous": ANON_LOGIN}


def place_of(world):
    """The place of the structure (its admin manages it); the structure's member is a member."""
    if hasattr(world, "third_place"):
        return world.third_place
    place = Place.objects.create(
        organisation=world.structure,
        name="Work&Co",
        slug="work-and-co",
        seller_siret=siret_for(world.structure.siren),
        seller_address="5 rue du Port, 59140 Dunkerque",
    )
    OpeningHours.objects.create(
        place=place, weekday=0, opens_at=datetime.time(8), closes_at=datetime.time(18)
    )
    room = Space.objects.create(place=place, name="Salle", kind="meeting_room", hourly_price=20)
    member = Member.objects.create(
        place=place,
        user=world.users["organisation_member"],
        billing_name="Membre de la structure",
        billing_address="1 rue Faidherbe, 59140 Dunkerque",
        joined_on=datetime.date(2026, 1, 5),
    )
    day = timezone.localdate() + datetime.timedelta(days=7 - timezone.localdate().weekday())
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    world.third_place_booking = services.book(
        space=room, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
        actor=member.user, member=member,
    )  # fmt: skip
    world.third_place_invoice = services.issue_invoice(
        place=place, actor=world.users["organisation_admin"], member=member,
        drafts=[services.LineDraft("Salle", Decimal(1), Decimal("20.00"))],
        buyer_name=member.billing_name, buyer_address=member.billing_address,
    )  # fmt: skip
    world.third_place_grant = SolidarityGrant.objects.create(
        member=member, profile="job_seeker", proof=SimpleUploadedFile("preuve.pdf", b"%PDF-1.4")
    )
    place.creche_places = 10
    place.save()
    grid = CrecheGrid.objects.create(place=place, year=day.year + 1, published_at=timezone.now())
    GridCriterion.objects.create(grid=grid, key="commune", label="Habite la CUD", points=30)
    world.third_place_creche = services_creche.apply(
        place=place, applicant=member.user, child_birth_date=datetime.date(day.year, 1, 2),
        wanted_start=datetime.date(day.year + 1, 1, 4), criteria=["commune"],
        parent_looking_for_work=True,
    )  # fmt: skip
    world.third_place_session = CommissionSession.objects.create(
        place=place, held_on=day, places_babies=1
    )
    world.third_place_room = room
    world.third_place_member = member
    world.third_place = place
    return place


def _slug(world):
    return {"slug": place_of(world).slug}


def _space(world):
    return {"slug": place_of(world).slug, "pk": world.third_place_room.pk}


def _invoice(world):
    place_of(world)
    return {"pk": world.third_place_invoice.pk}


URL_ACCESS = [
    UrlCase("tierslieu:home", PUBLIC),
    UrlCase("tierslieu:place", PUBLIC, _slug),
    UrlCase("tierslieu:availability", PUBLIC, _space),
    UrlCase("tierslieu:space_calendar", PUBLIC, _space),
    UrlCase(
        "tierslieu:member_calendar",
        PUBLIC,
        lambda world: {"token": (place_of(world), world.third_place_member.calendar_token)[1]},
        note="L'adresse secrète du membre fait office de clé (les agendas ne se connectent pas).",
    ),
    UrlCase("tierslieu:mine", LOGGED_IN),
    UrlCase("tierslieu:solidarity_request", MEMBER, _slug),
    UrlCase("tierslieu:book", POST_ONLY, _space),
    UrlCase(
        "tierslieu:cancel",
        POST_ONLY,
        lambda world: {"pk": (place_of(world), world.third_place_booking.pk)[1]},
    ),
    UrlCase("tierslieu:manage", MANAGER, _slug),
    UrlCase("tierslieu:place_create", LOGGED_IN),
    UrlCase("tierslieu:place_settings", MANAGER, _slug),
    UrlCase("tierslieu:spaces", MANAGER, _slug),
    UrlCase("tierslieu:space_edit", MANAGER, _space),
    UrlCase("tierslieu:hours", MANAGER, _slug),
    UrlCase(
        "tierslieu:hours_remove",
        POST_ONLY,
        lambda world: {**_slug(world), "pk": world.third_place.opening_hours.get().pk},
    ),
    UrlCase("tierslieu:plans", MANAGER, _slug),
    UrlCase("tierslieu:member_add", MANAGER, _slug),
    UrlCase(
        "tierslieu:member",
        MANAGER,
        lambda world: {**_slug(world), "pk": world.third_place_member.pk},
    ),
    UrlCase(
        "tierslieu:check_in",
        POST_ONLY,
        lambda world: {**_slug(world), "pk": world.third_place_member.pk},
    ),
    UrlCase("tierslieu:creche", PUBLIC, _slug),
    UrlCase("tierslieu:creche_apply", LOGGED_IN, _slug),
    UrlCase("tierslieu:creche_manage", MANAGER, _slug),
    UrlCase(
        "tierslieu:creche_grid",
        MANAGER,
        lambda world: {**_slug(world), "year": timezone.localdate().year + 1},
    ),
    UrlCase("tierslieu:cafe", MANAGER, _slug),
    UrlCase(
        "tierslieu:creche_application",
        OWNER_OR_MANAGER,
        lambda world: {"pk": (place_of(world), world.third_place_creche.pk)[1]},
        note="La famille (ici le membre de la structure) et les gestionnaires du lieu.",
    ),
    UrlCase(
        "tierslieu:creche_withdraw",
        POST_ONLY,
        lambda world: {"pk": (place_of(world), world.third_place_creche.pk)[1]},
    ),
    UrlCase(
        "tierslieu:creche_answer",
        POST_ONLY,
        lambda world: {"pk": (place_of(world), world.third_place_creche.pk)[1]},
    ),
    UrlCase(
        "tierslieu:commission",
        MANAGER,
        lambda world: {"pk": (place_of(world), world.third_place_session.pk)[1]},
        note="Et les membres de la commission (tests/tierslieu/test_creche.py).",
    ),
    UrlCase(
        "tierslieu:commission_offer",
        POST_ONLY,
        lambda world: {"pk": (place_of(world), world.third_place_session.pk)[1]},
    ),
    UrlCase("tierslieu:invoices", MANAGER, _slug),
    UrlCase(
        "tierslieu:invoices_csv",
        MANAGER,
        lambda world: {**_slug(world), "year": world.third_place_invoice.year},
    ),
    UrlCase("tierslieu:invoice_month", MANAGER, _slug),
    UrlCase("tierslieu:invoice", OWNER_OR_MANAGER, _invoice),
    UrlCase("tierslieu:invoice_pdf", OWNER_OR_MANAGER, _invoice),
    UrlCase("tierslieu:credit_note", POST_ONLY, _invoice),
    UrlCase("tierslieu:payment", POST_ONLY, _invoice),
    UrlCase(
        "tierslieu:review_grant",
        MANAGER,
        lambda world: {"pk": (place_of(world), world.third_place_grant.pk)[1]},
    ),
    UrlCase(
        "tierslieu:grant_proof",
        MANAGER,
        lambda world: {"pk": (place_of(world), world.third_place_grant.pk)[1]},
    ),
]
