"""Writes of the CIGALES module: clubs and members, savings, meetings and votes, investments,
follow-up and exits.

Every write checks the actor's right, says why it refuses in French (a `ValidationError` naming
the field), changes nothing when it refuses, and writes one audit entry. Money entries lock the
club's row first and update its running totals in the same transaction, so that two officers
recording at once cannot over-commit the cash (a database constraint as well).
"""

import datetime
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone

from essor.cigales import access
from essor.cigales.models import (
    AgendaItem,
    Attendance,
    Club,
    Contribution,
    DecisionRule,
    Exit,
    ExitShare,
    FollowUp,
    Handback,
    Instrument,
    Investment,
    Leverage,
    Meeting,
    Member,
    OfficerRole,
    OfficerTerm,
    Project,
    Vote,
    add_years,
)
from essor.cigales.split import split_pro_rata
from essor.core import audit, page_cache, workflow
from essor.core.amounts import to_cents, too_large
from essor.core.formats import euros, long_date, with_article
from essor.core.notifications import notify
from essor.core.permissions import is_agency_member
from essor.directory import services as directory_services
from essor.directory.models import EssFamily, Organisation

ProjectStatus = Project.Status
CLUB_RULE_FIELDS = [
    "name",
    "commune",
    "association",
    "convention_signed_on",
    "decision_rule",
    "quorum_percent",
    "presentation",
    "join_contact",
    "accepts_members",
]
# A club's transitions save these fields only: its running totals are written by the money
# entries, and a stale copy of the row must never overwrite them.
CLUB_LIFE_FIELDS = ("ends_on", "prorogations")
# SCOP legal categories in INSEE's nomenclature (SARL, SA with a board, SA with a directorate).
SCOP_LEGAL_CATEGORIES = {"5458", "5558", "5658"}


def _require_editor(actor, club: Club) -> None:
    if not access.can_edit_club(actor, club):
        raise PermissionDenied("Seuls les membres du bureau du club et l'agence font cette action.")


def _locked(club: Club) -> Club:
    """The club's row, locked until the end of the transaction, with fresh totals."""
    return Club.objects.select_for_update(of=("self",)).get(pk=club.pk)


def _require_open(club: Club, what: str) -> None:
    if not club.is_open_to_money:
        raise ValidationError(
            f"{what} impossible : le club est à l'état « {club.get_status_display()} » "
            "(seul un club actif ou prorogé épargne et investit)."
        )


def _amount(value, field: str, label: str) -> Decimal:
    amount = to_cents(value)
    if amount <= 0:
        raise ValidationError({field: f"{label} doit être positif."})
    if problem := too_large(amount, 12):
        raise ValidationError({field: f"{label} {problem}."})
    return amount


def active_members(club: Club, on: datetime.date | None = None):
    on = on or timezone.localdate()
    return club.members.filter(joined_on__lte=on).exclude(left_on__lt=on)


# --- clubs and members ---------------------------------------------------------------------------


@transaction.atomic
def create_club(*, actor, data: dict, founder_name: str) -> Club:
    """A person creates a club « en création »: they become its first member and its gérant."""
    if not actor.is_authenticated:
        raise PermissionDenied("Connectez-vous pour créer un club.")
    if data.get("association") is not None and not is_agency_member(actor):
        raise PermissionDenied("Seule l'agence rattache un club à l'association régionale.")
    club = Club(**{field: data[field] for field in CLUB_RULE_FIELDS if field in data})
    club.full_clean(exclude=["status"])
    club.save()
    today = timezone.localdate()
    joined_on = min(club.convention_signed_on or today, today)
    founder = Member.objects.create(club=club, user=actor, name=founder_name, joined_on=joined_on)
    OfficerTerm.objects.create(
        club=club,
        member=founder,
        role=OfficerRole.MANAGER,
        # From the day the club is entered in Essor: the founder runs it for its first year here.
        starts_on=today,
        ends_on=add_years(today, 1) - datetime.timedelta(days=1),
    )
    audit.record(actor=actor, action="cigales.club.create", target=club)
    return club


