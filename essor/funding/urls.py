from django.urls import path

from essor.funding import views

app_name = "funding"

urlpatterns = [
    # public
    path("", views.catalogue, name="catalogue"),
    path("dispositifs/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("donnees-ouvertes/", views.open_data, name="open_data"),
    path("donnees-ouvertes/<str:siret>/<int:year>.csv", views.scdl_csv, name="scdl_csv"),
    # applicant
    path("mes-dossiers/", views.my_applications, name="my_applications"),
    path("dossiers/nouveau/", views.application_create, name="application_create"),
    path("dossiers/<int:pk>/", views.application_detail, name="application_detail"),
    path("dossiers/<int:pk>/projet/", views.application_edit, name="application_edit"),
    path("dossiers/<int:pk>/budget/", views.application_budget, name="application_budget"),
    path("dossiers/<int:pk>/demandes/", views.application_requests, name="application_requests"),
    path(
        "dossiers/<int:pk>/pieces/", views.application_attachments, name="application_attachments"
    ),
    path("dossiers/<int:pk>/depot/", views.application_submit, name="application_submit"),
    path("pieces/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("conventions/<int:pk>.pdf", views.agreement_pdf, name="agreement_pdf"),
    path("comptes-rendus/<int:pk>/", views.report_detail, name="report_detail"),
    # instruction
    path("instruction/", views.instruction_list, name="instruction_list"),
    path("instruction/demandes.csv", views.instruction_export, name="instruction_export"),
    path("instruction/financeurs/", views.funder_list, name="funder_list"),
    path("instruction/demandes/<int:pk>/", views.share_detail, name="share_detail"),
    path("instruction/enveloppes/<int:pk>/solde/", views.envelope_balance, name="envelope_balance"),
    path("instruction/versements/<int:pk>/", views.payment_update, name="payment_update"),
    path("instruction/comptes-rendus/", views.report_list, name="report_list"),
    path("instruction/dispositifs/", views.programme_list, name="programme_list"),
    path("instruction/dispositifs/nouveau/", views.programme_create, name="programme_create"),
    path("instruction/dispositifs/<int:pk>/", views.programme_edit, name="programme_edit"),
    path("instruction/seances/", views.session_list, name="session_list"),
    path("instruction/seances/<int:pk>/", views.session_detail, name="session_detail"),
    path(
        "instruction/seances/<int:pk>/proces-verbal.pdf",
        views.session_minutes,
        name="session_minutes",
    ),
    path("instruction/tableau-de-bord/", views.dashboard, name="dashboard"),
    path("instruction/tableau-de-bord.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
]
