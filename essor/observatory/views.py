"""Pages of the observatory: an overview (a few key figures per axis, with their trend), one page
per axis, one page per indicator. Every figure comes from the indicator registry
(`core.indicators`), read from the stored tables that the worker keeps fresh
(`selectors.TableMemo`, `models.ComputedTable`)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from essor.core import params
from essor.core.exports import (
    Sheet,
    csv_response,
    json_dumps,
    xlsx_content_response,
    xlsx_response,
)
from essor.core.files import private_file_response
from essor.core.forms import run_service
from essor.core.page_cache import public_page
from essor.core.permissions import agency_required, is_agency_member, require
from essor.observatory import selectors, services
from essor.observatory.forms import ReportForm, TargetForm, TargetUpdateForm
from essor.observatory.models import SectorTarget
from essor.observatory.tasks import enqueue_annual_report

full_observatory_required = require(selectors.sees_full_observatory)
LICENCE = "Licence Ouverte 2.0 (Etalab)"
HIDDEN_NOTE = (
    "Secret statistique : les effectifs de 1 à 4 personnes sont masqués (« s »), ainsi que ceux "
    "qui permettraient de les retrouver par différence (case vide dans les fichiers CSV, null en "
    "JSON)."
)


def _year(request, *, default=None, allowed=None) -> int:
    year, error = selectors.parse_year(request.GET.get("annee"), default=default, allowed=allowed)
    if error:
        messages.warning(request, error)
    return year


def _year_context(year: int, memo: selectors.TableMemo, indicators) -> dict:
    return {
        "year": year,
        "years": selectors.available_years(),
        "computed_at": memo.oldest_computed_at,
        "axes": selectors.axis_links(indicators),
    }


@require_GET
@public_page("observatory")  # stored tables: a refresh renders it again
def public(request):
    """The overview: a few key figures of each axis (public indicators), with their trend."""
    year = _year(request)
    memo = selectors.TableMemo()
    indicators = selectors.registered_public()
    sections = selectors.overview(indicators, year, memo, per_axis=selectors.KEY_FIGURES_PER_AXIS)
    return render(
        request,
        "observatory/public.html",
        {
            **_year_context(year, memo, indicators),
            "sections": sections,
            "full_access": selectors.sees_full_observatory(request.user),
        },
    )


@require_GET
@full_observatory_required
def dashboard(request):
    """The overview of every indicator, public or not, and the year's targets (agency and
    funders' instructors)."""
    year = _year(request)
    memo = selectors.TableMemo()
    indicators = selectors.visible_indicators(request.user)
    sections = selectors.overview(indicators, year, memo, per_axis=selectors.KEY_FIGURES_PER_AXIS)
    progress = selectors.target_progress(year, memo)
    chart_labels, chart_values = selectors.target_chart(progress)
    return render(
        request,
        "observatory/dashboard.html",
        {
            **_year_context(year, memo, indicators),
            "sections": sections,
            "targets": progress,
            "chart_labels": chart_labels,
            "chart_values": chart_values,
            "is_agency": is_agency_member(request.user),
        },
    )


@require_GET
@public_page("observatory")  # stored tables: a refresh renders it again
def axis(request, slug: str):
    """One axis: the key figure and trend of each of its indicators the reader may see."""
    found = selectors.axis_indicators(request.user, slug)
    if found is None:
        raise Http404("Cet axe n'existe pas ou ne contient aucun indicateur public.")
    _name, indicators = found
    year = _year(request)
    memo = selectors.TableMemo()
    (section,) = selectors.overview(indicators, year, memo)
    visible = selectors.visible_indicators(request.user)
    return render(
        request,
        "observatory/axis.html",
        {
            **_year_context(year, memo, visible),
            "section": section,
            "full_access": selectors.sees_full_observatory(request.user),
        },
    )


def _visible_or_404(request, key: str):
    indicator = selectors.visible_indicator(request.user, key)
    if indicator is None:
        raise Http404("Cet indicateur n'existe pas ou n'est pas public.")
    return indicator


def _column(request) -> int | None:
    return params.whole_number(request.GET.get("colonne", ""), maximum=1000)


