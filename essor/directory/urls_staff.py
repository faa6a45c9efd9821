from django.urls import path

from essor.directory.views import staff

urlpatterns = [
    path("gestion/", staff.staff_home, name="staff_home"),
]
