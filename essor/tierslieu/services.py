"""Writes of the third places: members, solidarity prices, bookings and cancellations, check-ins,
invoices and credit notes.

Every write checks the actor's right, refuses in French (a `ValidationError` naming the field),
changes nothing when it refuses, and writes one audit entry. A booking and an invoice first lock
their place's row: the bookings of one place, and the numbers of its invoices, are decided one at a
time (on SQLite the IMMEDIATE transaction does the same).
"""

import dataclasses
import datetime
import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from essor.core import audit, workflow
from essor.core.formats import euros, long_date
from essor.tierslieu import slots
from essor.tierslieu.models import (
    Booking,
    CheckIn,
    Closure,
    Invoice,
    InvoiceKind,
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
    manages_place,
)

CENT = Decimal("0.01")
MONTHLY_KINDS = (PlanKind.MONTHLY_DESK, PlanKind.MONTHLY_OFFICE)


def to_cent(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _require_manager(place: Place, actor) -> None:
    if not manages_place(place, actor):
        raise PermissionDenied("Seuls les gestionnaires du lieu peuvent faire cela.")


def _lock_place(place: Place) -> Place:
    return Place.objects.select_for_update().get(pk=place.pk)


# --- members and solidarity prices ------------------------------------------------------------


def add_member(*, place: Place, actor, user, billing_name: str, billing_address: str,
               joined_on: datetime.date, organisation=None, billing_siret: str = "") -> Member:  # fmt: skip
    _require_manager(place, actor)
    if Member.objects.filter(place=place, user=user).exists():
        raise ValidationError({"user": "Cette personne est déjà membre du lieu."})
    member = Member.objects.create(
        place=place,
        user=user,
        organisation=organisation,
        billing_name=billing_name.strip(),
        billing_address=billing_address.strip(),
        billing_siret=billing_siret,
        joined_on=joined_on,
    )
    audit.record(actor=actor, action="tierslieu.member.add", target=member)
    return member


def request_solidarity_price(*, member: Member, actor, profile: str, proof) -> SolidarityGrant:
    if actor.pk != member.user_id and not manages_place(member.place, actor):
        raise PermissionDenied("Vous ne pouvez demander le tarif solidaire que pour vous-même.")
    if member.grants.filter(status=SolidarityGrant.Status.SUBMITTED).exists():
        raise ValidationError({"profile": "Une demande est déjà en cours d'examen."})
    grant = SolidarityGrant.objects.create(member=member, profile=profile, proof=proof)
    audit.record(actor=actor, action="tierslieu.grant.request", target=grant)
    return grant


def grant_solidarity_price(*, grant: SolidarityGrant, actor, valid_until: datetime.date):
    if valid_until <= timezone.localdate():
        raise ValidationError({"valid_until": "La date de fin du tarif solidaire est à venir."})
    grant.valid_until = valid_until
    workflow.perform(grant.grant, actor=actor, save_fields=("valid_until",))
    return grant


def refuse_solidarity_price(*, grant: SolidarityGrant, actor, reason: str):
    grant.reason = reason.strip()
    workflow.perform(grant.refuse, actor=actor, reason=reason, save_fields=("reason",))
    return grant


def has_solidarity_price(member: Member | None, on: datetime.date) -> bool:
    if member is None:
        return False
    return member.grants.filter(status=SolidarityGrant.Status.GRANTED, valid_until__gte=on).exists()


# --- plans, cards and check-ins ---------------------------------------------------------------


def subscribe(*, member: Member, plan, actor, starts_on: datetime.date) -> Subscription:
    """Sells a plan to a member: a month (to the day before the same date next month), a day, or
    a card of visits (valid a year), at the solidarity price when the member has one."""
    _require_manager(member.place, actor)
    if plan.place_id != member.place_id or not plan.is_active:
        raise ValidationError({"plan": "Cette formule n'est pas proposée par le lieu."})
    solidarity = plan.solidarity_price is not None and has_solidarity_price(member, starts_on)
    if plan.kind in MONTHLY_KINDS:
        ends_on = _add_month(starts_on) - datetime.timedelta(days=1)
    elif plan.kind == PlanKind.VISIT_CARD:
        ends_on = starts_on.replace(year=starts_on.year + 1) - datetime.timedelta(days=1)
    else:
        ends_on = starts_on
    with transaction.atomic():
        if plan.kind in MONTHLY_KINDS and plan.space_id:
            taken = Subscription.objects.select_for_update().filter(
                plan__space=plan.space, starts_on__lte=ends_on, ends_on__gte=starts_on
            )
            if taken.exists():
                raise ValidationError(
                    {"plan": f"« {plan.space} » est déjà loué sur cette période."}
                )
        subscription = Subscription.objects.create(
            member=member,
            plan=plan,
            starts_on=starts_on,
            ends_on=ends_on,
            price=plan.solidarity_price if solidarity else plan.price,
            is_solidarity=solidarity,
            visits_left=plan.visits if plan.kind == PlanKind.VISIT_CARD else 0,
        )
        audit.record(actor=actor, action="tierslieu.subscription.create", target=subscription)
    return subscription


def _add_month(day: datetime.date) -> datetime.date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for last in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=last)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def check_in(*, member: Member, actor, day: datetime.date | None = None) -> CheckIn:
    """A member comes in: a day pass or a month covers the day; otherwise a visit of a card is
    used (the card with the earliest end first). Refused, nothing used, when nothing covers it."""
    _require_manager(member.place, actor)
    day = day or timezone.localdate()
    with transaction.atomic():
        if CheckIn.objects.filter(member=member, day=day).exists():
            raise ValidationError(f"{member} est déjà passé le {long_date(day)}.")
        covering = (
            Subscription.objects.select_for_update()
            .filter(member=member, starts_on__lte=day, ends_on__gte=day)
            .select_related("plan")
            .order_by("ends_on", "pk")
        )
        chosen = next((s for s in covering if s.plan.kind != PlanKind.VISIT_CARD), None)
        if chosen is None:
            chosen = next((s for s in covering if s.visits_left > 0), None)
            if chosen is None:
                raise ValidationError(
                    f"{member} n'a ni abonnement ni passage restant le {long_date(day)}."
                )
            chosen.visits_left -= 1
            chosen.save(update_fields=["visits_left"])
        visit = CheckIn.objects.create(member=member, subscription=chosen, day=day)
        audit.record(actor=actor, action="tierslieu.visit.check_in", target=visit)
    return visit


