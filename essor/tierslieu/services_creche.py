"""Writes of the solidarity crèche and the café: the grid and its publication, applications and
their score, commission sessions and offers, erasure of closed files; suspended coffees."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from essor.core import audit, workflow
from essor.core.formats import counted
from essor.tierslieu.creche_models import (
    AgeGroup,
    CafeEntry,
    CafeTally,
    CommissionSession,
    CrecheApplication,
    CrecheGrid,
    GridCriterion,
    Offer,
)
from essor.tierslieu.models import Place, manages_place

Status = CrecheApplication.Status
OPEN = (Status.WAITING, Status.OFFERED)
# The AVIP label asks for at least this share of places for children of parents looking for work.
AVIP_MINIMUM_PERCENT = 20


def _require_manager(place: Place, actor) -> None:
    if not manages_place(place, actor):
        raise PermissionDenied("Seuls les gestionnaires du lieu peuvent faire cela.")


# --- the grid ---------------------------------------------------------------------------------


def add_criterion(*, grid: CrecheGrid, actor, key: str, label: str, points: int) -> GridCriterion:
    """Adds a criterion to a draft grid (the grid of that year is created with its first one)."""
    _require_manager(grid.place, actor)
    if grid.pk is None:
        grid, _ = CrecheGrid.objects.get_or_create(place=grid.place, year=grid.year)
    if grid.published_at is not None:
        raise ValidationError(
            f"La grille {grid.year} est publiée : elle ne change plus. Préparez celle de "
            f"{grid.year + 1}."
        )
    if grid.criteria.filter(key=key).exists():
        raise ValidationError({"key": "La grille a déjà un critère de ce code."})
    criterion = GridCriterion.objects.create(
        grid=grid, key=key, label=label.strip(), points=points, position=grid.criteria.count()
    )
    audit.record(actor=actor, action="tierslieu.grid.update", target=grid)
    return criterion


def publish_grid(*, grid: CrecheGrid, actor) -> CrecheGrid:
    _require_manager(grid.place, actor)
    if grid.pk is None:
        raise ValidationError("Une grille sans critère ne se publie pas.")
    if grid.published_at is not None:
        raise ValidationError(f"La grille {grid.year} est déjà publiée.")
    if not grid.criteria.exists():
        raise ValidationError("Une grille sans critère ne se publie pas.")
    grid.published_at = timezone.now()
    grid.save(update_fields=["published_at"])
    audit.record(actor=actor, action="tierslieu.grid.publish", target=grid)
    return grid


def copy_grid(*, grid: CrecheGrid, actor, year: int) -> CrecheGrid:
    """Next year's grid starts as a copy of this one (unpublished, to adjust)."""
    _require_manager(grid.place, actor)
    if CrecheGrid.objects.filter(place=grid.place, year=year).exists():
        raise ValidationError({"year": f"La grille {year} existe déjà."})
    with transaction.atomic():
        new = CrecheGrid.objects.create(place=grid.place, year=year, method_note=grid.method_note)
        GridCriterion.objects.bulk_create(
            GridCriterion(grid=new, key=c.key, label=c.label, points=c.points, position=c.position)
            for c in grid.criteria.all()
        )
        audit.record(actor=actor, action="tierslieu.grid.create", target=new)
    return new


# --- applications -----------------------------------------------------------------------------


def age_in_months(birth: datetime.date, on: datetime.date) -> int:
    months = (on.year - birth.year) * 12 + on.month - birth.month
    return months - 1 if on.day < birth.day else months


def age_group(birth: datetime.date, on: datetime.date) -> str:
    months = age_in_months(birth, on)
    if months < 18:
        return AgeGroup.BABIES
    if months < 30:
        return AgeGroup.MIDDLE
    return AgeGroup.OLDER


def score(grid: CrecheGrid, keys: list[str]) -> tuple[int, list[dict]]:
    """The score and its computation, criterion by criterion, in the grid's order."""
    detail = [
        {"key": c.key, "label": c.label, "points": c.points}
        for c in grid.criteria.all()
        if c.key in keys
    ]
    return sum(item["points"] for item in detail), detail


def apply(
    *,
    place: Place,
    applicant,
    child_birth_date: datetime.date,
    wanted_start: datetime.date,
    commune=None,
    criteria: list[str],
    parent_looking_for_work: bool,
    disability: bool | None = None,
    disability_consent: bool = False,
) -> CrecheApplication:
    """A family applies under the published grid of the wished start's year."""
    today = timezone.localdate()
    grid = (
        CrecheGrid.objects.filter(place=place, year=wanted_start.year, published_at__isnull=False)
        .prefetch_related("criteria")
        .first()
    )
    if grid is None:
        raise ValidationError(
            {"wanted_start": f"La grille de points {wanted_start.year} n'est pas encore publiée."}
        )
    if child_birth_date > wanted_start:
        # Applications before birth are common; the child must be born by the start.
        raise ValidationError(
            {"wanted_start": "L'entrée souhaitée suit la naissance (prévue) de l'enfant."}
        )
    if wanted_start < today:
        raise ValidationError({"wanted_start": "L'entrée souhaitée est à venir."})
    if age_in_months(child_birth_date, wanted_start) >= 48:
        raise ValidationError(
            {"child_birth_date": "La crèche accueille les enfants de moins de 4 ans."}
        )
    known = {c.key for c in grid.criteria.all()}
    unknown = sorted(set(criteria) - known)
    if unknown:
        raise ValidationError(
            {"criteria": f"Critères inconnus de la grille : {', '.join(unknown)}."}
        )
    if disability is not None and not disability_consent:
        raise ValidationError(
            {
                "disability_consent": "Cochez le consentement pour indiquer une situation de handicap."
            }
        )
    points, detail = score(grid, criteria)
    with transaction.atomic():
        Place.objects.select_for_update().filter(pk=place.pk).get()
        count = CrecheApplication.objects.filter(place=place, submitted_at__year=today.year).count()
        application = CrecheApplication.objects.create(
            place=place,
            grid=grid,
            applicant=applicant,
            reference=f"CR-{place.pk}-{today.year}-{count + 1:04d}",
            child_birth_date=child_birth_date,
            wanted_start=wanted_start,
            age_group=age_group(child_birth_date, wanted_start),
            commune=commune,
            criteria=sorted(set(criteria)),
            parent_looking_for_work=parent_looking_for_work,
            disability=disability if disability_consent else None,
            disability_consent=disability_consent,
            score=points,
            score_detail=detail,
        )
        audit.record(actor=applicant, action="tierslieu.creche.apply", target=application)
    return application


