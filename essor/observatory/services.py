"""Writes of the observatory: the stored tables of the indicators and their refresh, the CUD's
sector targets, and the yearly report's PDF."""

import datetime
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from essor.core import audit
from essor.core import indicators as registry
from essor.core.exports import render_pdf, xlsx_bytes
from essor.observatory import selectors
from essor.observatory.models import (
    AnnualReport,
    Audience,
    ComputedTable,
    SectorTarget,
    YearWorkbook,
)

DUPLICATE_TARGET = "Un objectif existe déjà pour ce secteur, cette année et cette mesure."

Progress = Callable[[int, int, str], None]


def _target_facts(target: SectorTarget) -> dict:
    return {
        "année": target.year,
        "secteur": target.sector.name,
        "mesure": target.get_measure_display(),
        "objectif": target.target,
        "commentaire": target.note,
    }


@transaction.atomic
def create_target(*, year: int, sector, measure: str, target: int, note: str = "", actor):
    """A new yearly target; a second target for the same year, sector and measure is refused."""
    item = SectorTarget(
        year=year, sector=sector, measure=measure, target=target, note=note, updated_by=actor
    )
    item.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        raise ValidationError(DUPLICATE_TARGET) from exc
    audit.record(
        actor=actor,
        action="observatory.target.create",
        target=item,
        changes=audit.diff({}, _target_facts(item)),
        message=f"Objectif {item.year} fixé pour {item.sector.name}.",
    )
    return item


@transaction.atomic
def update_target(*, target: SectorTarget, value: int, note: str, actor) -> SectorTarget:
    item = (
        SectorTarget.objects.select_for_update(of=("self",))
        .select_related("sector")
        .get(pk=target.pk)
    )
    before = _target_facts(item)
    item.target, item.note, item.updated_by = value, note, actor
    item.full_clean(validate_unique=False, validate_constraints=False)
    item.save(update_fields=["target", "note", "updated_by", "updated_at"])
    audit.record(
        actor=actor,
        action="observatory.target.update",
        target=item,
        changes=audit.diff(before, _target_facts(item)),
        message=f"Objectif {item.year} modifié pour {item.sector.name}.",
    )
    return item


@transaction.atomic
def delete_target(*, target: SectorTarget, actor) -> None:
    item = (
        SectorTarget.objects.select_for_update(of=("self",))
        .select_related("sector")
        .get(pk=target.pk)
    )
    audit.record(
        actor=actor,
        action="observatory.target.delete",
        target=item,
        changes=audit.diff(_target_facts(item), {}),
        message=f"Objectif {item.year} supprimé pour {item.sector.name}.",
    )
    item.delete()


# --- Stored tables ----------------------------------------------------------------------------


def store_tables(computed: list[selectors.Computed]) -> None:
    """Writes computed tables over the stored ones, in one statement that two refreshes (or two
    first visitors) may run at once: the last one wins, nothing is half-written."""
    ComputedTable.objects.bulk_create(
        [
            ComputedTable(
                indicator=item.indicator.key,
                year=item.year,
                table=selectors.table_to_json(item.table) if item.table is not None else None,
                error=item.error[:255],
                computed_at=item.computed_at or timezone.now(),
                duration_ms=item.duration_ms,
            )
            for item in computed
        ],
        update_conflicts=True,
        unique_fields=["indicator", "year"],
        update_fields=["table", "error", "computed_at", "duration_ms"],
    )


@dataclass
class RefreshSummary:
    computed: int = 0
    failed: int = 0
    removed: int = 0
    workbooks: int = 0  # year workbooks built (their content had changed)
    seconds: float = 0.0


def refresh_tables(
    *, ahead_seconds: int = 0, everything: bool = False, progress: Progress | None = None
) -> RefreshSummary:
    """Computes the stored tables that are missing, stale, or will be within `ahead_seconds`
    (`everything`: all of them), the current year first, each stored as soon as it is computed;
    then removes the tables of indicators no longer registered and of years no longer shown."""
    started = time.perf_counter()
    summary = RefreshSummary()
    indicators = registry.registered()
    years = selectors.refreshed_years()
    states = selectors.stored_table_states()
    moment = timezone.now() + datetime.timedelta(seconds=ahead_seconds)
    due = [
        (indicator, year)
        for year in years
        for indicator in indicators
        if everything
        or (indicator.key, year) not in states
        or selectors.is_stale(
            year,
            states[(indicator.key, year)][0],
            error=states[(indicator.key, year)][1],
            now=moment,
        )
    ]
    for done, (indicator, year) in enumerate(due, start=1):
        computed = selectors.compute(indicator, year)
        store_tables([computed])
        summary.computed += 1
        summary.failed += bool(computed.error)
        if progress:
            progress(done, len(due), f"{indicator.label} ({year})")
    # Excluding both conditions at once removes a row that fails either of them.
    summary.removed, _ = ComputedTable.objects.exclude(
        indicator__in=[indicator.key for indicator in indicators], year__in=years
    ).delete()
    summary.workbooks = refresh_workbooks(years={year for _, year in due})
    summary.seconds = time.perf_counter() - started
    return summary