@transaction.atomic
def update_club(*, actor, club: Club, data: dict) -> Club:
    _require_editor(actor, club)
    club = _locked(club)
    before = audit.snapshot(club, CLUB_RULE_FIELDS)
    if club.status != Club.Status.CREATING and data.get("convention_signed_on") != (
        club.convention_signed_on
    ):
        raise ValidationError(
            {
                "convention_signed_on": "La date de la convention ne change plus une fois le club actif."
            }
        )
    if (
        "association" in data
        and data["association"] != club.association
        and not is_agency_member(actor)
    ):
        raise PermissionDenied("Seule l'agence rattache un club à l'association régionale.")
    for field in CLUB_RULE_FIELDS:
        if field in data:
            setattr(club, field, data[field])
    club.full_clean(exclude=["status"])
    club.save()
    after = audit.snapshot(club, CLUB_RULE_FIELDS)
    audit.record(
        actor=actor, action="cigales.club.update", target=club, changes=audit.diff(before, after)
    )
    return club


def _check_member_count(club: Club, count: int) -> None:
    low, high = settings.CIGALES_MIN_MEMBERS, settings.CIGALES_MAX_MEMBERS
    if not low <= count <= high:
        raise ValidationError(
            f"Un club CIGALES compte de {low} à {high} membres : celui-ci en compte {count}."
        )


@transaction.atomic
def add_member(*, actor, club: Club, name: str, joined_on: datetime.date, user=None) -> Member:
    _require_editor(actor, club)
    club = _locked(club)
    if club.status in (Club.Status.MANAGING, Club.Status.CLOSED):
        raise ValidationError(
            f"Le club est à l'état « {club.get_status_display()} » : il n'accueille plus de membre."
        )
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Indiquez le nom du membre."})
    if club.status != Club.Status.CREATING:
        # An active club stays within the range (the creation checks it when activating).
        _check_member_count(club, active_members(club, joined_on).count() + 1)
    if user is not None and club.members.filter(user=user).exists():
        raise ValidationError({"user": "Ce compte est déjà membre de ce club."})
    member = Member(club=club, name=name, joined_on=joined_on, user=user)
    member.full_clean()
    member.save()
    audit.record(actor=actor, action="cigales.member.add", target=member)
    return member


@transaction.atomic
def member_leaves(*, actor, member: Member, on: datetime.date) -> Member:
    _require_editor(actor, member.club)
    club = _locked(member.club)
    if member.left_on is not None:
        raise ValidationError("Ce membre est déjà sorti du club.")
    if on < member.joined_on:
        raise ValidationError({"on": "La sortie doit suivre l'entrée dans le club."})
    if club.status in (Club.Status.ACTIVE, Club.Status.PROROGUED):
        _check_member_count(club, active_members(club, on).count() - 1)
    member.left_on = on
    member.save(update_fields=["left_on"])
    audit.record(actor=actor, action="cigales.member.leave", target=member)
    return member


@transaction.atomic
def elect_officer(
    *,
    actor,
    club: Club,
    member: Member,
    role: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> OfficerTerm:
    _require_editor(actor, club)
    _locked(club)
    if member.club_id != club.pk or member.left_on is not None:
        raise ValidationError({"member": "Choisissez un membre du club."})
    if starts_on < member.joined_on:
        raise ValidationError(
            {
                "starts_on": f"{member} n'est membre du club que depuis le {long_date(member.joined_on)}."
            }
        )
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "La fin du mandat doit suivre son début."})
    if role == OfficerRole.MANAGER and ends_on >= add_years(starts_on, 1):
        raise ValidationError(
            {"ends_on": "Le gérant est élu pour un an au plus (son mandat se renouvelle)."}
        )
    overlapping = OfficerTerm.objects.filter(
        club=club, role=role, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).exclude(member=member)
    if overlapping.exists():
        held = overlapping.select_related("member").first()
        raise ValidationError(
            {
                "starts_on": f"{held.member} est déjà {OfficerRole(role).label.lower()} du "
                f"{long_date(held.starts_on)} au {long_date(held.ends_on)}."
            }
        )
    term = OfficerTerm(club=club, member=member, role=role, starts_on=starts_on, ends_on=ends_on)
    term.full_clean()
    term.save()
    audit.record(actor=actor, action="cigales.officer.elect", target=term)
    return term


