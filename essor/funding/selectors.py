"""Reads of the funding module: scoped querysets, the co-financing picture, dashboards, the SCDL
open data rows and the indicators published to the observatory. Every list runs a constant
number of queries."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from essor.core.formats import round_half_up
from essor.core.indicators import IndicatorTable
from essor.core.permissions import is_agency_member
from essor.funding import access, budget
from essor.funding.models import (
    DECIDED,
    Application,
    Envelope,
    FinancialReport,
    FunderProfile,
    Payment,
    Programme,
    Share,
    ShareStatus,
)

ZERO = Decimal(0)
MONEY = DecimalField(max_digits=14, decimal_places=2)
# Shares that count as "requested" in the figures: everything deposited (not drafts).
DEPOSITED = [status for status in ShareStatus.values if status != ShareStatus.DRAFT]


def scdl_threshold() -> Decimal:
    return Decimal(str(getattr(settings, "ESSOR_FUNDING_SCDL_THRESHOLD", 23000)))


# --- catalogue ----------------------------------------------------------------------------------


def catalogue(*, day, text: str = "", funder_id=None, sector_id=None, open_only: bool = True):
    programmes = Programme.objects.filter(is_published=True).select_related("funder__organisation")
    if open_only:
        programmes = programmes.filter(opens_on__lte=day, closes_on__gte=day)
    if text:
        programmes = programmes.filter(
            Q(name__icontains=text) | Q(summary__icontains=text) | Q(description__icontains=text)
        )
    if funder_id:
        programmes = programmes.filter(funder_id=funder_id)
    if sector_id:
        programmes = programmes.filter(Q(sectors__isnull=True) | Q(sectors=sector_id)).distinct()
    return programmes.prefetch_related("sectors").order_by("closes_on", "name")


def funders():
    return FunderProfile.objects.select_related("organisation").order_by("organisation__name")


def open_programmes_for(application: Application, *, day):
    return (
        Programme.objects.filter(is_published=True, opens_on__lte=day, closes_on__gte=day)
        .exclude(shares__application=application)
        .select_related("funder__organisation")
        .order_by("funder__organisation__name", "name")
    )


def envelopes_with_balance(programme_ids, year: int) -> dict[int, Envelope]:
    return {
        envelope.programme_id: envelope
        for envelope in Envelope.objects.filter(programme_id__in=programme_ids, year=year)
    }


# --- scoped querysets ---------------------------------------------------------------------------


def applications_for_applicant(user):
    return (
        Application.objects.filter(organisation_id__in=access.applicant_organisation_ids(user))
        .select_related("organisation")
        .prefetch_related("shares__programme__funder__organisation")
        .order_by("-created_at")
    )


def page_of_shares(shares, number, *, per_page: int = 50):
    """A page of the instruction list in two narrow steps: the ids of the page (sorted on the
    shares table alone, through the `funding_share_recent` index), then those shares with their
    relations. Sorting whole joined rows would cost a temporary sort of every match."""
    from django.core.paginator import Paginator

    page = Paginator(shares.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    by_id = {
        share.pk: share
        for share in Share.objects.filter(pk__in=ids).select_related(
            "application__organisation", "programme__funder__organisation"
        )
    }
    page.object_list = [by_id[pk] for pk in ids if pk in by_id]
    return page


def shares_for_instruction(user, *, status="", programme_id=None, year=None, text=""):
    """The shares an instructor (their funders' programmes) or the agency (all) sees."""
    shares = Share.objects.exclude(status=ShareStatus.DRAFT)
    if not is_agency_member(user):
        programme_ids = list(
            Programme.objects.filter(
                funder__organisation_id__in=access.funder_organisation_ids(user)
            ).values_list("pk", flat=True)
        )
        shares = shares.filter(programme_id__in=programme_ids)
    if status:
        shares = shares.filter(status=status)
    if programme_id:
        shares = shares.filter(programme_id=programme_id)
    if year:
        shares = shares.filter(year=year)
    if text:
        # Matching applications first (nested `IN` subqueries, no join on every share): the
        # reference or title in the narrow search column, the structure's name in the directory's
        # full-text index.
        from essor.directory.models import Organisation
        from essor.directory.search import search_organisations

        named = search_organisations(Organisation.objects.all(), text, ranked=False)
        matching = Application.objects.filter(
            Q(search_text__contains=Application.search_key(text))
            | Q(organisation_id__in=named.values("pk"))
        ).values("pk")
        shares = shares.filter(application_id__in=matching)
    return shares.order_by("-updated_at", "-pk")


def programmes_for_user(user):
    programmes = Programme.objects.select_related("funder__organisation")
    if not is_agency_member(user):
        programmes = programmes.filter(
            funder__organisation_id__in=access.funder_organisation_ids(user)
        )
    return programmes.order_by("funder__organisation__name", "name")


def funders_for_user(user):
    profiles = FunderProfile.objects.select_related("organisation")
    if is_agency_member(user):
        return profiles
    return profiles.filter(organisation_id__in=access.funder_organisation_ids(user))


def application_for_page(pk: int):
    return (
        Application.objects.select_related("organisation", "sector", "commune", "created_by")
        .prefetch_related(
            "budget_lines",
            "attachments",
            "shares__programme__funder__organisation",
            "shares__programme__instructors",
            "shares__agreement__payments",
            "shares__agreement__report",
            "messages__author",
            "messages__author_organisation",
        )
        .filter(pk=pk)
        .first()
    )


# --- co-financing -------------------------------------------------------------------------------


@dataclass
class FunderLine:
    share: Share
    requested: Decimal
    granted: Decimal
    paid: Decimal


@dataclass
class Cofinancing:
    lines: list = field(default_factory=list)
    requested: Decimal = ZERO
    granted: Decimal = ZERO
    paid: Decimal = ZERO
    project_cost: Decimal = ZERO


def cofinancing(application: Application) -> Cofinancing:
    """Each funder's requested, granted and paid amounts side by side (from the prefetched
    shares of `application_for_page`)."""
    picture = Cofinancing()
    for share in application.shares.all():
        agreement = (
            getattr(share, "agreement", None) if share.status == ShareStatus.ACCEPTED else None
        )
        paid = ZERO
        if agreement is not None:
            paid = sum(
                (p.amount for p in agreement.payments.all() if p.status == Payment.Status.PAID),
                ZERO,
            )
        line = FunderLine(
            share=share,
            requested=share.amount_requested,
            granted=share.amount_granted or ZERO,
            paid=paid,
        )
        picture.lines.append(line)
        picture.requested += line.requested
        picture.granted += line.granted
        picture.paid += line.paid
    amounts = {line.code: line.amount for line in application.budget_lines.all()}
    picture.project_cost = budget.totals(amounts).charges
    return picture


def budget_grid(application: Application) -> dict:
    """The Cerfa 12156 grid as two lists of (account, amount) and the totals."""
    amounts = {line.code: line.amount for line in application.budget_lines.all()}
    return {
        "charges": [(account, amounts.get(account.code, ZERO)) for account in budget.CHARGES],
        "produits": [(account, amounts.get(account.code, ZERO)) for account in budget.PRODUITS],
        "totals": budget.totals(amounts),
    }


def report_grid(report: FinancialReport) -> dict:
    lines = {line.code: line for line in report.lines.all()}
    rows = []
    for account in budget.ACCOUNTS:
        line = lines.get(account.code)
        planned = line.planned if line else ZERO
        actual = line.actual if line else ZERO
        rows.append(
            {
                "account": account,
                "planned": planned,
                "actual": actual,
                "gap": budget.gap_percent(planned, actual),
            }
        )
    planned_totals = budget.totals({row["account"].code: row["planned"] for row in rows})
    actual_totals = budget.totals({row["account"].code: row["actual"] for row in rows})
    return {
        "charges": [row for row in rows if row["account"].side == budget.CHARGE],
        "produits": [row for row in rows if row["account"].side == budget.PRODUIT],
        "planned": planned_totals,
        "actual": actual_totals,
    }


def payments_of_organisations(organisation_ids):
    return (
        Payment.objects.filter(agreement__share__application__organisation_id__in=organisation_ids)
        .select_related(
            "agreement__share__application", "agreement__share__programme__funder__organisation"
        )
        .order_by("status", "due_on")
    )


def reports_of_organisations(organisation_ids):
    return (
        FinancialReport.objects.filter(
            agreement__share__application__organisation_id__in=organisation_ids
        )
        .select_related(
            "agreement__share__application", "agreement__share__programme__funder__organisation"
        )
        .order_by("due_on")
    )


def reports_for_instruction(user):
    reports = FinancialReport.objects.all()
    if not is_agency_member(user):
        reports = reports.filter(
            agreement__share__programme__funder__organisation_id__in=access.funder_organisation_ids(
                user
            )
        )
    return reports.select_related(
        "agreement__share__application__organisation",
        "agreement__share__programme__funder__organisation",
    ).order_by("status", "due_on")


# --- dashboards ---------------------------------------------------------------------------------

DIMENSIONS = {
    "programme": ("programme_id", "programme__name"),
    "funder": ("programme__funder_id", "programme__funder__organisation__name"),
    "sector": ("sector__slug", "sector__name"),
    "commune": ("commune__insee_code", "commune__name"),
    "year": ("year", "year"),
}


@dataclass
class DashboardRow:
    key: object
    label: str
    requested: Decimal = ZERO
    granted: Decimal = ZERO
    paid: Decimal = ZERO
    structures: int = 0


def dashboard(*, funder_ids=None, year=None, dimension: str = "programme") -> list[DashboardRow]:
    """Requested, granted, paid and number of structures by `dimension`, in one query on the
    shares (which carry the year, sector, commune, organisation and paid amount of their
    application), whatever the number of applications. `funder_ids` None: every funder."""
    key, label = DIMENSIONS[dimension]
    shares = Share.objects.filter(status__in=DEPOSITED)
    if funder_ids is not None:
        programme_ids = list(
            Programme.objects.filter(funder_id__in=funder_ids).values_list("pk", flat=True)
        )
        shares = shares.filter(programme_id__in=programme_ids)
    if year:
        shares = shares.filter(year=year)
    rows = []
    for item in (
        shares.values(key, label)
        .annotate(
            requested=Sum("amount_requested"),
            granted=Coalesce(
                Sum("amount_granted", filter=Q(status=ShareStatus.ACCEPTED)),
                Value(ZERO),
                output_field=MONEY,
            ),
            paid=Sum("amount_paid"),
            structures=Count("organisation_id", distinct=True),
        )
        .order_by(label)
    ):
        rows.append(
            DashboardRow(
                key=item[key],
                label=str(item[label]) if item[label] is not None else "Non renseigné",
                requested=item["requested"] or ZERO,
                granted=item["granted"] or ZERO,
                paid=item["paid"] or ZERO,
                structures=item["structures"],
            )
        )
    return rows


def dashboard_totals(rows: list[DashboardRow]) -> DashboardRow:
    total = DashboardRow(key=None, label="Total")
    for row in rows:
        total.requested += row.requested
        total.granted += row.granted
        total.paid += row.paid
    return total


def years_with_applications() -> list[int]:
    """The years a dashboard may show: those of the envelopes (a small table) and this one."""
    from django.utils import timezone

    years = set(Envelope.objects.values_list("year", flat=True).distinct())
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def envelopes_for(funder_ids=None, year=None):
    envelopes = Envelope.objects.select_related("programme__funder__organisation")
    if funder_ids is not None:
        envelopes = envelopes.filter(programme__funder_id__in=funder_ids)
    if year:
        envelopes = envelopes.filter(year=year)
    return envelopes.order_by("programme__funder__organisation__name", "programme__name", "-year")


# --- open data (SCDL subventions 2.1.1) ---------------------------------------------------------

SCDL_HEADERS = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
]
SCDL_RNA = re.compile(r"^W\d{9}$")
# pourcentageSubvention: the funder's part of the subsidy, 0.01 to 1 (two decimals, half up).