# --- The year's workbooks ------------------------------------------------------------------


def store_workbook(*, year: int, audience: str, digest: str, content: bytes, duration_ms: int):
    """Replaces the year's workbook for this audience (one upsert: two builds may race, the
    last one wins, and no older workbook is left behind)."""
    YearWorkbook.objects.bulk_create(
        [
            YearWorkbook(
                year=year,
                audience=audience,
                digest=digest,
                content=content,
                built_at=timezone.now(),
                duration_ms=duration_ms,
            )
        ],
        update_conflicts=True,
        unique_fields=["year", "audience"],
        update_fields=["digest", "content", "built_at", "duration_ms"],
    )


def year_workbook(
    *, year: int, audience: str, memo: selectors.TableMemo | None = None
) -> tuple[bytes, bool]:
    """The year's XLSX for an audience, built from the stored tables: the stored workbook when
    it holds the same sheets, else built now and stored for the next downloads. (content,
    whether it was built here)."""
    memo = memo or selectors.TableMemo()
    sheets = selectors.year_sheets(selectors.audience_indicators(audience), year, memo)
    digest = selectors.workbook_digest(sheets)
    content = selectors.stored_workbook(year, audience, digest)
    if content is not None:
        return content, False
    started = time.perf_counter()
    content = xlsx_bytes(sheets)
    store_workbook(
        year=year,
        audience=audience,
        digest=digest,
        content=content,
        duration_ms=round((time.perf_counter() - started) * 1000),
    )
    return content, True


def refresh_workbooks(*, years: set[int]) -> int:
    """Builds the workbooks of the years offered among `years` (those whose tables were just
    refreshed) and of the offered years that have none yet, when their content changed; removes
    those of years no longer offered. The number built."""
    offered = selectors.available_years()
    wanted = sorted((years & set(offered)) | selectors.years_without_workbook(offered))
    # The refresh has just computed what was stale: it queues no other refresh.
    memo = selectors.TableMemo(queue_refresh=False)
    built = sum(
        year_workbook(year=year, audience=audience, memo=memo)[1]
        for year in wanted
        for audience in Audience.values
    )
    YearWorkbook.objects.exclude(year__in=offered).delete()
    return built


# --- The yearly report ----------------------------------------------------------------------


def report_context(*, year: int, progress: Progress | None = None) -> dict:
    """Everything the PDF template needs: every registered indicator for the year, by axis."""
    indicators = selectors.report_indicators()
    memo = selectors.TableMemo(use_cache=False)  # the report is always computed afresh
    total = len(indicators) + 1
    for done, indicator in enumerate(indicators, start=1):
        memo.get(indicator, year)
        if progress:
            progress(done, total, f"Calcul des indicateurs ({done} sur {len(indicators)})")
    # The report's fresh figures are the pages' too.
    store_tables([memo.get(indicator, year) for indicator in indicators])
    sections = selectors.year_sections(indicators, year, memo)
    targets = selectors.target_progress(year, memo)
    leading_sectors = []
    holders = next((i for i in indicators if i.key == "support.new_holders_by_sector"), None)
    if holders is not None:
        computed = memo.get(holders, year)
        if computed.table is not None and computed.value_column is not None:
            ranked = [row for row in computed.table.rows if (row[computed.value_column] or 0) > 0]
            ranked.sort(key=lambda row: -row[computed.value_column])
            leading_sectors = [str(row[0]) for row in ranked[:3]]
    return {
        "year": year,
        "sections": sections,
        "targets": targets,
        "generated_on": timezone.localdate(),
        "indicator_count": len(indicators),
        "leading_sectors": leading_sectors,
        "summary": [
            item
            for section in sections
            for item in section.items
            if item.indicator.key == "observatory.ess_summary" and item.table is not None
        ],
    }


def build_report_pdf(*, year: int, progress: Progress | None = None) -> bytes:
    context = report_context(year=year, progress=progress)
    total = context["indicator_count"] + 1
    if progress:
        progress(total - 1, total, "Mise en page du rapport (PDF)")
    content = render_pdf("observatory/report_pdf.html", context)
    if progress:
        progress(total, total, "Rapport produit")
    return content


def start_report(*, year: int, actor) -> AnnualReport:
    return AnnualReport.objects.create(year=year, created_by=actor)


def store_report(*, report: AnnualReport, content: bytes) -> AnnualReport:
    """Saves the PDF under MEDIA_ROOT/observatoire/rapports/ (a random name, which nobody can
    guess; people download it as `report.filename`) and dates the report."""
    report.file.save(
        f"rapport-annuel-ess-{report.year}-{secrets.token_urlsafe(16)}.pdf",
        ContentFile(content),
        save=False,
    )
    report.size = len(content)
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "size", "finished_at"])
    return report


def default_report_year(today: datetime.date | None = None) -> int:
    """The last complete year."""
    return (today or timezone.localdate()).year - 1