# --- bookings ---------------------------------------------------------------------------------


def family_ids(space: Space, spaces: list[Space]) -> set[int]:
    """The space, its ancestors and its descendants (booking one blocks the others)."""
    by_id = {candidate.pk: candidate for candidate in spaces}
    found = {space.pk}
    parent = space.parent_id
    while parent is not None and parent not in found:
        found.add(parent)
        parent = by_id[parent].parent_id if parent in by_id else None
    children: dict[int, list[int]] = {}
    for candidate in spaces:
        if candidate.parent_id is not None:
            children.setdefault(candidate.parent_id, []).append(candidate.pk)
    stack = list(children.get(space.pk, []))
    while stack:
        child = stack.pop()
        if child not in found:
            found.add(child)
            stack.extend(children.get(child, []))
    return found


def opening_periods(place: Place, day: datetime.date) -> list[slots.Period]:
    return [
        slots.Period(hours.opens_at, hours.closes_at)
        for hours in place.opening_hours.all()
        if hours.weekday == day.weekday()
    ]


def conflict(space: Space, starts_at, ends_at, *, family: set[int]) -> str | None:
    """Why the slot is taken (French), reading the confirmed bookings that overlap it."""
    overlapping = list(
        Booking.objects.filter(
            space_id__in=family,
            status=Booking.Status.CONFIRMED,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        ).select_related("space")
    )
    others = [booking for booking in overlapping if booking.space_id != space.pk]
    if others:
        return f"« {others[0].space} » est réservé sur ce créneau, et il contient ou est contenu dans « {space} »."  # fmt: skip
    same = [booking for booking in overlapping if booking.space_id == space.pk]
    if not space.is_shared:
        if same:
            return f"« {space} » est déjà réservé sur ce créneau."
        return None
    if slots.peak_overlap((b.starts_at, b.ends_at) for b in same) + 1 > space.capacity:
        return f"Les {space.capacity} postes de « {space} » sont tous réservés sur ce créneau."
    return None