def activate_club(*, actor, club: Club) -> Club:
    with transaction.atomic():
        _require_editor(actor, club)
        club = _locked(club)
        if club.convention_signed_on is None:
            raise ValidationError(
                {"convention_signed_on": "Indiquez la date de signature de la convention."}
            )
        _check_member_count(club, active_members(club).count())
        workflow.perform(club.activate, actor=actor, save_fields=CLUB_LIFE_FIELDS)
    return club


def prorogue_club(*, actor, club: Club) -> Club:
    with transaction.atomic():
        _require_editor(actor, club)
        club = _locked(club)
        if add_years(club.ends_on, settings.CIGALES_LIFE_YEARS) > add_years(
            club.convention_signed_on, 2 * settings.CIGALES_LIFE_YEARS
        ):
            raise ValidationError("Un club vit au plus deux fois la durée de sa convention.")
        workflow.perform(club.prorogue, actor=actor, save_fields=CLUB_LIFE_FIELDS)
    return club


def start_managing(*, actor, club: Club) -> Club:
    _require_editor(actor, club)
    workflow.perform(club.start_managing, actor=actor, save_fields=())
    return club


def close_club(*, actor, club: Club) -> Club:
    with transaction.atomic():
        _require_editor(actor, club)
        club = _locked(club)
        open_investments = Investment.objects.filter(club=club, exit_record__isnull=True).count()
        if open_investments:
            raise ValidationError(
                f"{open_investments} investissements attendent encore leur sortie."
                if open_investments > 1
                else "Un investissement attend encore sa sortie."
            )
        if club.cash:
            raise ValidationError(
                f"La trésorerie du club ({euros(club.cash)}) doit d'abord être restituée aux "
                "membres."
            )
        workflow.perform(club.close, actor=actor, save_fields=())
    return club


def _check_cash(club: Club, amount: Decimal, on: datetime.date) -> None:
    """Money leaving the club on `on` must be there that day and every day after it: an entry
    dated in the past may not make the cash negative at any later date (`cash_from`)."""
    from essor.cigales.selectors import lowest_cash_from

    available = lowest_cash_from(club, on)
    if amount > available:
        raise ValidationError(
            {
                "amount": f"Le club ne dispose que de {euros(max(available, Decimal(0)))} de "
                f"trésorerie le {long_date(on)} (et les jours suivants)."
            }
        )


# --- savings -------------------------------------------------------------------------------------


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@transaction.atomic
def record_month(*, actor, club: Club, month: datetime.date, amounts: dict) -> list[Contribution]:
    """The treasurer records one month's savings of several members, all or nothing.

    `amounts` maps a `Member` to an amount (None or 0: no saving that month)."""
    _require_editor(actor, club)
    club = _locked(club)
    _require_open(club, "Un versement")
    month = first_of_month(month)
    if month > first_of_month(timezone.localdate()):
        raise ValidationError(
            {"month": "Un versement se saisit une fois fait : ce mois est à venir."}
        )
    if club.convention_signed_on and month < first_of_month(club.convention_signed_on):
        raise ValidationError(
            {"month": "Ce mois précède la convention du club : aucun versement n'y est possible."}
        )
    low, high = settings.CIGALES_MIN_MONTHLY_SAVING, settings.CIGALES_MAX_MONTHLY_SAVING
    errors = {}
    rows = []
    for member, value in amounts.items():
        if value in (None, ""):
            continue
        amount = to_cents(value)
        if amount == 0:
            continue
        key = f"member_{member.pk}"
        if member.club_id != club.pk:
            errors[key] = f"{member} n'est pas membre de ce club."
        elif not member.is_member_on(month) and not member.is_member_on(_last_day_of_month(month)):
            errors[key] = f"{member} n'était pas membre du club en {month:%m/%Y}."
        elif not low <= amount <= high:
            errors[key] = (
                f"{member} : un versement mensuel va de {euros(low)} à {euros(high)} "
                f"(saisi : {euros(amount)})."
            )
        elif Contribution.objects.filter(member=member, month=month).exists():
            errors[key] = f"{member} a déjà un versement pour {month:%m/%Y}."
        else:
            rows.append(Contribution(club=club, member=member, month=month, amount=amount))
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError("Aucun montant saisi : rien n'a été enregistré.")
    try:
        with transaction.atomic():
            Contribution.objects.bulk_create(rows)
    except IntegrityError as exc:
        raise ValidationError(
            "Un versement de ce mois a été saisi entre-temps : rechargez."
        ) from exc
    total = sum((row.amount for row in rows), Decimal(0))
    for row in rows:
        Member.objects.filter(pk=row.member_id).update(saved=F("saved") + row.amount)
    Club.objects.filter(pk=club.pk).update(saved=F("saved") + total)
    page_cache.changed("cigales")  # bulk writes send no signal: the public figures follow
    audit.record(
        actor=actor,
        action="cigales.saving.record",
        target=club,
        changes={"mois": [None, f"{month:%m/%Y}"], "total": [None, str(total)]},
    )
    return rows


