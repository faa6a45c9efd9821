from django.urls import path

from essor.directory.views import public

urlpatterns = [
    path("", public.search, name="search"),
    path("donnees-ouvertes/", public.open_data, name="open_data"),
]
