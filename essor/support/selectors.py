"""Reads of the support module: lists, timeline, caseload, duplicates, and the indicators it
publishes to the observatory (aggregates only, counts of people through `core.disclosure`)."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Case, Count, Max, Min, OuterRef, Prefetch, Q, Subquery, Value, When
from django.utils import timezone

from essor.accounts.models import AGENCY_ROLES
from essor.core import params, workflow
from essor.core.disclosure import LinkedFigures, share, suppress_counts, suppress_total
from essor.core.indicators import Indicator, IndicatorTable
from essor.core.models import AuditLogEntry
from essor.directory.models import Sector
from essor.support.models import Action, ActionKind, ProjectHolder, Stage
from essor.support.services import STAGE_DATE_FIELDS, name_key, phone_key
from essor.territory.models import Commune

PAGE_SIZE = 50
AXIS = "Porteurs de projet"

# --- holders ------------------------------------------------------------------------------------


def active_holders():
    """Holders that were not merged into another one."""
    return ProjectHolder.objects.filter(merged_into__isnull=True)


def agency_users():
    """The people who may follow a holder: agency admins and staff."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__role__in=AGENCY_ROLES)
        .distinct()
        .order_by("full_name", "email")
    )


@dataclass
class HolderFilters:
    query: str = ""
    stage: str = ""
    advisor: str = ""  # a user's pk, "aucun" for nobody
    sector: str = ""  # a sector slug


def filtered_holders(filters: HolderFilters):
    holders = active_holders().select_related("commune", "advisor")
    if filters.query:
        key = name_key(filters.query)
        holders = holders.filter(
            Q(name_key__contains=key) | Q(email__icontains=filters.query.strip())
        )
    if filters.stage in Stage.values:
        holders = holders.filter(stage=filters.stage)
    if filters.advisor == "aucun":
        holders = holders.filter(advisor__isnull=True)
    elif (advisor_id := params.identifier(filters.advisor)) is not None:
        holders = holders.filter(advisor_id=advisor_id)
    if filters.sector:
        holders = holders.filter(sectors__slug=filters.sector)
    return holders


def holder_page(filters: HolderFilters, page_number=None):
    """One page of holders (constant number of queries: sectors prefetched, last action annotated)."""
    holders = (
        filtered_holders(filters)
        .annotate(last_action_on=Max("actions__date"))
        .prefetch_related(Prefetch("sectors", queryset=Sector.objects.only("name", "slug")))
    )
    return Paginator(holders.order_by("name", "pk"), PAGE_SIZE).get_page(page_number)


def search_holders(text: str):
    key = name_key(text)
    return (
        active_holders()
        .filter(Q(name_key__contains=key) | Q(email__icontains=text.strip()))
        .select_related("commune")
        .order_by("name", "pk")
    )


EXPORT_HEADERS = [
    "Numéro",
    "Nom",
    "Porteur",
    "Idée de projet",
    "Secteurs",
    "Commune",
    "Code INSEE",
    "QPV",
    "A connu l'agence par",
    "Chargé de mission",
    "Étape",
    "Premier accueil",
    "Émergence",
    "Structuration",
    "Création",
    "Abandon",
    "Motif de l'abandon",
    "Structure créée (SIREN)",
    "Courriel",
    "Téléphone",
    "Consentement le",
    "Portée du consentement",
]


def export_rows(filters: HolderFilters):
    """The filtered holders as rows (streamed in chunks, sectors prefetched per chunk)."""
    holders = (
        filtered_holders(filters)
        .select_related("organisation")
        .prefetch_related(Prefetch("sectors", queryset=Sector.objects.only("name")))
        .order_by("name", "pk")
    )
    for holder in holders.iterator(chunk_size=1000):
        yield [
            holder.pk,
            holder.name,
            holder.get_kind_display(),
            holder.idea,
            ", ".join(sector.name for sector in holder.sectors.all()),
            holder.commune.name,
            holder.commune.insee_code,
            "oui" if holder.in_qpv else "non",
            holder.get_heard_via_display(),
            str(holder.advisor) if holder.advisor_id else "",
            holder.get_stage_display(),
            holder.first_contact_on,
            holder.emergence_on,
            holder.structuring_on,
            holder.creation_date,
            holder.abandoned_on,
            holder.abandon_reason,
            (holder.organisation.siren or holder.organisation.name) if holder.organisation else "",
            holder.email,
            holder.phone,
            holder.consent_on,
            holder.get_consent_scope_display(),
        ]