TAKEN = "taken"  # the code of a refusal because someone booked first


def _refuse_if_taken(space: Space, starts_at, ends_at, family: set[int]) -> None:
    reason = conflict(space, starts_at, ends_at, family=family)
    if reason:
        raise ValidationError({"starts_at": ValidationError(reason, code=TAKEN)})


def _price(space: Space, member: Member | None, starts_at, ends_at) -> tuple[int, Decimal, bool]:
    """(minutes included in the member's month, price excl. VAT, solidarity price)."""
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    day = timezone.localtime(starts_at).date()
    included = 0
    if member is not None and space.kind == SpaceKind.MEETING_ROOM:
        month = (
            Subscription.objects.filter(
                member=member,
                plan__kind__in=MONTHLY_KINDS,
                starts_on__lte=day,
                ends_on__gte=day,
            )
            .select_related("plan")
            .first()
        )
        if month is not None and month.plan.included_meeting_minutes:
            used = (
                Booking.objects.filter(
                    member=member,
                    status=Booking.Status.CONFIRMED,
                    starts_at__date__gte=month.starts_on,
                    starts_at__date__lte=month.ends_on,
                ).aggregate(used=Sum("included_minutes"))["used"]
                or 0
            )
            included = max(0, min(minutes, month.plan.included_meeting_minutes - used))
    solidarity = space.solidarity_hourly_price is not None and has_solidarity_price(member, day)
    rate = space.solidarity_hourly_price if solidarity else space.hourly_price
    return included, to_cent(rate * (minutes - included) / 60), solidarity


def book(
    *,
    space: Space,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    actor,
    member: Member | None = None,
    outsider_name: str = "",
    outsider_email: str = "",
    record_past: bool = False,
) -> Booking:
    """Books `space` for a member (by themself or the manager) or an outsider (by the manager).
    A manager may record afterwards a use that was not booked (`record_past`), to invoice it."""
    place = space.place
    manager = manages_place(place, actor)
    if record_past and not manager:
        raise PermissionDenied("Seuls les gestionnaires enregistrent une réservation passée.")
    if member is None:
        if not manager:
            raise PermissionDenied(
                "Seuls les gestionnaires réservent pour une personne extérieure."
            )
        if not outsider_name.strip():
            raise ValidationError({"outsider_name": "Indiquez le nom de la personne extérieure."})
    else:
        if member.place_id != place.pk:
            raise ValidationError({"member": "Cette personne n'est pas membre de ce lieu."})
        if not manager and member.user_id != actor.pk:
            raise PermissionDenied("Vous ne pouvez réserver que pour vous-même.")
        if member.left_on is not None and member.left_on <= timezone.localdate():
            raise ValidationError({"member": f"{member} n'est plus membre du lieu."})
    if not space.is_bookable:
        raise ValidationError({"space": f"« {space} » ne se réserve pas au créneau."})
    if starts_at <= timezone.now() and not record_past:
        raise ValidationError(
            {"starts_at": "Ce créneau est passé : choisissez un créneau à venir."}
        )
    family = family_ids(space, list(Space.objects.filter(place=place).only("pk", "parent_id")))
    # Most refusals of a popular slot are decided here, without waiting for the place's lock;
    # the check is made again under the lock for those that pass.
    _refuse_if_taken(space, starts_at, ends_at, family)
    day = timezone.localtime(starts_at).date()
    found = slots.problems(
        starts_at,
        ends_at,
        slot_minutes=space.slot_minutes,
        periods=opening_periods(place, day),
        closures=place.closures.filter(starts_on__lte=day, ends_on__gte=day),
    )
    if found:
        raise ValidationError({"starts_at": found})
    try:
        with transaction.atomic():
            _lock_place(place)
            _refuse_if_taken(space, starts_at, ends_at, family)
            included, price, solidarity = _price(space, member, starts_at, ends_at)
            booking = Booking.objects.create(
                place=place,
                space=space,
                member=member,
                outsider_name=outsider_name.strip() if member is None else "",
                outsider_email=outsider_email.strip() if member is None else "",
                starts_at=starts_at,
                ends_at=ends_at,
                exclusive=not space.is_shared,
                included_minutes=included,
                price=price,
                is_solidarity=solidarity,
                booked_by=actor,
            )
            audit.record(actor=actor, action="tierslieu.booking.create", target=booking)
    except IntegrityError as error:
        # PostgreSQL's exclusion constraint, should a writer ever skip the place's lock.
        if "tierslieu_booking_no_overlap" in str(error):
            raise ValidationError(
                {
                    "starts_at": ValidationError(
                        f"« {space} » est déjà réservé sur ce créneau.", code=TAKEN
                    )
                }
            ) from error
        raise
    return booking