def _last_day_of_month(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


@transaction.atomic
def hand_back(*, actor, club: Club, member: Member, amount, on: datetime.date) -> Handback:
    """Cash handed back to a member (their exit, or the club's end), within the cash held."""
    _require_editor(actor, club)
    club = _locked(club)
    amount = _amount(amount, "amount", "Le montant restitué")
    if member.club_id != club.pk:
        raise ValidationError({"member": "Choisissez un membre du club."})
    _check_cash(club, amount, on)
    handback = Handback.objects.create(club=club, member=member, amount=amount, on=on)
    Club.objects.filter(pk=club.pk).update(handed_back=F("handed_back") + amount)
    audit.record(actor=actor, action="cigales.handback.record", target=handback)
    return handback


# --- meetings and votes --------------------------------------------------------------------------


@transaction.atomic
def create_meeting(
    *, actor, club: Club, held_at: datetime.datetime, place: str, items: list[dict]
) -> Meeting:
    """`items`: the agenda, each {"title", "is_vote", "project"}."""
    _require_editor(actor, club)
    if not items:
        raise ValidationError({"agenda": "Indiquez au moins un point à l'ordre du jour."})
    meeting = Meeting.objects.create(club=club, held_at=held_at, place=place)
    for position, item in enumerate(items, start=1):
        project = item.get("project")
        if project is not None and project.club_id != club.pk:
            raise ValidationError({"agenda": "Ce projet n'est pas un projet du club."})
        AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            title=item["title"],
            is_vote=item.get("is_vote", True),
            project=project,
        )
    audit.record(actor=actor, action="cigales.meeting.create", target=meeting)
    return meeting


def _open_meeting(actor, meeting: Meeting) -> Meeting:
    _require_editor(actor, meeting.club)
    meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    if meeting.is_closed:
        raise ValidationError("Le procès-verbal de cette réunion est arrêté : rien ne change plus.")
    return meeting


@transaction.atomic
def record_attendance(*, actor, meeting: Meeting, members) -> list[Member]:
    meeting = _open_meeting(actor, meeting)
    day = timezone.localdate(meeting.held_at)
    present = list(members)
    strangers = [m for m in present if m.club_id != meeting.club_id or not m.is_member_on(day)]
    if strangers:
        raise ValidationError(
            {"members": f"{strangers[0]} n'est pas membre du club le jour de la réunion."}
        )
    meeting.attendances.exclude(member__in=present).delete()
    known = set(meeting.attendances.values_list("member_id", flat=True))
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member=m) for m in present if m.pk not in known]
    )
    audit.record(
        actor=actor,
        action="cigales.meeting.attendance",
        target=meeting,
        changes={"présents": [None, len(present)]},
    )
    return present


@transaction.atomic
def record_votes(*, actor, item: AgendaItem, votes: dict) -> AgendaItem:
    """`votes` maps a `Member` to a `Vote.Choice` (or None: did not vote). Members must be present.

    The result is then decided by the club's rule and quorum (`decide`)."""
    meeting = _open_meeting(actor, item.meeting)
    if not item.is_vote:
        raise ValidationError("Ce point n'est pas soumis au vote.")
    present = set(meeting.attendances.values_list("member_id", flat=True))
    errors = {}
    cast = {}
    for member, choice in votes.items():
        if choice in (None, ""):
            continue
        key = f"member_{member.pk}"
        if member.club_id != meeting.club_id:
            errors[key] = f"{member} n'est pas membre du club : son vote est refusé."
        elif member.pk not in present:
            errors[key] = f"{member} n'est pas noté présent : son vote est refusé."
        elif choice not in Vote.Choice.values:
            errors[key] = f"{member} : vote inconnu."
        else:
            cast[member] = choice
    if errors:
        raise ValidationError(errors)
    item.votes.all().delete()
    Vote.objects.bulk_create([Vote(item=item, member=m, choice=c) for m, c in cast.items()])
    item.result = decide(item, meeting)
    item.save(update_fields=["result"])
    audit.record(
        actor=actor,
        action="cigales.meeting.vote",
        target=meeting,
        changes={item.title: [None, item.get_result_display()]},
    )
    return item


