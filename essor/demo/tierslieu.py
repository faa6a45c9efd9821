"""Demo data of the third places: Work&Co in Dunkerque, replayed through the module's services.

A hall holding four meeting rooms, six private offices rented by the month, a coworking floor of
twenty desks; 60 members (some at solidarity prices, on a proof the manager reviewed); a year of
bookings recorded day by day and of monthly invoices (one cancelled by a credit note), most of
them paid; the next month's bookings; a solidarity crèche of 11 places with its published grid,
40 applications and two commissions; the suspended-coffee counter and two fair-trade suppliers.

The manager's account is `tierslieu@demo.essor.fr`, a member's `coworker@demo.essor.fr`.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from stdnum.fr import tva

from essor.accounts.models import Role
from essor.demo.accounts import DEMO_EMAIL_DOMAIN
from essor.demo.identifiers import siret
from essor.demo.support import FIRST_NAMES, LAST_NAMES
from essor.directory.models import Establishment, Organisation
from essor.tierslieu import services, services_creche
from essor.tierslieu.creche_models import (
    CafeEntry,
    CafeTally,
    CommissionSession,
    CrecheApplication,
    CrecheGrid,
    FairTradeSupplier,
    GridCriterion,
    Offer,
)
from essor.tierslieu.models import (
    Booking,
    CheckIn,
    Closure,
    Invoice,
    InvoiceLine,
    InvoicePayment,
    InvoiceSequence,
    Member,
    OpeningHours,
    Place,
    Plan,
    PlanKind,
    SolidarityGrant,
    Space,
    SpaceKind,
    Subscription,
)

PLACE_SLUG = "work-and-co"
ROOMS = [
    ("Salle Jean Bart", "25.00", "12.50"),
    ("Salle du Phare", "20.00", "10.00"),
    ("Salle des Dunes", "20.00", "10.00"),
    ("Salle du Beffroi", "30.00", "15.00"),
]
CRITERIA = [
    ("cud", "Famille habitant une commune de la Communauté urbaine de Dunkerque", 30),
    ("emploi", "Parent en recherche d'emploi ou en parcours d'insertion", 25),
    ("monoparentale", "Famille monoparentale", 20),
    ("qpv", "Famille habitant un quartier prioritaire", 15),
    ("fratrie", "Frère ou sœur déjà accueilli à la crèche", 10),
    ("coworker", "Parent membre de Work&Co", 5),
]


def _organisation(ctx) -> Organisation:
    """The association of the directory's demo that runs Work&Co (the directory keeps its 300
    structures: the place is one of them, not a new one)."""
    reserved = {organisation.pk for organisation in ctx.organisations.values()}
    candidates = sorted(
        (
            o
            for o in ctx.structures
            if o.is_active and o.legal_category == "9220" and o.pk not in reserved
        ),
        key=lambda o: o.siren,
    )
    return candidates[0]


def _head_office_siret(organisation) -> str:
    head_office = Establishment.objects.filter(
        organisation=organisation, is_head_office=True, siret__isnull=False
    ).first()
    return head_office.siret if head_office else siret(organisation.siren, 1)


def _vat_number(siren: str) -> str:
    """The French intra-EU VAT number of a SIREN (its key, checked by python-stdnum)."""
    return tva.validate(f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}")


def _place(organisation, ctx) -> Place:
    place = Place.objects.create(
        organisation=organisation,
        name="Work&Co",
        slug=PLACE_SLUG,
        commune=next(c for c in ctx.communes if c.insee_code == "59183"),
        address="38 rue du Jeu de Paume, 59140 Dunkerque",
        presentation="Un tiers-lieu au cœur de Dunkerque : postes de travail et bureaux, salles "
        "de réunion, une micro-crèche solidaire ouverte aux habitants et un café où l'on peut "
        "laisser un café suspendu.",
        seller_siret=_head_office_siret(organisation),
        seller_address="38 rue du Jeu de Paume, 59140 Dunkerque",
        seller_vat_number=_vat_number(organisation.siren),
        creche_places=11,
    )
    for weekday in range(5):
        OpeningHours.objects.create(
            place=place, weekday=weekday, opens_at=datetime.time(8), closes_at=datetime.time(19)
        )
    OpeningHours.objects.create(
        place=place, weekday=5, opens_at=datetime.time(9), closes_at=datetime.time(13)
    )
    year = ctx.today.year
    Closure.objects.create(
        place=place,
        starts_on=datetime.date(year - 1, 12, 24),
        ends_on=datetime.date(year, 1, 1),
        reason="Fêtes de fin d'année",
    )
    Closure.objects.create(
        place=place,
        starts_on=datetime.date(year, 8, 10),
        ends_on=datetime.date(year, 8, 16),
        reason="Fermeture d'été",
    )
    Closure.objects.create(
        place=place,
        starts_on=datetime.date(year, 12, 24),
        ends_on=datetime.date(year + 1, 1, 1),
        reason="Fêtes de fin d'année",
    )
    return place


def _spaces(place):
    hall = Space.objects.create(
        place=place,
        name="La Halle",
        kind=SpaceKind.HALL,
        hourly_price=Decimal("90.00"),
        solidarity_hourly_price=Decimal("45.00"),
        description="Le plateau événementiel, qui peut se diviser en quatre salles.",
    )
    rooms = [
        Space.objects.create(
            place=place,
            parent=hall,
            name=name,
            kind=SpaceKind.MEETING_ROOM,
            slot_minutes=30,
            hourly_price=Decimal(price),
            solidarity_hourly_price=Decimal(solidarity),
        )
        for name, price, solidarity in ROOMS
    ]
    offices = [
        Space.objects.create(
            place=place, name=f"Bureau {number}", kind=SpaceKind.OFFICE, is_bookable=False
        )
        for number in range(1, 7)
    ]
    desks = Space.objects.create(
        place=place,
        name="Plateau de coworking",
        kind=SpaceKind.HOT_DESKS,
        capacity=20,
        slot_minutes=60,
        hourly_price=Decimal("3.00"),
        solidarity_hourly_price=Decimal("1.50"),
    )
    return hall, rooms, offices, desks


def _plans(place, offices):
    day = Plan.objects.create(
        place=place, name="Journée", kind=PlanKind.DAY_PASS, price=Decimal("15.00"),
        solidarity_price=Decimal("8.00"),
    )  # fmt: skip
    card = Plan.objects.create(
        place=place, name="Carte 10 passages", kind=PlanKind.VISIT_CARD, price=Decimal("120.00"),
        solidarity_price=Decimal("70.00"), visits=10,
    )  # fmt: skip
    desk = Plan.objects.create(
        place=place, name="Poste nomade au mois", kind=PlanKind.MONTHLY_DESK,
        price=Decimal("180.00"), solidarity_price=Decimal("110.00"), included_meeting_minutes=240,
    )  # fmt: skip
    office_plans = [
        Plan.objects.create(
            place=place,
            name=f"{office.name} au mois",
            kind=PlanKind.MONTHLY_OFFICE,
            price=Decimal("450.00"),
            solidarity_price=Decimal("300.00"),
            included_meeting_minutes=600,
            space=office,
        )
        for office in offices
    ]
    return day, card, desk, office_plans


def _members(ctx, place, manager):
    User = get_user_model()
    coworker = ctx.demo_user("coworker", "Camille Coworker (Work&Co, démo)")
    ctx.accounts[:] = [
        (email, "Membre du tiers-lieu Work&Co" if email == coworker.email else text, full_name)
        for email, text, full_name in ctx.accounts
    ]
    names = sorted({f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES})
    ctx.rng.shuffle(names)
    structures = [o for o in ctx.structures if o.is_active][:15]
    members = [
        services.add_member(
            place=place, actor=manager, user=coworker, billing_name="Camille Coworker",
            billing_address="4 place Jean Bart, 59140 Dunkerque",
            joined_on=ctx.today - datetime.timedelta(days=400),
        )
    ]  # fmt: skip
    for index, name in enumerate(names[:59]):
        user = User.objects.create_user(
            f"membre.workandco.{index + 1}@{DEMO_EMAIL_DOMAIN}", None, full_name=name
        )
        organisation = structures[index] if index < len(structures) else None
        members.append(
            services.add_member(
                place=place,
                actor=manager,
                user=user,
                billing_name=organisation.name if organisation else name,
                billing_address=f"{10 + index} rue de l'Amiral Ronarc'h, 59140 Dunkerque",
                billing_siret=siret(organisation.siren, 1) if organisation else "",
                organisation=organisation,
                joined_on=ctx.today - datetime.timedelta(days=30 + 7 * index),
            )
        )
    return members


def _grants(ctx, members, manager) -> int:
    profiles = ["job_seeker", "qpv_resident", "ess_structure"]
    granted = 0
    for index, member in enumerate(members[:14]):
        profile = "ess_structure" if member.organisation_id else profiles[index % 2]
        grant = services.request_solidarity_price(
            member=member,
            actor=member.user,
            profile=profile,
            proof=ContentFile(b"%PDF-1.4 justificatif de demonstration", name="justificatif.pdf"),
        )
        if index < 11:
            services.grant_solidarity_price(
                grant=grant, actor=manager, valid_until=ctx.today + datetime.timedelta(days=200)
            )
            granted += 1
        elif index == 11:
            services.refuse_solidarity_price(
                grant=grant, actor=manager, reason="Le justificatif date de plus de trois mois."
            )
    return granted


def _months(today: datetime.date) -> list[datetime.date]:
    """The first days of the twelve months before this one, oldest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(12):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(datetime.date(year, month, 1))
    return list(reversed(months))