def cancellation_fee(booking: Booking, at: datetime.datetime) -> Decimal:
    """Free until the place's deadline before the start; then a share of the price."""
    deadline = booking.starts_at - datetime.timedelta(hours=booking.place.cancellation_hours)
    if at <= deadline:
        return Decimal("0.00")
    return to_cent(booking.price * booking.place.late_cancellation_fee_percent / 100)


def cancel_booking(*, booking: Booking, actor, waive_fee: bool = False) -> Booking:
    now = timezone.now()
    if booking.starts_at <= now:
        raise ValidationError("Une réservation commencée ou passée ne s'annule plus.")
    if waive_fee and not manages_place(booking.place, actor):
        raise PermissionDenied("Seuls les gestionnaires renoncent aux frais d'annulation.")
    booking.cancelled_at = now
    booking.cancellation_fee = Decimal("0.00") if waive_fee else cancellation_fee(booking, now)
    workflow.perform(booking.cancel, actor=actor, save_fields=("cancelled_at", "cancellation_fee"))
    return booking


# --- invoices ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LineDraft:
    label: str
    quantity: Decimal
    unit_price: Decimal
    unit: str = "unité"

    @property
    def total(self) -> Decimal:
        return to_cent(self.quantity * self.unit_price)


def _vat_rate(place: Place) -> Decimal:
    return place.vat_rate if place.vat_applies else Decimal("0.00")


def _fixed(value) -> str:
    """Two decimals, whatever the value went through (1, 1.0 and 1.00 are one amount)."""
    return f"{Decimal(value):.2f}"