@require_GET
@public_page("observatory")  # stored tables: a refresh renders it again
def indicator(request, key: str):
    """One indicator: its table for a year, and its values and ranking across ten years."""
    item = _visible_or_404(request, key)
    year = _year(request)
    memo = selectors.TableMemo()
    years = selectors.comparison_years(year)
    cross = selectors.across_years(item, years, memo, column=_column(request))
    return render(
        request,
        "observatory/indicator.html",
        {
            **_year_context(year, memo, selectors.visible_indicators(request.user)),
            "item": memo.get(item, year),
            "cross": cross,
            "axis_slug": selectors.axis_slug(item.axis),
            "full_access": selectors.sees_full_observatory(request.user),
        },
    )


@require_GET
def indicator_xlsx(request, key: str):
    """The year's table and the table across years, as two sheets."""
    item = _visible_or_404(request, key)
    year = _year(request)
    memo = selectors.TableMemo()
    years = selectors.comparison_years(year)
    cross = selectors.across_years(item, years, memo, column=_column(request))
    sheets = [
        selectors.indicator_sheet(memo.get(item, year)),
        Sheet(
            title=f"{cross.column or 'Valeurs'} par année",
            headers=[item.label, *[str(y) for y in cross.years]],
            rows=[[label, *values] for label, values in cross.rows],
            note=HIDDEN_NOTE,
        ),
    ]
    if cross.ranking:
        sheets.append(
            Sheet(
                title="Classement par année",
                headers=["Rang", *[str(y) for y in cross.years]],
                rows=[[rank, *labels] for rank, labels in cross.ranking],
            )
        )
    return xlsx_response(f"{key.replace('.', '-')}-{year}.xlsx", sheets)


@require_GET
def year_xlsx(request):
    """Every indicator the user may see for a year, one sheet each: the stored workbook of the
    user's audience (the public, or the agency and funders) while the tables say the same."""
    year = _year(request)
    content, _built = services.year_workbook(
        year=year, audience=selectors.audience_of(request.user)
    )
    return xlsx_content_response(f"observatoire-ess-{year}.xlsx", content)


# --- Open data ------------------------------------------------------------------------------


@require_GET
@public_page("observatory")  # stored tables: a refresh renders it again
def open_data(request):
    return render(
        request,
        "observatory/open_data.html",
        {
            "indicators": selectors.registered_public(),
            "years": selectors.available_years(),
            "licence": LICENCE,
        },
    )


@require_GET
@public_page("observatory")  # stored tables: a refresh renders it again
def open_data_index(request):
    years = selectors.available_years()
    datasets = [
        {
            "key": item.key,
            "label": item.label,
            "axis": item.axis,
            "unit": item.unit,
            "description": item.description,
            "files": [
                {
                    "year": year,
                    "csv": request.build_absolute_uri(
                        reverse("observatory:open_data_csv", args=[item.key, year])
                    ),
                    "json": request.build_absolute_uri(
                        reverse("observatory:open_data_json", args=[item.key, year])
                    ),
                }
                for year in years
            ],
        }
        for item in selectors.registered_public()
    ]
    return _json({"licence": LICENCE, "secret_statistique": HIDDEN_NOTE, "datasets": datasets})


def _json(payload: dict, *, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json_dumps(payload, indent=2),
        content_type="application/json; charset=utf-8",
        status=status,
    )


def _open_table(request, key: str, year: int):
    item = selectors.registered_public_indicator(key)
    if item is None:
        raise Http404("Cet indicateur n'existe pas ou n'est pas public.")
    if year not in selectors.available_years():
        raise Http404("Cette année n'est pas disponible.")
    computed = selectors.TableMemo().get(item, year)
    if computed.table is None:
        raise Http404(computed.error)
    return item, computed.table


@require_GET
@public_page("observatory")  # stored tables: a refresh renders it again
def open_data_csv(request, key: str, year: int):
    _item, table = _open_table(request, key, year)
    keys = table.row_keys or [""] * len(table.rows)
    return csv_response(
        f"{key.replace('.', '-')}-{year}.csv",
        ["cle", *table.columns],
        [[row_key, *row] for row_key, row in zip(keys, table.rows, strict=True)],
    )


