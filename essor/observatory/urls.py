from django.urls import path

from essor.observatory import views

app_name = "observatory"

urlpatterns = [
    path("", views.public, name="public"),
    path("export.xlsx", views.year_xlsx, name="year_xlsx"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("axes/<slug:slug>/", views.axis, name="axis"),
    path("indicateurs/<str:key>/", views.indicator, name="indicator"),
    path("indicateurs/<str:key>/export.xlsx", views.indicator_xlsx, name="indicator_xlsx"),
    path("donnees-ouvertes/", views.open_data, name="open_data"),
    path("donnees-ouvertes/index.json", views.open_data_index, name="open_data_index"),
    path("donnees-ouvertes/<str:key>/<year:year>.csv", views.open_data_csv, name="open_data_csv"),
    path(
        "donnees-ouvertes/<str:key>/<year:year>.json", views.open_data_json, name="open_data_json"
    ),
    path("objectifs/", views.targets, name="targets"),
    path("objectifs/export.xlsx", views.targets_xlsx, name="targets_xlsx"),
    path("objectifs/nouveau/", views.target_create, name="target_create"),
    path("objectifs/<int:pk>/modifier/", views.target_update, name="target_update"),
    path("objectifs/<int:pk>/supprimer/", views.target_delete, name="target_delete"),
    path("rapports/", views.reports, name="reports"),
    path("rapports/<int:pk>/telecharger/", views.report_download, name="report_download"),
]