def holder_for_page(pk: int) -> ProjectHolder:
    return (
        ProjectHolder.objects.select_related("commune", "advisor", "organisation", "merged_into")
        .prefetch_related("sectors")
        .get(pk=pk)
    )


def timeline(holder: ProjectHolder) -> list[dict]:
    """The holder's history, newest first: the first contact, the stages reached (from the
    machine's transition log: who, and the note or reason) and the actions (with those of merged
    duplicates, which were moved here). A stage reached before the log existed shows its date."""
    events = [
        {
            "date": holder.first_contact_on,
            "kind": "stage",
            "label": "Premier accueil (étape « Idée »)",
        }
    ]
    field = ProjectHolder._meta.get_field("stage")
    done_labels = {
        t.target: workflow.step_of(t).done for t in field.get_all_transitions(ProjectHolder)
    }
    stage_of_label = {label: value for value, label in Stage.choices}
    reached = {}
    for row in workflow.history(holder, "stage"):
        stage = stage_of_label.get(row.target)
        if stage:
            reached[stage] = {"label": row.label, "by": row.by, "reason": row.reason, "at": row.at}
    for stage, date_field in STAGE_DATE_FIELDS.items():
        if stage == Stage.IDEA:
            continue
        logged = reached.get(stage)
        date = getattr(holder, date_field)
        if date is None and logged is None:
            continue
        event = {
            "date": date or timezone.localdate(logged["at"]),
            "kind": "stage",
            "label": logged["label"] if logged else done_labels[stage],
            "by": logged["by"] if logged else None,
            "reason": logged["reason"] if logged else "",
        }
        if stage == Stage.CREATION and holder.organisation_id:
            event["detail"] = holder.organisation.name
        elif stage == Stage.ABANDONED and not logged:
            event["reason"] = holder.abandon_reason
        events.append(event)
    for action in holder.actions.select_related("staff").order_by("-date", "-pk"):
        events.append(
            {
                "date": action.date,
                "kind": "action",
                "label": action.get_kind_display(),
                "action": action,
            }
        )
    # Stable order: newest first, stages before the actions of the same day.
    events.sort(key=lambda event: (event["date"], event["kind"] == "stage"), reverse=True)
    return events


def holder_history(holder: ProjectHolder, limit: int = 30):
    """The audit entries of the holder and of the duplicates merged into it."""
    ids = [str(holder.pk), *(str(pk) for pk in holder.merged_from.values_list("pk", flat=True))]
    return AuditLogEntry.objects.filter(
        target_type="support.projectholder", target_id__in=ids
    ).select_related("actor")[:limit]


def possible_duplicates(
    *, name: str, commune=None, email: str = "", phone: str = "", exclude_pk=None
):
    """Holders that may be the same person: same name in the same commune, same e-mail or same
    phone number."""
    condition = Q()
    key = name_key(name)
    if key and commune is not None:
        condition |= Q(name_key=key, commune=commune)
    if email:
        condition |= Q(email__iexact=email.strip())
    digits = phone_key(phone)
    if len(digits) >= 6:
        condition |= Q(phone_key=digits)
    if not condition:
        return ProjectHolder.objects.none()
    holders = active_holders().filter(condition).select_related("commune")
    if exclude_pk:
        holders = holders.exclude(pk=exclude_pk)
    return holders.order_by("name", "pk")


# --- caseload and reminders -----------------------------------------------------------------------


def open_reminders():
    return Action.objects.filter(reminder_on__isnull=False, reminder_done_on__isnull=True)


def due_reminder_count(user, *, today: datetime.date | None = None) -> int:
    """Reminders due (today or before) on the holders `user` follows."""
    today = today or timezone.localdate()
    return (
        open_reminders()
        .filter(
            reminder_on__lte=today,
            holder__advisor=user,
            holder__merged_into__isnull=True,
            holder__erased_on__isnull=True,
        )
        .count()
    )


