from django.shortcuts import render

from essor.core.page_cache import public_page
from essor.territory import selectors


@public_page("territory")
def territory_list(request):
    territories = [
        (territory, selectors.total_population(territory.communes.all()))
        for territory in selectors.public_territories()
    ]
    return render(request, "territory/list.html", {"territories": territories})


@public_page("territory")
def territory_detail(request, slug):
    territory = selectors.territory_with_communes(slug)
    communes = territory.communes.all()
    return render(
        request,
        "territory/detail.html",
        {
            "territory": territory,
            "communes": communes,
            "population": selectors.total_population(communes),
        },
    )