def scdl_shares(*, year: int, funder_siret: str | None = None):
    """Accepted shares whose agreement was signed in `year`, above the legal threshold, in the
    order of their agreements (the index on the signing date: no sort)."""
    shares = Share.objects.filter(
        status=ShareStatus.ACCEPTED,
        agreement__signed_on__year=year,
        amount_granted__gt=scdl_threshold(),
    )
    if funder_siret:
        programme_ids = list(
            Programme.objects.filter(funder__siret=funder_siret).values_list("pk", flat=True)
        )
        shares = shares.filter(programme_id__in=programme_ids)
    return shares.order_by("agreement__signed_on", "agreement__id")


# The funder and programme come from a small dictionary, not from joins on 100,000 rows.
SCDL_VALUES = [
    "programme_id",
    "agreement__id",
    "agreement__signed_on",
    "agreement__reference",
    "agreement__payment_mode",
    "agreement__report__due_on",
    "decision_reference",
    "application__organisation__name",
    "application__siret",
    "application__rna",
    "application__title",
    "amount_granted",
]


def _iso(value) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _payment_schedule(agreement_ids) -> dict[int, list[tuple[str, str]]]:
    """The payments still due or made of these agreements: {agreement id: [(paid on, planned
    on)]}, ISO dates, "" when none (a balance waits for the report: no planned date)."""
    schedule: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for agreement_id, paid_on, due_on in (
        Payment.objects.filter(agreement_id__in=agreement_ids)
        .exclude(status=Payment.Status.CANCELLED)
        .values_list("agreement_id", "paid_on", "due_on")
    ):
        schedule[agreement_id].append(
            (paid_on.isoformat() if paid_on else "", due_on.isoformat() if due_on else "")
        )
    return schedule


