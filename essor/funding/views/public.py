"""Public pages of funding: the catalogue of programmes and the open data (SCDL)."""

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from essor.core import params
from essor.core.page_cache import public_page
from essor.directory.models import Sector
from essor.funding import access, selectors
from essor.funding.models import FunderProfile, Programme
from essor.funding.scdl import scdl_lines


@public_page("funding", "directory", "territory")
def catalogue(request):
    text = request.GET.get("q", "").strip()[:100]
    funder_id = request.GET.get("financeur", "")
    sector_id = request.GET.get("secteur", "")
    show_all = request.GET.get("tous") == "1"
    programmes = selectors.catalogue(
        day=timezone.localdate(),
        text=text,
        funder_id=params.identifier(funder_id),
        sector_id=params.identifier(sector_id),
        open_only=not show_all,
    )
    return render(
        request,
        "funding/catalogue.html",
        {
            "programmes": programmes,
            "funders": selectors.funders(),
            "sectors": Sector.objects.order_by("position", "name"),
            "text": text,
            "funder_id": funder_id,
            "sector_id": sector_id,
            "show_all": show_all,
            "today": timezone.localdate(),
        },
    )


@public_page("funding", "directory", "territory")
def programme_detail(request, pk):
    programme = get_object_or_404(
        Programme.objects.select_related("funder__organisation").prefetch_related(
            "sectors", "communes"
        ),
        pk=pk,
        is_published=True,
    )
    return render(
        request,
        "funding/programme_detail.html",
        {
            "programme": programme,
            "is_open": programme.is_open_on(timezone.localdate()),
            "can_apply": bool(access.applicant_organisation_ids(request.user)),
        },
    )


@public_page("funding", "directory")
def open_data(request):
    return render(
        request,
        "funding/open_data.html",
        {"index": selectors.open_data_index(), "threshold": selectors.scdl_threshold()},
    )


def scdl_csv(request, siret, year):
    if not FunderProfile.objects.filter(siret=siret).exists():
        raise Http404("Financeur inconnu.")
    response = StreamingHttpResponse(
        scdl_lines(year=year, funder_siret=siret), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="subventions-{siret}-{year}.csv"'
    return response