def decide(item: AgendaItem, meeting: Meeting) -> str:
    """The result of a vote by the club's rule: no quorum, adopted or rejected."""
    club = meeting.club
    day = timezone.localdate(meeting.held_at)
    members = active_members(club, day).count()
    present = meeting.attendances.count()
    # Quorum: present * 100 >= quorum% * members, in integers (no rounding question).
    if members == 0 or present * 100 < club.quorum_percent * members:
        return AgendaItem.Result.NO_QUORUM
    choices = list(item.votes.values_list("choice", flat=True))
    yes = choices.count(Vote.Choice.FOR)
    no = choices.count(Vote.Choice.AGAINST)
    if club.decision_rule == DecisionRule.UNANIMITY:
        adopted = yes == present
    elif club.decision_rule == DecisionRule.TWO_THIRDS:
        adopted = yes > 0 and 3 * yes >= 2 * (yes + no)
    else:
        adopted = yes > no
    return AgendaItem.Result.ADOPTED if adopted else AgendaItem.Result.REJECTED


@transaction.atomic
def close_meeting(*, actor, meeting: Meeting, notes: str = "") -> Meeting:
    meeting = _open_meeting(actor, meeting)
    if not meeting.attendances.exists():
        raise ValidationError("Notez les présents avant d'arrêter le procès-verbal.")
    meeting.notes = notes
    meeting.is_closed = True
    meeting.save(update_fields=["notes", "is_closed"])
    audit.record(actor=actor, action="cigales.meeting.close", target=meeting)
    return meeting


# --- the investment pipeline ---------------------------------------------------------------------

PROJECT_FIELDS = [
    "summary",
    "in_priority_neighbourhood",
    "jobs_declared",
    "founders_consent",
    "founders_women",
    "founders_men",
    "founders_under_30",
    "founders_job_seekers",
]


@transaction.atomic
def propose_project(
    *,
    actor,
    club: Club,
    data: dict,
    organisation: Organisation | None = None,
    new_organisation: dict | None = None,
) -> Project:
    """A project for the club: an enterprise of the directory, or a new one created through the
    directory's own service (by the agency)."""
    _require_editor(actor, club)
    if organisation is None:
        if not new_organisation or not (new_organisation.get("name") or "").strip():
            raise ValidationError({"organisation": "Choisissez l'entreprise, ou créez-la."})
        if not is_agency_member(actor):
            raise ValidationError(
                {"organisation": "Seule l'agence crée une structure absente de l'annuaire."}
            )
        organisation = directory_services.create_organisation(
            actor=actor,
            data={
                "name": new_organisation["name"].strip(),
                "siren": new_organisation.get("siren") or "",
                "legal_category": new_organisation.get("legal_category") or "",
                "is_active": True,
            },
            head_office={"commune": club.commune} if club.commune else None,
        )
    if Project.objects.filter(club=club, organisation=organisation).exists():
        raise ValidationError({"organisation": "Ce club suit déjà cette entreprise."})
    project = Project(club=club, organisation=organisation)
    for field in PROJECT_FIELDS:
        if field in data:
            setattr(project, field, data[field])
    if not project.founders_consent:
        project.founders_women = project.founders_men = None
        project.founders_under_30 = project.founders_job_seekers = None
    project.full_clean(exclude=["status"])
    project.save()
    audit.record(actor=actor, action="cigales.project.create", target=project)
    return project


def present_project(*, actor, project: Project) -> Project:
    workflow.perform(project.present, actor=actor)
    return project


def agree_project(*, actor, project: Project) -> Project:
    """The club's agreement: an adopted vote on the project at one of its meetings."""
    if not AgendaItem.objects.filter(
        project=project, result=AgendaItem.Result.ADOPTED, meeting__club=project.club
    ).exists():
        raise ValidationError(
            "Aucun vote adopté du club sur ce projet : votez-le en réunion avant l'accord."
        )
    workflow.perform(project.agree, actor=actor)
    return project


