from django.urls import path

from essor.funding.views import administration, applicant, instruction, public

app_name = "funding"

urlpatterns = [
    # public
    path("", public.catalogue, name="catalogue"),
    path("dispositifs/<int:pk>/", public.programme_detail, name="programme_detail"),
    path("donnees-ouvertes/", public.open_data, name="open_data"),
    path("donnees-ouvertes/<str:siret>/<year:year>.csv", public.scdl_csv, name="scdl_csv"),
    # applicant
    path("mes-dossiers/", applicant.my_applications, name="my_applications"),
    path("dossiers/nouveau/", applicant.application_create, name="application_create"),
    path("dossiers/<int:pk>/", applicant.application_detail, name="application_detail"),
    path("dossiers/<int:pk>/projet/", applicant.application_edit, name="application_edit"),
    path("dossiers/<int:pk>/budget/", applicant.application_budget, name="application_budget"),
    path(
        "dossiers/<int:pk>/demandes/",
        applicant.application_requests,
        name="application_requests",
    ),
    path(
        "dossiers/<int:pk>/demandes/ajouter/",
        applicant.application_request_add,
        name="application_request_add",
    ),
    path(
        "dossiers/<int:pk>/demandes/<int:share_pk>/montant/",
        applicant.application_request_amount,
        name="application_request_amount",
    ),
    path(
        "dossiers/<int:pk>/demandes/<int:share_pk>/retirer/",
        applicant.application_request_remove,
        name="application_request_remove",
    ),
    path(
        "dossiers/<int:pk>/pieces/",
        applicant.application_attachments,
        name="application_attachments",
    ),
    path("dossiers/<int:pk>/depot/", applicant.application_submit, name="application_submit"),
    path("pieces/<int:pk>/", applicant.attachment_download, name="attachment_download"),
    path("conventions/<int:pk>.pdf", applicant.agreement_pdf, name="agreement_pdf"),
    path("comptes-rendus/<int:pk>/", applicant.report_detail, name="report_detail"),
    # instruction
    path("instruction/", instruction.instruction_list, name="instruction_list"),
    path("instruction/demandes.csv", instruction.instruction_export, name="instruction_export"),
    path("instruction/demandes/<int:pk>/", instruction.share_detail, name="share_detail"),
    path(
        "instruction/enveloppes/<int:pk>/solde/",
        instruction.envelope_balance,
        name="envelope_balance",
    ),
    path("instruction/versements/<int:pk>/", instruction.payment_update, name="payment_update"),
    path("instruction/comptes-rendus/", instruction.report_list, name="report_list"),
    path("instruction/seances/", instruction.session_list, name="session_list"),
    path("instruction/seances/<int:pk>/", instruction.session_detail, name="session_detail"),
    path(
        "instruction/seances/<int:pk>/proces-verbal.pdf",
        instruction.session_minutes,
        name="session_minutes",
    ),
    path("instruction/tableau-de-bord/", instruction.dashboard, name="dashboard"),
    path("instruction/tableau-de-bord.xlsx", instruction.dashboard_xlsx, name="dashboard_xlsx"),
    # administration
    path("instruction/financeurs/", administration.funder_list, name="funder_list"),
    path("instruction/dispositifs/", administration.programme_list, name="programme_list"),
    path(
        "instruction/dispositifs/nouveau/",
        administration.programme_create,
        name="programme_create",
    ),
    path("instruction/dispositifs/<int:pk>/", administration.programme_edit, name="programme_edit"),
]