def invoice_fingerprint(invoice: Invoice, lines) -> str:
    """SHA-256 over what the invoice says, and the previous invoice's fingerprint."""
    payload = {
        "number": invoice.number,
        "kind": invoice.kind,
        "issued_on": invoice.issued_on.isoformat(),
        "due_on": invoice.due_on.isoformat(),
        "corrects": invoice.corrects.number if invoice.corrects_id else "",
        "seller": [invoice.seller_name, invoice.seller_siret, invoice.seller_address,
                   invoice.seller_vat_number],
        "buyer": [invoice.buyer_name, invoice.buyer_address, invoice.buyer_siret],
        "vat_mention": invoice.vat_mention,
        "lines": [
            [line.position, line.label, _fixed(line.quantity), line.unit, _fixed(line.unit_price),
             _fixed(line.vat_rate), _fixed(line.total_excl_vat)]
            for line in lines
        ],
        "totals": [_fixed(invoice.total_excl_vat), _fixed(invoice.total_vat),
                   _fixed(invoice.total_incl_vat)],
        "previous": invoice.previous_hash,
    }  # fmt: skip
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _issue(
    *,
    place: Place,
    actor,
    kind: str,
    drafts: list[LineDraft],
    buyer_name: str,
    buyer_address: str,
    buyer_siret: str = "",
    member: Member | None = None,
    corrects: Invoice | None = None,
    issued_on: datetime.date | None = None,
) -> tuple[Invoice, list[InvoiceLine]]:
    """Numbers, fingerprints and writes an invoice; the caller holds the place's lock."""
    if not drafts:
        raise ValidationError("Une facture a au moins une ligne.")
    issued_on = issued_on or timezone.localdate()
    sequence, _ = InvoiceSequence.objects.select_for_update().get_or_create(
        place=place, year=issued_on.year
    )
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    previous = Invoice.objects.filter(place=place).order_by("-created_at", "-pk").first()
    rate = _vat_rate(place)
    total_excl_vat = sum((draft.total for draft in drafts), Decimal("0.00"))
    total_vat = to_cent(total_excl_vat * rate / 100)
    invoice = Invoice(
        place=place,
        kind=kind,
        year=issued_on.year,
        sequence=sequence.last_number,
        number=f"{place.invoice_prefix}-{issued_on.year}-{sequence.last_number:05d}",
        issued_on=issued_on,
        due_on=issued_on + datetime.timedelta(days=place.payment_days),
        member=member,
        corrects=corrects,
        seller_name=place.organisation.name,
        seller_siret=place.seller_siret,
        seller_address=place.seller_address,
        seller_vat_number=place.seller_vat_number,
        buyer_name=buyer_name,
        buyer_address=buyer_address,
        buyer_siret=buyer_siret,
        vat_mention=place.vat_mention,
        penalties_mention=(
            f"En cas de retard de paiement, pénalités au taux de {place.late_penalty_rate} et "
            "indemnité forfaitaire pour frais de recouvrement de 40 € (art. L441-10 du code de "
            "commerce). Pas d'escompte pour paiement anticipé."
        ),
        total_excl_vat=total_excl_vat,
        total_vat=total_vat,
        total_incl_vat=total_excl_vat + total_vat,
        previous_hash=previous.hash if previous else "",
        issued_by=actor,
    )
    lines = [
        InvoiceLine(
            position=position,
            label=draft.label,
            quantity=draft.quantity,
            unit=draft.unit,
            unit_price=draft.unit_price,
            vat_rate=rate,
            total_excl_vat=draft.total,
        )
        for position, draft in enumerate(drafts, start=1)
    ]
    invoice.hash = invoice_fingerprint(invoice, lines)
    invoice.save()
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)
    audit.record(
        actor=actor,
        action="tierslieu.invoice.issue" if kind == InvoiceKind.INVOICE else "tierslieu.credit_note.issue",
        target=invoice,
        changes={"total TTC": euros(invoice.total_incl_vat)},
    )  # fmt: skip
    return invoice, lines


def issue_invoice(*, place: Place, actor, drafts: list[LineDraft], buyer_name: str,
                  buyer_address: str, buyer_siret: str = "", member: Member | None = None,
                  issued_on: datetime.date | None = None) -> Invoice:  # fmt: skip
    """A free invoice (an outsider's room, a service), typed by the manager."""
    _require_manager(place, actor)
    if not buyer_name.strip() or not buyer_address.strip():
        raise ValidationError({"buyer_name": "Une facture nomme le client et son adresse."})
    for number, draft in enumerate(drafts, start=1):
        if draft.quantity <= 0 or draft.unit_price < 0:
            raise ValidationError(
                f"Ligne {number} : la quantité est positive et le prix n'est pas négatif."
            )
    with transaction.atomic():
        _lock_place(place)
        invoice, _ = _issue(
            place=place, actor=actor, kind=InvoiceKind.INVOICE, drafts=drafts,
            buyer_name=buyer_name.strip(), buyer_address=buyer_address.strip(),
            buyer_siret=buyer_siret, member=member, issued_on=issued_on,
        )  # fmt: skip
    return invoice