def payment_period(signed: str, payments, report_due: str) -> str:
    """SCDL `datesPeriodeVersement`: the date of a payment made when it is the only one (a
    precise date known), else the period from the first payment (its date if made, else the
    agreement's: it may come from then on) to the last one (its date if made, else the date
    planned; a balance waiting for the financial report: the report's due date). Cancelled
    payments do not count; none left: the agreement's date."""
    if not payments:
        return signed
    dated = sorted((paid or due or report_due, bool(paid)) for paid, due in payments)
    (first, first_paid), (last, _) = dated[0], dated[-1]
    start = first if first_paid else signed
    if all(paid for _, paid in dated) and start == last:
        return start
    return f"{start}/{last}"


def scdl_rows(*, year: int, funder_siret: str | None = None, chunk_size: int = 2000):
    """The SCDL rows, each field as its description in the schema defines it (see the README's
    table), streamed from the database with a chunked (server-side on PostgreSQL) cursor: memory
    stays flat whatever the number of rows. The rows are read raw (no model or field conversion:
    100,000 subsidies take a few seconds); their payments, one query per chunk."""
    from django.db import connection

    programmes = {
        pk: (funder_name, siret, aid_scheme_id, de_minimis)
        for pk, funder_name, siret, aid_scheme_id, de_minimis in Programme.objects.values_list(
            "pk", "funder__organisation__name", "funder__siret", "aid_scheme_id", "de_minimis"
        )
    }
    queryset = scdl_shares(year=year, funder_siret=funder_siret).values_list(*SCDL_VALUES)
    sql, params = queryset.query.sql_with_params()
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        # The whole result is read: plan for it, not for its first rows (the default of cursors).
        with connection.cursor() as setting_cursor:
            setting_cursor.execute("SET cursor_tuple_fraction = 1.0")
    cursor = connection.chunked_cursor()
    try:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            schedule = _payment_schedule([row[1] for row in rows])
            for (
                programme_id,
                agreement_id,
                signed_on,
                agreement_reference,
                payment_mode,
                report_due_on,
                decision_reference,
                beneficiary,
                siret,
                rna,
                title,
                granted,
            ) in rows:
                funder_name, funder_siret_value, aid_scheme_id, de_minimis = programmes[
                    programme_id
                ]
                signed = _iso(signed_on)
                report_due = _iso(report_due_on) if report_due_on else signed
                yield [
                    funder_name,
                    funder_siret_value,
                    signed,
                    decision_reference or agreement_reference,
                    beneficiary,
                    siret or "",
                    rna if rna and SCDL_RNA.match(rna) else "",
                    title[:256],
                    # The whole subsidy, before any sharing out between beneficiaries.
                    round_half_up(granted, 2),
                    "aide en numéraire",
                    "échelonné" if payment_mode == "advance" else "unique",
                    payment_period(signed, schedule.get(agreement_id, ()), report_due),
                    "",  # Essor does not reference its programmes in the RAE
                    "oui" if de_minimis else "non",
                    # Each subsidy goes whole to its one beneficiary (co-funders are other rows).
                    "1.00",
                    aid_scheme_id,
                ]
    finally:
        cursor.close()
        if postgresql:
            with connection.cursor() as setting_cursor:
                setting_cursor.execute("RESET cursor_tuple_fraction")