def _book(space, start, end, actor, member=None, outsider=""):
    try:
        return services.book(
            space=space,
            starts_at=start,
            ends_at=end,
            actor=actor,
            member=member,
            outsider_name=outsider,
            record_past=start <= timezone.now(),
        )
    except ValidationError:
        return None  # the slot was taken: people pick another one


def _moment(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _year_of_use(ctx, place, rooms, hall, desks, plans, members, manager) -> dict:
    rng = ctx.rng
    _, card_plan, desk_plan, office_plans = plans
    counts = {"bookings": 0, "invoices": 0, "check_ins": 0}
    months = _months(ctx.today)
    office_holders = members[1:7]
    desk_holders = [members[0], *members[7:26]]
    card_holders = members[26:41]
    outsiders = ["Association Les Amis du Port", "Compagnie du Rivage", "Collectif Dunes Vivantes"]
    for first in months:
        for plan, member in zip(office_plans, office_holders, strict=True):
            services.subscribe(member=member, plan=plan, actor=manager, starts_on=first)
        for member in desk_holders:
            if rng.random() < 0.9:
                services.subscribe(member=member, plan=desk_plan, actor=manager, starts_on=first)
        for member in card_holders[: 3 + first.month % 4]:
            services.subscribe(
                member=member,
                plan=card_plan,
                actor=manager,
                starts_on=first + datetime.timedelta(days=2),
            )
        next_month = services._add_month(first)
        day = first
        while day < next_month:
            closed = Closure.objects.filter(place=place, starts_on__lte=day, ends_on__gte=day)
            if day.weekday() < 5 and not closed.exists():
                for _ in range(rng.randint(2, 5)):
                    room = rng.choice(rooms)
                    hour = rng.randint(8, 16)
                    length = rng.choice([1, 1, 2, 2, 3])
                    member = rng.choice(members[:41])
                    if _book(
                        room,
                        _moment(day, hour),
                        _moment(day, min(hour + length, 19)),
                        manager,
                        member,
                    ):
                        counts["bookings"] += 1
                outsider = rng.choice(outsiders) if rng.random() < 0.15 else None
                if outsider and _book(
                    hall, _moment(day, 9), _moment(day, 17), manager, outsider=outsider
                ):
                    counts["bookings"] += 1
                for member in rng.sample(members[41:], 3):
                    if _book(desks, _moment(day, 9), _moment(day, 13), manager, member):
                        counts["bookings"] += 1
                for member in rng.sample(card_holders, 2):
                    try:
                        services.check_in(member=member, actor=manager, day=day)
                        counts["check_ins"] += 1
                    except ValidationError:
                        pass  # no visit left on the card that day
            day += datetime.timedelta(days=1)
        issued_on = next_month
        for member in members:
            try:
                invoice = services.invoice_member_month(
                    member=member, actor=manager, year=first.year, month=first.month,
                    issued_on=issued_on,
                )  # fmt: skip
            except ValidationError:
                continue  # nothing to invoice this month
            counts["invoices"] += 1
            if issued_on + datetime.timedelta(days=25) < ctx.today and rng.random() < 0.92:
                services.record_payment(
                    invoice=invoice, actor=manager,
                    paid_on=issued_on + datetime.timedelta(days=rng.randint(3, 25)),
                    amount=invoice.total_incl_vat,
                )  # fmt: skip
    # One invoice with a wrong buyer, cancelled by a credit note.
    wrong = Invoice.objects.filter(place=place, kind="invoice").order_by("-sequence").first()
    if wrong is not None and not wrong.payments.exists():
        services.issue_credit_note(
            invoice=wrong,
            actor=manager,
            reason="Facture adressée au membre au lieu de sa structure.",
        )
    # The coming month: members book ahead.
    for offset in range(1, 31):
        day = ctx.today + datetime.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for _ in range(rng.randint(1, 4)):
            member = rng.choice(members[:41])
            hour = rng.randint(8, 16)
            if _book(
                rng.choice(rooms), _moment(day, hour), _moment(day, hour + 1), member.user, member
            ):
                counts["bookings"] += 1
    return counts


def _creche(ctx, place, manager, members) -> dict:
    rng = ctx.rng
    year = ctx.today.year + 1
    grid = CrecheGrid.objects.create(place=place, year=year)
    for key, label, points in CRITERIA:
        services_creche.add_criterion(grid=grid, actor=manager, key=key, label=label, points=points)
    services_creche.publish_grid(grid=grid, actor=manager)
    User = get_user_model()
    communes = list(ctx.communes)
    applications = []
    for index in range(40):
        family = User.objects.create_user(
            f"famille.creche.{index + 1}@{DEMO_EMAIL_DOMAIN}",
            None,
            full_name=f"Famille {index + 1}",
        )
        start = datetime.date(year, rng.choice([1, 1, 3, 5, 9, 9]), rng.choice([2, 5, 15]))
        birth = start - datetime.timedelta(days=rng.randint(90, 1000))
        criteria = [key for key, _, _ in CRITERIA if rng.random() < 0.35]
        avip = "emploi" in criteria
        consent = rng.random() < 0.5
        applications.append(
            services_creche.apply(
                place=place,
                applicant=family,
                child_birth_date=birth,
                wanted_start=start,
                commune=rng.choice(communes),
                criteria=criteria,
                parent_looking_for_work=avip,
                disability=(rng.random() < 0.05) if consent else None,
                disability_consent=consent,
            )
        )
    # Spread the submissions over the last six months (the commission breaks ties by date).
    for application in applications:
        submitted = timezone.now() - datetime.timedelta(
            days=rng.randint(1, 180), hours=rng.randint(0, 23)
        )
        CrecheApplication.objects.filter(pk=application.pk).update(submitted_at=submitted)
    first = CommissionSession.objects.create(
        place=place,
        held_on=ctx.today - datetime.timedelta(days=12),
        places_babies=2,
        places_middle=2,
        places_older=1,
    )
    first.commission_members.add(manager)
    offers = services_creche.make_offers(session=first, actor=manager)
    for index, offer in enumerate(offers):
        application = CrecheApplication.objects.get(pk=offer.application_id)
        services_creche.record_answer(application=application, actor=manager, accepted=index != 1)
    second = CommissionSession.objects.create(
        place=place,
        held_on=ctx.today + datetime.timedelta(days=45),
        places_babies=2,
        places_middle=1,
        places_older=1,
    )
    second.commission_members.add(manager)
    return {"applications": len(applications), "offers": len(offers)}


def _cafe(ctx, place, manager) -> int:
    rng = ctx.rng
    offered = served = 0
    for first in _months(ctx.today):
        give = rng.randint(20, 40)
        services_creche.record_coffees(place=place, actor=manager, kind="offered", quantity=give)
        take = rng.randint(15, min(give + offered - served, 38))
        services_creche.record_coffees(place=place, actor=manager, kind="served", quantity=take)
        offered, served = offered + give, served + take
        moment = _moment(first + datetime.timedelta(days=14), 11)
        CafeEntry.objects.filter(
            place=place, at__gte=timezone.now() - datetime.timedelta(minutes=5)
        ).update(at=moment)
    for organisation in [o for o in ctx.structures if o.is_active][20:22]:
        FairTradeSupplier.objects.create(
            place=place, organisation=organisation, products="café et thé équitables"
        )
    return offered - served


def load(ctx) -> str:
    organisation = _organisation(ctx)
    manager = ctx.demo_user(
        "tierslieu", "Gestion de Work&Co (démo)", organisation, Role.ORGANISATION_ADMIN
    )
    place = _place(organisation, ctx)
    hall, rooms, offices, desks = _spaces(place)
    plans = _plans(place, offices)
    members = _members(ctx, place, manager)
    granted = _grants(ctx, members, manager)
    counts = _year_of_use(ctx, place, rooms, hall, desks, plans, members, manager)
    creche = _creche(ctx, place, manager, members)
    waiting = _cafe(ctx, place, manager)
    return (
        f"Tiers-lieux : Work&Co, {len(members)} membres ({granted} au tarif solidaire), "
        f"{counts['bookings']} réservations, {counts['check_ins']} passages, "
        f"{counts['invoices']} factures, crèche de 11 places ({creche['applications']} demandes, "
        f"{creche['offers']} places proposées), {waiting} cafés suspendus en attente"
    )


def remove() -> None:
    """Deletes the demo place and everything recorded in it (invoices included: demo data)."""
    places = Place.objects.filter(slug=PLACE_SLUG, organisation__is_demo=True)
    Offer.objects.filter(session__place__in=places).delete()
    CommissionSession.objects.filter(place__in=places).delete()
    CrecheApplication.objects.filter(place__in=places).delete()
    GridCriterion.objects.filter(grid__place__in=places).delete()
    CrecheGrid.objects.filter(place__in=places).delete()
    CafeEntry.objects.filter(place__in=places).delete()
    CafeTally.objects.filter(place__in=places).delete()
    CheckIn.objects.filter(member__place__in=places).delete()
    Booking.objects.filter(place__in=places).delete()
    Subscription.objects.filter(member__place__in=places).delete()
    InvoicePayment.objects.filter(invoice__place__in=places).delete()
    InvoiceLine.objects.filter(invoice__place__in=places).delete()
    Invoice.objects.filter(place__in=places, kind="credit_note").delete()
    Invoice.objects.filter(place__in=places).delete()
    InvoiceSequence.objects.filter(place__in=places).delete()
    SolidarityGrant.objects.filter(member__place__in=places).delete()
    Member.objects.filter(place__in=places).delete()
    Plan.objects.filter(place__in=places).delete()
    Space.objects.filter(place__in=places, parent__isnull=False).delete()
    Space.objects.filter(place__in=places).delete()
    places.delete()