def decline_project(*, actor, project: Project, reason: str) -> Project:
    workflow.perform(project.decline, actor=actor, reason=reason)
    return project


@transaction.atomic
def set_mentors(*, actor, project: Project, mentors) -> Project:
    _require_editor(actor, project.club)
    mentors = list(mentors)
    if not 1 <= len(mentors) <= 2:
        raise ValidationError({"mentors": "Un projet a un ou deux parrains."})
    if any(m.club_id != project.club_id or m.left_on is not None for m in mentors):
        raise ValidationError({"mentors": "Les parrains sont des membres du club."})
    project.mentors.set(mentors)
    audit.record(
        actor=actor,
        action="cigales.project.mentors",
        target=project,
        changes={"parrains": [None, ", ".join(str(m) for m in mentors)]},
    )
    return project


def is_scop(organisation: Organisation) -> bool:
    return (
        organisation.cooperative_status == "scop"
        or organisation.legal_category in SCOP_LEGAL_CATEGORIES
    )


def is_association(organisation: Organisation) -> bool:
    return organisation.ess_family == EssFamily.ASSOCIATION or (
        organisation.legal_category or ""
    ).startswith("92")


def capital_held(club: Club, organisation: Organisation) -> tuple[Decimal, Decimal | None]:
    """The club's share capital in the enterprise still held, and the latest known capital."""
    held = Investment.objects.filter(
        club=club,
        project__organisation=organisation,
        instrument=Instrument.SHARE_CAPITAL,
        exit_record__isnull=True,
    )
    total = held.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    latest = (
        Investment.objects.filter(
            project__organisation=organisation, instrument=Instrument.SHARE_CAPITAL
        )
        .order_by("-on", "-pk")
        .values_list("capital_after", flat=True)
        .first()
    )
    return total, latest


def _check_caps(club: Club, project: Project, instrument: str, amount: Decimal, terms: dict):
    organisation = project.organisation
    if instrument == Instrument.SHARE_CAPITAL:
        capital = terms.get("capital_after")
        if capital is None or capital <= 0:
            raise ValidationError(
                {"capital_after": "Indiquez le capital social de l'entreprise après souscription."}
            )
        held, _ = capital_held(club, organisation)
        stake = held + amount
        if stake > capital:
            raise ValidationError(
                {"capital_after": "Le capital social ne peut pas être inférieur aux parts du club."}
            )
        scop = is_scop(organisation)
        cap = (
            settings.CIGALES_MAX_CAPITAL_SHARE_SCOP if scop else settings.CIGALES_MAX_CAPITAL_SHARE
        )
        if Fraction(stake) > cap * Fraction(capital):
            allowed = max(
                Decimal(0), to_cents(Decimal(cap.numerator) * capital / cap.denominator) - held
            )
            raise ValidationError(
                {
                    "amount": f"Le club détiendrait {euros(stake)} sur {euros(capital)} de capital, "
                    f"plus {'de la moitié (SCOP)' if scop else 'du tiers'} : il peut souscrire au "
                    f"plus {euros(allowed)}."
                }
            )
    elif instrument == Instrument.CURRENT_ACCOUNT:
        held, capital = capital_held(club, organisation)
        minimum = settings.CIGALES_CURRENT_ACCOUNT_MIN_SHARE
        if not capital or Fraction(held) < minimum * Fraction(capital):
            raise ValidationError(
                {
                    "instrument": "Un compte courant d'associé demande que le club détienne au "
                    f"moins {minimum.numerator * 100 // minimum.denominator} % du capital "
                    f"(il en détient {euros(held)}"
                    + (f" sur {euros(capital)})." if capital else ", aucune part).")
                }
            )
    elif instrument == Instrument.RECOVERABLE_CONTRIBUTION:
        if not is_association(organisation):
            raise ValidationError(
                {"instrument": "L'apport avec droit de reprise ne se fait qu'à une association."}
            )
    elif instrument == Instrument.PARTICIPATIVE_TITLES:
        if organisation.ess_family in (EssFamily.ASSOCIATION, EssFamily.FOUNDATION):
            raise ValidationError(
                {
                    "instrument": "Les titres participatifs sont émis par des sociétés (coopératives "
                    "notamment), pas par une association ou une fondation."
                }
            )
    elif instrument == Instrument.LOAN:
        if terms.get("rate_percent") is None or not terms.get("duration_months"):
            raise ValidationError({"duration_months": "Indiquez le taux et la durée du prêt."})
        if not Decimal(0) <= terms["rate_percent"] <= Decimal(20):
            raise ValidationError({"rate_percent": "Le taux va de 0 à 20 %."})
    else:
        raise ValidationError({"instrument": "Instrument inconnu."})