def invoice_member_month(*, member: Member, actor, year: int, month: int,
                         issued_on: datetime.date | None = None) -> Invoice:  # fmt: skip
    """Invoices what a member owes for a month and was not yet invoiced: the plans that start in
    it, the bookings with a price, the late-cancellation fees. Each is invoiced once (its line is
    linked to it in the same transaction)."""
    place = member.place
    _require_manager(place, actor)
    first = datetime.date(year, month, 1)
    after = _add_month(first)
    with transaction.atomic():
        _lock_place(place)
        subscriptions = list(
            Subscription.objects.filter(
                member=member, starts_on__gte=first, starts_on__lt=after, invoice_line__isnull=True
            ).select_related("plan").order_by("starts_on", "pk")
        )  # fmt: skip
        bookings = list(
            Booking.objects.filter(member=member, invoice_line__isnull=True)
            .filter(starts_at__gte=slots.at(first, 0), starts_at__lt=slots.at(after, 0))
            .filter(
                Q(status=Booking.Status.CONFIRMED, price__gt=0)
                | Q(status=Booking.Status.CANCELLED, cancellation_fee__gt=0)
            )
            .select_related("space")
            .order_by("starts_at", "pk")
        )
        drafts: list[LineDraft] = []
        owners: list = []
        for subscription in subscriptions:
            solidarity = " (tarif solidaire)" if subscription.is_solidarity else ""
            drafts.append(
                LineDraft(
                    label=f"{subscription.plan.name}{solidarity}, du "
                    f"{subscription.starts_on:%d/%m/%Y} au {subscription.ends_on:%d/%m/%Y}",
                    quantity=Decimal(1),
                    unit_price=subscription.price,
                )
            )
            owners.append(subscription)
        for booking in bookings:
            moment = timezone.localtime(booking.starts_at)
            end = timezone.localtime(booking.ends_at)
            if booking.status == Booking.Status.CANCELLED:
                drafts.append(
                    LineDraft(
                        label=f"Frais d'annulation tardive : {booking.space}, "
                        f"{moment:%d/%m/%Y %H:%M}",
                        quantity=Decimal(1),
                        unit_price=booking.cancellation_fee,
                    )
                )
            else:
                drafts.append(
                    LineDraft(
                        label=f"{booking.space}, {moment:%d/%m/%Y} de {moment:%H:%M} à {end:%H:%M}"
                        + (" (tarif solidaire)" if booking.is_solidarity else ""),
                        quantity=Decimal(1),
                        unit_price=booking.price,
                    )
                )
            owners.append(booking)
        if not drafts:
            raise ValidationError(f"Rien à facturer à {member} pour ce mois.")
        invoice, lines = _issue(
            place=place, actor=actor, kind=InvoiceKind.INVOICE, drafts=drafts,
            buyer_name=member.billing_name, buyer_address=member.billing_address,
            buyer_siret=member.billing_siret, member=member, issued_on=issued_on,
        )  # fmt: skip
        for owner, line in zip(owners, lines, strict=True):
            owner.invoice_line = line
            owner.save(update_fields=["invoice_line"])
    return invoice