def caseload(user, *, today: datetime.date | None = None) -> dict:
    """The holders a staff member follows (still accompanied), with their last action and next
    open reminder; due reminders first. Four queries whatever the caseload."""
    today = today or timezone.localdate()
    next_reminder = (
        open_reminders()
        .filter(holder=OuterRef("pk"))
        .order_by("reminder_on", "pk")
        .values("reminder_on")[:1]
    )
    next_step = (
        open_reminders()
        .filter(holder=OuterRef("pk"))
        .order_by("reminder_on", "pk")
        .values("next_step")[:1]
    )
    next_action_pk = (
        open_reminders()
        .filter(holder=OuterRef("pk"))
        .order_by("reminder_on", "pk")
        .values("pk")[:1]
    )
    holders = list(
        active_holders()
        .filter(advisor=user, erased_on__isnull=True)
        .exclude(stage__in=[Stage.CREATION, Stage.ABANDONED])
        .select_related("commune")
        .annotate(
            last_action_on=Max("actions__date"),
            reminder_on=Subquery(next_reminder),
            reminder_step=Subquery(next_step),
            reminder_action=Subquery(next_action_pk),
        )
        .order_by(
            Case(When(reminder_on__isnull=True, then=Value(1)), default=Value(0)),
            "reminder_on",
            "name",
        )
    )
    for holder in holders:
        holder.reminder_due = holder.reminder_on is not None and holder.reminder_on <= today
    return {
        "holders": holders,
        "due": sum(1 for holder in holders if holder.reminder_due),
        "today": today,
    }


# --- referral -------------------------------------------------------------------------------------


def referral_summary(action: Action) -> list[tuple[str, str]]:
    """Only the fields the person agreed to share with the partner: (label, value) pairs."""
    from essor.support.models import SHAREABLE_FIELDS

    holder = action.holder
    values = {
        "name": holder.name,
        "email": holder.email,
        "phone": holder.phone,
        "commune": holder.commune.name,
        "idea": holder.idea,
        "sectors": ", ".join(sector.name for sector in holder.sectors.all()),
        "stage": holder.get_stage_display(),
    }
    return [
        (SHAREABLE_FIELDS[field], values[field])
        for field in action.shared_fields
        if field in SHAREABLE_FIELDS and values.get(field)
    ]


def referral_email_text(action: Action, *, agency_name: str, staff_name: str) -> str:
    lines = [
        f"Objet : orientation d'un porteur de projet de l'ESS — {action.partner_label}",
        "",
        "Bonjour,",
        "",
        f"{agency_name} vous oriente un porteur de projet qu'elle accompagne. Avec son accord, "
        "voici les informations qu'il accepte de vous transmettre :",
        "",
    ]
    lines += [f"- {label} : {value}" for label, value in referral_summary(action)]
    if action.notes:
        lines += ["", f"Objet de l'orientation : {action.notes}"]
    lines += ["", "Bien cordialement,", staff_name, agency_name]
    return "\n".join(lines)


# --- indicators (published to the observatory) ---------------------------------------------------


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _accompanied_in(year: int):
    """Holders accompanied during the year: arrived by 31 December, and not created or abandoned
    before 1 January."""
    start, end = _year_bounds(year)
    return (
        active_holders()
        .filter(first_contact_on__lte=end)
        .exclude(creation_date__lt=start)
        .exclude(abandoned_on__lt=start)
    )


def _ranked(pairs: list[tuple[str, str, int]], *, total_published: bool):
    """(key, label, count) ranked by count (then label), counts of people made secret-safe."""
    pairs = sorted(pairs, key=lambda item: (-item[2], item[1]))
    counts = suppress_counts([count for _, _, count in pairs], total_published=total_published)
    return pairs, counts


def _sector_table(holders, year: int, column: str, note: str) -> IndicatorTable:
    counts = dict(
        holders.values("sectors").annotate(n=Count("pk", distinct=True)).values_list("sectors", "n")
    )
    pairs = [
        (sector.slug, sector.name, counts.get(sector.pk, 0))
        for sector in Sector.objects.only("slug", "name")
    ]
    # A holder with several sectors counts in each: the column has no total, so only small cells
    # are hidden (no secondary suppression is needed).
    pairs, values = _ranked(pairs, total_published=False)
    return IndicatorTable(
        columns=["Secteur", column],
        rows=[[label, value] for (_, label, _), value in zip(pairs, values, strict=True)],
        row_keys=[key for key, _, _ in pairs],
        note=note,
    )


def new_holders_by_sector(year: int) -> IndicatorTable:
    start, end = _year_bounds(year)
    holders = active_holders().filter(first_contact_on__gte=start, first_contact_on__lte=end)
    return _sector_table(
        holders,
        year,
        "Nouveaux porteurs de projet",
        f"Porteurs de projet accueillis pour la première fois en {year}, classés par nombre. "
        "Un porteur dont le projet relève de plusieurs secteurs compte dans chacun. "
        "Les effectifs de 1 à 4 personnes sont masqués (secret statistique).",
    )