def open_data_index():
    """Funders and the years in which they signed agreements (for the open data page)."""
    pairs = (
        Share.objects.filter(status=ShareStatus.ACCEPTED, agreement__isnull=False)
        .values_list(
            "programme__funder__siret",
            "programme__funder__organisation__name",
            "agreement__signed_on__year",
        )
        .distinct()
        .order_by("programme__funder__organisation__name", "-agreement__signed_on__year")
    )
    grouped = defaultdict(list)
    names = {}
    for siret, name, year in pairs:
        names[siret] = name
        if year not in grouped[siret]:
            grouped[siret].append(year)
    return [
        {"siret": siret, "name": names[siret], "years": years} for siret, years in grouped.items()
    ]


# --- indicators ---------------------------------------------------------------------------------

INDICATOR_NOTE = (
    "Montants demandés (dossiers déposés), accordés (décisions favorables) et versés, par année "
    "financée. Source : dossiers instruits dans Essor."
)


def _indicator(dimension: str, year: int, *, key_of=str) -> IndicatorTable:
    rows = dashboard(year=year, dimension=dimension)
    return IndicatorTable(
        columns=["Libellé", "Demandé (€)", "Accordé (€)", "Versé (€)", "Structures"],
        rows=[[row.label, row.requested, row.granted, row.paid, row.structures] for row in rows],
        row_keys=[key_of(row.key) for row in rows],
        note=INDICATOR_NOTE,
    )


