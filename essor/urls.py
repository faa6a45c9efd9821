from django.urls import include, path

from essor.api.api import api

urlpatterns = [
    path("", include("essor.core.urls")),
    path("compte/", include("essor.accounts.urls")),
    path("territoires/", include("essor.territory.urls")),
    path("annuaire/", include("essor.directory.urls")),
    path("api/", api.urls),
]