def stage_at(date: datetime.date):
    """An expression: the holder's stage on `date`, from the dates its stages were reached."""
    return Case(
        When(abandoned_on__lte=date, then=Value(Stage.ABANDONED.value)),
        When(creation_date__lte=date, then=Value(Stage.CREATION.value)),
        When(structuring_on__lte=date, then=Value(Stage.STRUCTURING.value)),
        When(emergence_on__lte=date, then=Value(Stage.EMERGENCE.value)),
        default=Value(Stage.IDEA.value),
    )


def holders_by_stage(year: int) -> IndicatorTable:
    _, end = _year_bounds(year)
    counts = dict(
        _accompanied_in(year)
        .annotate(stage_then=stage_at(end))
        .values("stage_then")
        .annotate(n=Count("pk"))
        .values_list("stage_then", "n")
    )
    stages = list(Stage)
    raw = [counts.get(stage.value, 0) for stage in stages]
    values = suppress_counts(raw)
    return IndicatorTable(
        columns=["Étape", "Porteurs de projet"],
        rows=[[stage.label, value] for stage, value in zip(stages, values, strict=True)],
        row_keys=[stage.value for stage in stages],
        note=f"Porteurs de projet accompagnés en {year} (accueillis au plus tard le 31 décembre, "
        "ni créés ni abandonnés avant le 1er janvier), selon leur étape au 31 décembre. "
        "Les effectifs de 1 à 4 personnes sont masqués (secret statistique).",
    )


def holders_by_commune(year: int) -> IndicatorTable:
    counts = dict(
        _accompanied_in(year)
        .values("commune_id")
        .annotate(n=Count("pk"))
        .values_list("commune_id", "n")
    )
    communes = Commune.objects.filter(pk__in=counts).only("insee_code", "name")
    rows = [(commune.insee_code, commune.name, counts[commune.pk]) for commune in communes]
    pairs, values = _ranked(rows, total_published=True)
    return IndicatorTable(
        columns=["Commune", "Porteurs de projet"],
        rows=[[label, value] for (_, label, _), value in zip(pairs, values, strict=True)],
        row_keys=[code for code, _, _ in pairs],
        note=f"Porteurs de projet accompagnés en {year}, par commune (code INSEE). "
        "Les effectifs de 1 à 4 personnes sont masqués (secret statistique).",
    )


def holders_qpv(year: int) -> IndicatorTable:
    counts = dict(
        _accompanied_in(year).values("in_qpv").annotate(n=Count("pk")).values_list("in_qpv", "n")
    )
    inside, outside = counts.get(True, 0), counts.get(False, 0)
    total = inside + outside
    hidden = suppress_counts([inside, outside])
    published_total = suppress_total(total)
    return IndicatorTable(
        columns=["Situation", "Porteurs de projet", "Part (%)"],
        rows=[
            ["En quartier prioritaire (QPV)", hidden[0], share(hidden[0], published_total)],
            ["Hors quartier prioritaire", hidden[1], share(hidden[1], published_total)],
        ],
        row_keys=["qpv", "hors-qpv"],
        note=f"Porteurs de projet accompagnés en {year} selon qu'ils habitent ou portent leur "
        "projet dans un quartier prioritaire de la politique de la ville. "
        "Les effectifs de 1 à 4 personnes sont masqués (secret statistique).",
    )


def creations(year: int) -> IndicatorTable:
    start, end = _year_bounds(year)
    holders = active_holders().filter(creation_date__gte=start, creation_date__lte=end)
    return _sector_table(
        holders,
        year,
        "Créations",
        f"Projets accompagnés par l'agence qui ont abouti en {year} à la création d'une "
        "structure, par secteur (une création relevant de plusieurs secteurs compte dans "
        "chacun). Les effectifs de 1 à 4 sont masqués (secret statistique).",
    )


def _add_years(date: datetime.date, years: int) -> datetime.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