def amounts_by_funder(year: int) -> IndicatorTable:
    return _indicator("funder", year)


def amounts_by_programme(year: int) -> IndicatorTable:
    return _indicator("programme", year)


def amounts_by_sector(year: int) -> IndicatorTable:
    return _indicator("sector", year)


def amounts_by_commune(year: int) -> IndicatorTable:
    return _indicator("commune", year)


def decided_statuses():
    return DECIDED


def agenda_candidates(session, user):
    """The shares `user` may put on a session's agenda: its funder's, deposited or in
    instruction, not on it yet, of the programmes the user instructs (the rule of
    `access.can_instruct_share`, as a query)."""
    shares = (
        Share.objects.filter(
            programme__funder=session.funder,
            status__in=[ShareStatus.SUBMITTED, ShareStatus.INSTRUCTION],
        )
        .exclude(agenda_items__session=session)
        .select_related("application__organisation", "programme")
        .order_by("application__reference")
    )
    funder = session.funder
    if funder.organisation_id in access.funder_organisation_ids(user):
        instructed = Programme.objects.filter(funder=funder).filter(
            Q(instructors__isnull=True) | Q(instructors=user)
        )
        return shares.filter(programme_id__in=instructed.values("pk"))
    if funder.agency_front_office and is_agency_member(user):
        return shares
    return shares.none()