def withdraw(*, application: CrecheApplication, actor) -> CrecheApplication:
    application.closed_at = timezone.now()
    workflow.perform(application.withdraw, actor=actor, save_fields=("closed_at",))
    return application


# --- commissions ------------------------------------------------------------------------------


def waiting_list(place: Place, group: str):
    """The waiting applications of an age group in the order places are offered."""
    return CrecheApplication.objects.filter(
        place=place, status=Status.WAITING, age_group=group
    ).order_by("-score", "submitted_at", "pk")


def create_session(
    *, place: Place, actor, held_on: datetime.date, places: dict[str, int], members
) -> CommissionSession:
    """A commission: its date, the places to fill by age group, the people who sit in it."""
    _require_manager(place, actor)
    session = CommissionSession.objects.create(
        place=place,
        held_on=held_on,
        places_babies=places.get(AgeGroup.BABIES, 0),
        places_middle=places.get(AgeGroup.MIDDLE, 0),
        places_older=places.get(AgeGroup.OLDER, 0),
    )
    session.commission_members.set(members)
    audit.record(actor=actor, action="tierslieu.commission.create", target=session)
    return session


def make_offers(*, session: CommissionSession, actor) -> list[Offer]:
    """Offers the session's places, age group by age group, in score order (ties: the earlier
    application first). Once per session."""
    place = session.place
    _require_manager(place, actor)
    offers = []
    with transaction.atomic():
        locked = CommissionSession.objects.select_for_update().get(pk=session.pk)
        if locked.offers_made_at is not None:
            raise ValidationError("Les places de cette commission ont déjà été proposées.")
        for group in AgeGroup.values:
            for rank, application in enumerate(
                waiting_list(place, group)[: session.places_for(group)], start=1
            ):
                workflow.perform(application.offer, actor=actor)
                offers.append(
                    Offer.objects.create(session=session, application=application, rank=rank)
                )
        locked.offers_made_at = timezone.now()
        locked.save(update_fields=["offers_made_at"])
        session.offers_made_at = locked.offers_made_at
        audit.record(
            actor=actor,
            action="tierslieu.commission.offer",
            target=session,
            changes={"places proposées": str(len(offers))},
        )
    return offers


def record_answer(*, application: CrecheApplication, actor, accepted: bool) -> CrecheApplication:
    if accepted:
        workflow.perform(application.accept, actor=actor)
    else:
        application.closed_at = timezone.now()
        workflow.perform(application.decline, actor=actor, save_fields=("closed_at",))
    return application


def erase_closed_files(*, now: datetime.datetime | None = None) -> int:
    """Erases the personal data of the files closed longer than their place's retention: the
    account link, the birth date, the commune, the criteria and the health answer. The reference,
    the age group, the score and the outcome stay for the anonymous figures."""
    now = now or timezone.now()
    erased = 0
    for place in Place.objects.filter(creche_applications__erased_at__isnull=True).distinct():
        limit = now - datetime.timedelta(days=30 * place.creche_retention_months)
        files = CrecheApplication.objects.filter(
            place=place,
            erased_at__isnull=True,
            closed_at__lt=limit,
        )
        for application in files:
            audit.erase_entries_for(application)
        erased += files.update(
            applicant=None,
            child_birth_date=None,
            commune=None,
            criteria=[],
            score_detail=[],
            disability=None,
            disability_consent=False,
            erased_at=now,
        )
    return erased


# --- the café ---------------------------------------------------------------------------------


def record_coffees(*, place: Place, actor, kind: str, quantity: int) -> CafeTally:
    """Adds coffees offered or served to the place's counter; never serves more than offered."""
    _require_manager(place, actor)
    if quantity < 1 or quantity > 500:
        raise ValidationError({"quantity": "Indiquez un nombre de cafés entre 1 et 500."})
    with transaction.atomic():
        tally, _ = CafeTally.objects.select_for_update().get_or_create(place=place)
        if kind == CafeEntry.Kind.SERVED and quantity > tally.waiting:
            waiting = counted(tally.waiting, "café suspendu", "cafés suspendus")
            raise ValidationError({"quantity": f"Il n'y a que {waiting} en attente."})
        field = "offered" if kind == CafeEntry.Kind.OFFERED else "served"
        CafeTally.objects.filter(pk=tally.pk).update(**{field: F(field) + quantity})
        entry = CafeEntry.objects.create(place=place, kind=kind, quantity=quantity)
        audit.record(
            actor=actor,
            action="tierslieu.cafe.record",
            target=tally,
            changes={entry.get_kind_display(): str(quantity)},
        )
        tally.refresh_from_db()
    return tally
