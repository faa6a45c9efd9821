from django.urls import path

from essor.insertion import views

app_name = "insertion"

urlpatterns = [
    path("", views.home, name="home"),
    path("indicateurs/", views.indicators, name="indicators"),
    path("indicateurs/export.xlsx", views.indicators_xlsx, name="indicators_xlsx"),
    path("siae/nouvelle/", views.siae_create, name="siae_create"),
    path("freins/", views.barrier_types, name="barrier_types"),
    path("siae/<int:pk>/", views.siae_detail, name="siae_detail"),
    path("siae/<int:pk>/modifier/", views.siae_edit, name="siae_edit"),
    path("siae/<int:pk>/rapport-<year:year>.pdf", views.report_pdf, name="report_pdf"),
    path("siae/<int:pk>/annexes/nouvelle/", views.annex_create, name="annex_create"),
    path("annexes/<int:pk>/", views.annex_edit, name="annex_edit"),
    path("siae/<int:pk>/salaries/", views.participant_list, name="participant_list"),
    path("siae/<int:pk>/salaries/nouveau/", views.participant_create, name="participant_create"),
    path("siae/<int:pk>/heures/", views.hours_month, name="hours_month"),
    path("siae/<int:pk>/heures/import/", views.hours_import, name="hours_import"),
    path("siae/<int:pk>/heures/modele.csv", views.hours_template, name="hours_template"),
    path("salaries/<int:pk>/", views.participant_detail, name="participant_detail"),
    path("salaries/<int:pk>/modifier/", views.participant_edit, name="participant_edit"),
    path("salaries/<int:pk>/contrats/nouveau/", views.contract_create, name="contract_create"),
    path("contrats/<int:pk>/", views.contract_edit, name="contract_edit"),
    path("salaries/<int:pk>/sortie/", views.exit_record, name="exit_record"),
    path("salaries/<int:pk>/freins/nouveau/", views.barrier_create, name="barrier_create"),
    path("freins/<int:pk>/", views.barrier_edit, name="barrier_edit"),
    path("salaries/<int:pk>/formations/nouvelle/", views.training_create, name="training_create"),
    path("salaries/<int:pk>/export/", views.participant_export, name="participant_export"),
    path("salaries/<int:pk>/effacer/", views.participant_erase, name="participant_erase"),
]