def record_investment(
    *, actor, project: Project, instrument: str, amount, on: datetime.date, **terms
) -> Investment:
    """Money the club puts in an agreed project, within its cash and the instrument's caps."""
    with transaction.atomic():
        _require_editor(actor, project.club)
        club = _locked(project.club)
        _require_open(club, "Un investissement")
        project = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
        if project.status not in (ProjectStatus.AGREED, ProjectStatus.INVESTED):
            raise ValidationError(
                "Le club investit dans un projet qu'il a accepté par un vote "
                f"(ce projet est « {project.get_status_display()} »)."
            )
        amount = _amount(amount, "amount", "Le montant")
        if on > timezone.localdate():
            raise ValidationError({"on": "Un investissement se saisit une fois fait."})
        _check_cash(club, amount, on)
        _check_caps(club, project, instrument, amount, terms)
        investment = Investment(
            project=project,
            club=club,
            instrument=instrument,
            amount=amount,
            on=on,
            capital_after=terms.get("capital_after")
            if instrument == Instrument.SHARE_CAPITAL
            else None,
            rate_percent=terms.get("rate_percent") if instrument == Instrument.LOAN else None,
            duration_months=terms.get("duration_months") if instrument == Instrument.LOAN else None,
        )
        investment.full_clean()
        investment.save()
        Club.objects.filter(pk=club.pk).update(invested=F("invested") + amount)
        audit.record(actor=actor, action="cigales.investment.record", target=investment)
        if project.status == ProjectStatus.AGREED:
            workflow.perform(project.invest, actor=actor)
    return investment


@transaction.atomic
def record_leverage(*, actor, project: Project, kind: str, funder: str, amount, on) -> Leverage:
    _require_editor(actor, project.club)
    leverage = Leverage(
        project=project,
        kind=kind,
        funder=(funder or "").strip(),
        amount=_amount(amount, "amount", "Le montant"),
        on=on,
    )
    leverage.full_clean()
    leverage.save()
    audit.record(actor=actor, action="cigales.leverage.record", target=leverage)
    return leverage


@transaction.atomic
def record_follow_up(
    *, actor, project: Project, on, note: str, jobs=None, turnover=None
) -> FollowUp:
    """A mentor (or an officer) writes the follow-up, with the year's figures."""
    author = access.member_of(actor, project.club)
    mentor = author is not None and project.mentors.filter(pk=author.pk).exists()
    if not mentor and not access.can_edit_club(actor, project.club):
        raise PermissionDenied(
            "Seuls les parrains du projet et le bureau du club écrivent le suivi."
        )
    status = Project.objects.filter(pk=project.pk).values_list("status", flat=True).get()
    if status not in (ProjectStatus.INVESTED, ProjectStatus.EXITED):
        raise ValidationError("Le suivi commence avec le premier investissement.")
    if not (note or "").strip():
        raise ValidationError({"note": "Écrivez le compte rendu du suivi."})
    follow_up = FollowUp(
        project=project, on=on, author=author, note=note.strip(), jobs=jobs, turnover=turnover
    )
    follow_up.full_clean()
    follow_up.save()
    audit.record(actor=actor, action="cigales.follow_up.record", target=follow_up)
    return follow_up


