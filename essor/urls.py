from django.urls import include, path

from essor.api.api import api
from essor.directory.views.public import home

urlpatterns = [
    path("", home, name="home"),
    path("", include("essor.core.urls")),
    path("compte/", include("essor.accounts.urls")),
    path("territoires/", include("essor.territory.urls")),
    path("annuaire/", include("essor.directory.urls")),
    path("financements/", include("essor.funding.urls")),
    path("insertion/", include("essor.insertion.urls")),
    path("accompagnement/", include("essor.support.urls")),
    path("circuits-courts/", include("essor.foodlink.urls")),
    path("village/", include("essor.village.urls")),
    path("cigales/", include("essor.cigales.urls")),
    path("tiers-lieux/", include("essor.tierslieu.urls")),
    path("observatoire/", include("essor.observatory.urls")),
    path("api/", api.urls),
]

# French error pages in the site's layout (see essor/core/errors.py).
handler400 = "essor.core.errors.bad_request"
handler403 = "essor.core.errors.permission_denied"
handler404 = "essor.core.errors.page_not_found"
handler500 = "essor.core.errors.server_error"
