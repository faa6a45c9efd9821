from django.urls import path

from essor.directory.views import imports

urlpatterns = [
    path("gestion/import-sirene/", imports.sirene_import, name="sirene_import"),
]