def issue_credit_note(*, invoice: Invoice, actor, reason: str) -> Invoice:
    """Cancels an invoice by a credit note of its whole amount (an invoice is never changed)."""
    place = invoice.place
    _require_manager(place, actor)
    if invoice.kind != InvoiceKind.INVOICE:
        raise ValidationError("Un avoir ne se corrige pas par un autre avoir.")
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif de l'avoir."})
    with transaction.atomic():
        _lock_place(place)
        if Invoice.objects.filter(corrects=invoice).exists():
            raise ValidationError(f"La facture {invoice.number} a déjà son avoir.")
        drafts = [
            LineDraft(
                label=f"Annulation de la facture {invoice.number} : {line.label}",
                quantity=line.quantity,
                unit_price=-line.unit_price,
                unit=line.unit,
            )
            for line in invoice.lines.all()
        ]
        credit_note, _ = _issue(
            place=place, actor=actor, kind=InvoiceKind.CREDIT_NOTE, drafts=drafts,
            buyer_name=invoice.buyer_name, buyer_address=invoice.buyer_address,
            buyer_siret=invoice.buyer_siret, member=invoice.member, corrects=invoice,
        )  # fmt: skip
        audit.record(
            actor=actor, action="tierslieu.invoice.credited", target=invoice, message=reason
        )
    return credit_note


def record_payment(*, invoice: Invoice, actor, paid_on: datetime.date, amount: Decimal):
    _require_manager(invoice.place, actor)
    if amount <= 0:
        raise ValidationError({"amount": "Le montant payé est positif."})
    with transaction.atomic():
        _lock_place(invoice.place)
        paid = invoice.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        if paid + amount > invoice.total_incl_vat:
            raise ValidationError(
                {"amount": f"Il reste {euros(invoice.total_incl_vat - paid)} à payer sur cette facture."}
            )  # fmt: skip
        payment = InvoicePayment.objects.create(
            invoice=invoice, paid_on=paid_on, amount=amount, recorded_by=actor
        )
        audit.record(actor=actor, action="tierslieu.invoice.paid", target=invoice,
                     changes={"paiement": euros(amount)})  # fmt: skip
    return payment


# --- setting a place up -----------------------------------------------------------------------

PLACE_FIELDS = [
    "name", "commune", "address", "presentation", "is_public", "cancellation_hours",
    "late_cancellation_fee_percent", "invoice_prefix", "vat_regime", "vat_rate", "payment_days",
    "late_penalty_rate", "seller_siret", "seller_address", "seller_vat_number", "creche_places",
    "creche_retention_months",
]  # fmt: skip


def may_open_place_for(organisation, actor) -> bool:
    """The organisation's administrators declare its third place; the agency may do it for them."""
    from essor.core.permissions import can_admin_organisation

    return actor.is_authenticated and can_admin_organisation(actor, organisation)


def create_place(*, organisation, actor, slug: str, data: dict) -> Place:
    if not may_open_place_for(organisation, actor):
        raise PermissionDenied(
            "Seuls les administrateurs de la structure déclarent son tiers-lieu."
        )
    if Place.objects.filter(organisation=organisation).exists():
        raise ValidationError({"organisation": "Cette structure a déjà son tiers-lieu dans Essor."})
    if Place.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "Cet identifiant est déjà pris : choisissez-en un autre."})
    place = Place(
        organisation=organisation, slug=slug, **{k: data[k] for k in PLACE_FIELDS if k in data}
    )
    place.full_clean()
    place.save()
    audit.record(actor=actor, action="tierslieu.place.create", target=place)
    return place


def update_place(*, place: Place, actor, data: dict) -> Place:
    _require_manager(place, actor)
    before = audit.snapshot(place, PLACE_FIELDS)
    for key in PLACE_FIELDS:
        if key in data:
            setattr(place, key, data[key])
    place.full_clean()
    place.save()
    changes = audit.diff(before, audit.snapshot(place, PLACE_FIELDS))
    audit.record(actor=actor, action="tierslieu.place.update", target=place, changes=changes)
    return place


SPACE_FIELDS = [
    "parent", "name", "kind", "capacity", "slot_minutes", "hourly_price",
    "solidarity_hourly_price", "is_bookable", "description",
]  # fmt: skip


