from django.urls import path

from essor.directory.views import public

urlpatterns = [
    path("", public.search, name="search"),
    path("carte.json", public.map_data, name="map_data"),
    path("structures/<int:pk>/", public.organisation, name="organisation"),
    path("donnees-ouvertes/", public.open_data, name="open_data"),
    path("donnees-ouvertes/annuaire-ess.csv", public.export_csv, name="export_csv"),
    path("donnees-ouvertes/annuaire-ess.geojson", public.export_geojson, name="export_geojson"),
]
