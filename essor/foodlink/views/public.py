"""Public pages of foodlink: the guide of local producers (list, map, a page per producer) and
its PDF booklet."""

import json
from pathlib import Path

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from essor.core.files import private_file_response
from essor.core.page_cache import kept, public_page
from essor.foodlink import selectors, tasks
from essor.foodlink.forms import GuideFilterForm
from essor.foodlink.models import ProducerProfile
from essor.territory.models import Commune

GUIDE_PARAMETERS = ("q", "family", "commune", "certification", "month")


def _guide_communes() -> list[Commune]:
    return list(
        Commune.objects.filter(
            pk__in=ProducerProfile.objects.filter(is_published=True).values("commune")
        ).order_by("name")
    )


def _guide_filters(request):
    # The communes offered change with the producers: kept until foodlink's data change.
    communes = kept("foodlink:guide_communes", ("foodlink", "territory"), _guide_communes)
    bound = any(name in request.GET for name in GUIDE_PARAMETERS)
    form = GuideFilterForm(request.GET if bound else None, communes=communes)
    filters = {}
    if bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "text": data["q"].strip(),
            "family": data["family"],
            "commune": data["commune"],
            "certification": data["certification"],
            "month": data["month"],
        }
    query = request.GET.copy()
    for name in list(query):
        if name not in GUIDE_PARAMETERS or not query.get(name):
            del query[name]
    return form, filters, query.urlencode()


@require_GET
@public_page("foodlink", "directory", "territory")
def guide(request):
    form, filters, filter_query = _guide_filters(request)
    queryset = selectors.guide_producers(**filters, today=timezone.localdate())
    # The page's ids only, then those producers with what their cards show.
    page = Paginator(queryset.values_list("pk", flat=True), 30).get_page(request.GET.get("page"))
    page.object_list = list(
        selectors.with_guide_details(
            ProducerProfile.objects.filter(pk__in=list(page.object_list))
            .select_related("organisation", "commune")
            .order_by("organisation__name"),
            today=timezone.localdate(),
        )
    )
    return render(
        request,
        "foodlink/guide.html",
        {
            "latest_booklet": tasks.latest_booklet(),
            "form": form,
            "page": page,
            "filter_query": filter_query,
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )


@require_GET
@public_page("foodlink", "directory", "territory")
def guide_map_data(request):
    _, filters, _ = _guide_filters(request)
    rows = selectors.guide_producers(**filters, today=timezone.localdate()).values(
        "pk", "organisation__name", "commune__name", "latitude", "longitude"
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": {
                "producer": row["pk"],
                "name": row["organisation__name"],
                "city": row["commune__name"],
            },
        }
        for row in rows
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@require_GET
@public_page("foodlink", "directory", "territory")
def producer_page(request, pk: int):
    producer = get_object_or_404(
        selectors.with_guide_details(
            ProducerProfile.objects.select_related("organisation", "commune"),
            today=timezone.localdate(),
        ),
        pk=pk,
    )
    can_edit = request.user.is_authenticated and selectors.can_edit_producer(request.user, producer)
    if not producer.is_published and not can_edit:
        raise Http404("Ce producteur n'est pas (encore) publié dans le guide.")
    return render(
        request,
        "foodlink/producer.html",
        {
            "producer": producer,
            "can_edit": can_edit,
            "position": json.dumps(
                {
                    "lat": producer.latitude,
                    "lon": producer.longitude,
                    "name": producer.organisation.name,
                }
            ),
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )


@require_GET
@public_page("core")  # the latest booklet is a job's result
def booklet(request):
    return render(
        request,
        "foodlink/booklet.html",
        {"latest": tasks.latest_booklet(), "running": tasks.running_booklet()},
    )


@require_GET
def booklet_download(request):
    latest = tasks.latest_booklet()
    if latest is None:
        raise Http404("Le livret n'a pas encore été construit.")
    path = Path(settings.MEDIA_ROOT) / latest.result["path"]
    if not path.is_file():
        raise Http404("Le livret n'a pas encore été construit.")
    return private_file_response(path, filename="guide-producteurs-locaux.pdf")