def save_space(*, place: Place, actor, data: dict, space: Space | None = None) -> Space:
    """Creates or changes a space; its parent is a space of the same place, never itself nor one
    of its own descendants (the tree has no cycle)."""
    _require_manager(place, actor)
    parent = data.get("parent")
    if parent is not None:
        if parent.place_id != place.pk:
            raise ValidationError({"parent": "L'espace parent appartient à un autre lieu."})
        if space is not None and space.pk is not None:
            spaces = list(Space.objects.filter(place=place).only("pk", "parent_id"))
            children: dict[int, list[int]] = {}
            for candidate in spaces:
                children.setdefault(candidate.parent_id, []).append(candidate.pk)
            below, stack = {space.pk}, [space.pk]
            while stack:
                for child in children.get(stack.pop(), []):
                    if child not in below:
                        below.add(child)
                        stack.append(child)
            if parent.pk in below:
                raise ValidationError(
                    {
                        "parent": f"« {parent} » est contenu dans « {space} » : il ne peut pas le contenir."
                    }
                )
    if data.get("kind") != SpaceKind.HOT_DESKS and data.get("capacity", 1) != 1:
        data = {**data, "capacity": 1}  # only shared desks take several bookings at once
    creating = space is None
    space = space or Space(place=place)
    for key in SPACE_FIELDS:
        if key in data:
            setattr(space, key, data[key])
    space.full_clean()
    space.save()
    audit.record(
        actor=actor,
        action="tierslieu.space.create" if creating else "tierslieu.space.update",
        target=space,
    )
    return space


def add_opening_hours(*, place: Place, actor, weekday: int, opens_at, closes_at) -> OpeningHours:
    _require_manager(place, actor)
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": "La fermeture suit l'ouverture."})
    for existing in place.opening_hours.filter(weekday=weekday):
        if existing.opens_at < closes_at and opens_at < existing.closes_at:
            raise ValidationError(
                {"opens_at": f"Ce créneau chevauche l'ouverture existante ({existing})."}
            )
    hours = OpeningHours.objects.create(
        place=place, weekday=weekday, opens_at=opens_at, closes_at=closes_at
    )
    audit.record(actor=actor, action="tierslieu.place.update", target=place,
                 changes={"horaires": ["", str(hours)]})  # fmt: skip
    return hours


def remove_opening_hours(*, hours: OpeningHours, actor) -> None:
    _require_manager(hours.place, actor)
    audit.record(actor=actor, action="tierslieu.place.update", target=hours.place,
                 changes={"horaires": [str(hours), ""]})  # fmt: skip
    hours.delete()


def add_closure(*, place: Place, actor, starts_on, ends_on, reason: str = "") -> Closure:
    """A closure; the confirmed bookings of those days stay (the manager cancels them, waiving the
    fee, after telling the people: the page lists them)."""
    _require_manager(place, actor)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "La fin de la fermeture ne précède pas son début."})
    closure = Closure.objects.create(
        place=place, starts_on=starts_on, ends_on=ends_on, reason=reason.strip()
    )
    audit.record(actor=actor, action="tierslieu.place.update", target=place,
                 changes={"fermetures": ["", str(closure)]})  # fmt: skip
    return closure


PLAN_FIELDS = [
    "name", "kind", "price", "solidarity_price", "visits", "included_meeting_minutes", "space",
    "is_active",
]  # fmt: skip


def save_plan(*, place: Place, actor, data: dict, plan: Plan | None = None) -> Plan:
    _require_manager(place, actor)
    space = data.get("space")
    if space is not None and space.place_id != place.pk:
        raise ValidationError({"space": "Ce bureau appartient à un autre lieu."})
    if data.get("kind") == PlanKind.VISIT_CARD and not data.get("visits"):
        raise ValidationError({"visits": "Une carte de passages en compte au moins un."})
    creating = plan is None
    plan = plan or Plan(place=place)
    for key in PLAN_FIELDS:
        if key in data:
            setattr(plan, key, data[key])
    plan.full_clean()
    plan.save()
    audit.record(
        actor=actor,
        action="tierslieu.plan.create" if creating else "tierslieu.plan.update",
        target=plan,
    )
    return plan