def send_follow_up_reminders(*, today: datetime.date | None = None) -> int:
    """Reminds the mentors (and the club's officers) of each investment without a follow-up for
    a year, once a month until it is written. Returns how many projects were reminded."""
    from essor.cigales.selectors import overdue_follow_ups

    today = today or timezone.localdate()
    reminded = 0
    for project in overdue_follow_ups(today, limit=None):
        if project.reminded_on and project.reminded_on > today - datetime.timedelta(days=30):
            continue
        users = [m.user for m in project.mentors.all()]
        users += [
            term.member.user
            for term in project.club.officer_terms.all()
            if term.starts_on <= today <= term.ends_on
        ]
        notify(
            users=users,
            message=f"Le suivi annuel {with_article(project.organisation, 'de')} ({project.club}) est à écrire.",
            url=reverse("cigales:project", args=[project.pk]),
            subject="Suivi annuel d'un investissement de votre club CIGALES",
            category="cigales.follow_up",
        )
        Project.objects.filter(pk=project.pk).update(reminded_on=today)
        reminded += 1
    return reminded


# --- exits ---------------------------------------------------------------------------------------


def contributors_at(club: Club, day: datetime.date) -> list[tuple[Member, Decimal]]:
    """Each member's savings up to `day`, in the tie-break order of `split_pro_rata`."""
    totals = {
        row["member"]: row["total"]
        for row in Contribution.objects.filter(club=club, month__lte=day)
        .values("member")
        .annotate(total=Sum("amount"))
    }
    members = Member.objects.filter(pk__in=totals).order_by("joined_on", "pk")
    return [(member, totals[member.pk]) for member in members]


def record_exit(*, actor, investment: Investment, kind: str, on: datetime.date, recovered) -> Exit:
    """How an investment ended; what came back is shared between the members who funded it, pro
    rata of their savings on the day of the investment, to the cent (`split`)."""
    with transaction.atomic():
        _require_editor(actor, investment.club)
        club = _locked(investment.club)
        if Exit.objects.filter(investment=investment).exists():
            raise ValidationError("La sortie de cet investissement est déjà enregistrée.")
        if kind not in Exit.Kind.values:
            raise ValidationError({"kind": "Choisissez la nature de la sortie."})
        recovered = to_cents(recovered if recovered not in (None, "") else 0)
        if recovered < 0:
            raise ValidationError({"recovered": "Le montant récupéré ne peut pas être négatif."})
        if problem := too_large(recovered, 12):
            raise ValidationError({"recovered": f"Le montant récupéré {problem}."})
        if kind in (Exit.Kind.WRITE_OFF,) and recovered:
            raise ValidationError({"recovered": "Une perte ne récupère rien : saisissez 0."})
        if on < investment.on:
            raise ValidationError({"on": "La sortie suit l'investissement."})
        if on > timezone.localdate():
            raise ValidationError({"on": "Une sortie se saisit une fois faite."})
        funders = contributors_at(club, investment.on)
        if not funders:
            raise ValidationError("Aucune épargne avant cet investissement : rien à répartir.")
        try:
            with transaction.atomic():
                exit_record = Exit.objects.create(
                    investment=investment,
                    club=club,
                    kind=kind,
                    on=on,
                    recovered=recovered,
                    recorded_by=actor,
                )
        except IntegrityError as exc:
            raise ValidationError("La sortie de cet investissement est déjà enregistrée.") from exc
        weights = [(member.pk, saved) for member, saved in funders]
        cost_parts = split_pro_rata(investment.amount, weights)
        recovered_parts = (
            split_pro_rata(recovered, weights) if recovered else dict.fromkeys(cost_parts, 0)
        )
        ExitShare.objects.bulk_create(
            [
                ExitShare(
                    exit=exit_record,
                    member_id=member_id,
                    invested=cost_parts[member_id],
                    recovered=recovered_parts[member_id],
                )
                for member_id in cost_parts
            ]
        )
        # Shares handed out to members come back in kind, not as cash: recovered and handed back.
        in_kind = recovered if kind == Exit.Kind.SHARES_TO_MEMBERS else Decimal(0)
        Club.objects.filter(pk=club.pk).update(
            recovered=F("recovered") + recovered, handed_back=F("handed_back") + in_kind
        )
        audit.record(
            actor=actor,
            action="cigales.exit.record",
            target=exit_record,
            changes={"récupéré": [None, str(recovered)]},
        )
        project = Project.objects.select_for_update(of=("self",)).get(pk=investment.project_id)
        if not project.investments.filter(exit_record__isnull=True).exists():
            workflow.perform(project.exit, actor=actor)
    return exit_record