@require_GET
@public_page("observatory")  # stored tables: a refresh renders it again
def open_data_json(request, key: str, year: int):
    item, table = _open_table(request, key, year)
    return _json(
        {
            "indicator": item.key,
            "label": item.label,
            "axis": item.axis,
            "unit": item.unit,
            "year": year,
            "columns": table.columns,
            "row_keys": table.row_keys,
            "rows": table.rows,
            "note": table.note,
            "licence": LICENCE,
            "secret_statistique": HIDDEN_NOTE,
        }
    )


# --- Targets --------------------------------------------------------------------------------


@require_GET
@full_observatory_required
def targets(request):
    years = selectors.target_years()
    year = _year(request, allowed=years)
    progress = selectors.target_progress(year, selectors.TableMemo())
    chart_labels, chart_values = selectors.target_chart(progress)
    return render(
        request,
        "observatory/targets.html",
        {
            "year": year,
            "years": years,
            "progress": progress,
            "chart_labels": chart_labels,
            "chart_values": chart_values,
            "is_agency": is_agency_member(request.user),
        },
    )


def _targets_rows(progress) -> list[list]:
    return [
        [
            line.target.sector.name,
            line.target.get_measure_display(),
            line.target.target,
            line.actual if line.available else "indisponible",
            line.percent,
        ]
        for line in progress
    ]


@require_GET
@full_observatory_required
def targets_xlsx(request):
    years = selectors.target_years()
    year = _year(request, allowed=years)
    progress = selectors.target_progress(year, selectors.TableMemo())
    return xlsx_response(
        f"objectifs-sectoriels-{year}.xlsx",
        [
            Sheet(
                title=f"Objectifs {year}",
                headers=["Secteur", "Mesure", "Objectif", "Réalisé", "Taux d'atteinte (%)"],
                rows=_targets_rows(progress),
                note=HIDDEN_NOTE,
            )
        ],
    )


@agency_required
def target_create(request):
    form = TargetForm(request.POST or None, initial={"year": selectors.current_year()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = run_service(
            form,
            services.create_target,
            year=data["year"],
            sector=data["sector"],
            measure=data["measure"],
            target=data["target"],
            note=data["note"],
            actor=request.user,
        )
        if created:
            messages.success(request, f"Objectif enregistré : {created.result}.")
            return redirect(f"{reverse('observatory:targets')}?annee={created.result.year}")
    return render(request, "observatory/target_form.html", {"form": form, "target": None})


@agency_required
def target_update(request, pk: int):
    item = get_object_or_404(SectorTarget.objects.select_related("sector"), pk=pk)
    form = TargetUpdateForm(
        request.POST or None, initial={"target": item.target, "note": item.note}
    )
    if request.method == "POST" and form.is_valid():
        services.update_target(
            target=item,
            value=form.cleaned_data["target"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
        messages.success(request, "Objectif modifié.")
        return redirect(f"{reverse('observatory:targets')}?annee={item.year}")
    return render(request, "observatory/target_form.html", {"form": form, "target": item})


@agency_required
def target_delete(request, pk: int):
    item = get_object_or_404(SectorTarget.objects.select_related("sector"), pk=pk)
    if request.method == "POST":
        services.delete_target(target=item, actor=request.user)
        messages.success(request, "Objectif supprimé.")
        return redirect(f"{reverse('observatory:targets')}?annee={item.year}")
    return render(request, "observatory/target_delete.html", {"target": item})


# --- Yearly reports -------------------------------------------------------------------------


@full_observatory_required
def reports(request):
    can_launch = is_agency_member(request.user)
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        if not can_launch:
            raise PermissionDenied("Seule l'agence peut lancer la production d'un rapport.")
        if form.is_valid():
            job = enqueue_annual_report(year=form.cleaned_data["year"], user=request.user)
            return redirect("core:job_detail", pk=job.pk)
    return render(
        request,
        "observatory/reports.html",
        {"form": form, "reports": selectors.reports()[:50], "can_launch": can_launch},
    )


@require_GET
@full_observatory_required
def report_download(request, pk: int):
    report = get_object_or_404(selectors.reports(), pk=pk)
    if not report.is_ready:
        raise Http404("Ce rapport n'est pas encore produit.")
    return private_file_response(report.file, filename=report.filename)