def survival(year: int) -> IndicatorTable:
    """Creations of Y-1 still active one year after, creations of Y-3 three years after."""
    rows, keys = [], []
    for offset, label, key in ((1, "1 an", "1an"), (3, "3 ans", "3ans")):
        cohort = year - offset
        start, end = _year_bounds(cohort)
        created = (
            active_holders()
            .filter(creation_date__gte=start, creation_date__lte=end)
            .values_list("creation_date", "organisation__is_active", "organisation__closed_on")
        )
        total = alive = 0
        for creation_date, is_active, closed_on in created:
            total += 1
            horizon = _add_years(creation_date, offset)
            if closed_on is not None:
                alive += closed_on > horizon
            else:
                alive += bool(is_active)
        # Created = still active + closed: the closures (never shown) are protected too.
        figures = LinkedFigures()
        figures.add("created", total)
        figures.add("alive", alive)
        figures.add("closed", total - alive, published=False)
        figures.add_sum("created", ["alive", "closed"])
        figures.protect()
        published_total = figures.shown("created")
        published_alive = figures.shown("alive") if published_total is not None else None
        rows.append(
            [
                f"Créations de {cohort}, actives {label} après",
                published_total,
                published_alive,
                share(published_alive, published_total),
            ]
        )
        keys.append(key)
    return IndicatorTable(
        columns=["Cohorte", "Créations", "Encore actives", "Taux de survie (%)"],
        rows=rows,
        row_keys=keys,
        chart="none",
        note="Structures créées par les porteurs accompagnés : une structure est active à "
        "l'échéance quand elle n'a pas cessé son activité (date de cessation de l'annuaire) "
        "avant le premier ou le troisième anniversaire de sa création ; une structure cessée "
        "sans date connue compte comme cessée. Effectifs de 1 à 4 masqués (secret statistique).",
    )


def actions_by_kind(year: int) -> IndicatorTable:
    start, end = _year_bounds(year)
    counts = {
        kind: (actions, people)
        # A merge moves the duplicate's actions to the kept holder: no action belongs to a
        # merged holder, so no join is needed.
        for kind, actions, people in Action.objects.filter(date__gte=start, date__lte=end)
        .values("kind")
        .annotate(actions=Count("pk"), people=Count("holder", distinct=True))
        .values_list("kind", "actions", "people")
    }
    kinds = sorted(ActionKind, key=lambda kind: -counts.get(kind.value, (0, 0))[0])
    people = suppress_counts(
        [counts.get(kind.value, (0, 0))[1] for kind in kinds], total_published=False
    )
    rows = []
    for kind, persons in zip(kinds, people, strict=True):
        actions = counts.get(kind.value, (0, 0))[0]
        # An action count would give back a hidden number of people.
        rows.append([kind.label, actions if persons is not None else None, persons])
    return IndicatorTable(
        columns=["Type d'action", "Actions", "Porteurs de projet concernés"],
        rows=rows,
        row_keys=[kind.value for kind in kinds],
        note=f"Actions d'accompagnement réalisées en {year}, par type, et nombre de porteurs "
        "concernés (un porteur peut bénéficier de plusieurs types d'action). "
        "Les effectifs de 1 à 4 personnes sont masqués (secret statistique).",
    )


INDICATORS = [
    Indicator(
        key="support.new_holders_by_sector",
        module="support",
        axis=AXIS,
        label="Nouveaux porteurs de projet par secteur",
        compute=new_holders_by_sector,
        unit="personnes",
        description="Classement des secteurs des porteurs de projet accueillis dans l'année.",
        order=10,
        tags=("secteurs", "personnes"),
    ),
    Indicator(
        key="support.holders_by_stage",
        module="support",
        axis=AXIS,
        label="Porteurs de projet accompagnés par étape",
        compute=holders_by_stage,
        unit="personnes",
        order=20,
        tags=("personnes",),
    ),
    Indicator(
        key="support.holders_by_commune",
        module="support",
        axis=AXIS,
        label="Porteurs de projet accompagnés par commune",
        compute=holders_by_commune,
        unit="personnes",
        order=30,
        tags=("communes", "personnes"),
    ),
    Indicator(
        key="support.holders_qpv",
        module="support",
        axis=AXIS,
        label="Porteurs de projet en quartier prioritaire (QPV)",
        compute=holders_qpv,
        unit="personnes",
        order=40,
        tags=("qpv", "personnes"),
    ),
    Indicator(
        key="support.creations",
        module="support",
        axis=AXIS,
        label="Créations de structures par secteur",
        compute=creations,
        unit="structures",
        order=50,
        tags=("secteurs", "creations"),
    ),
    Indicator(
        key="support.survival",
        module="support",
        axis=AXIS,
        label="Survie des structures créées à 1 an et 3 ans",
        compute=survival,
        unit="structures",
        order=60,
        tags=("creations", "survie"),
    ),
    Indicator(
        key="support.actions_by_kind",
        module="support",
        axis=AXIS,
        label="Actions d'accompagnement par type",
        compute=actions_by_kind,
        unit="actions",
        order=70,
        tags=("actions",),
    ),
]


def stage_counts() -> Counter:
    """Current number of (unmerged) holders by stage, for the list page's summary."""
    return Counter(
        dict(active_holders().values("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    )


def first_year() -> int | None:
    first = active_holders().aggregate(first=Min("first_contact_on"))["first"]
    return first.year if first else None
