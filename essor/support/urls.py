from django.urls import path

from essor.support import views

app_name = "support"

urlpatterns = [
    path("porteurs/", views.holder_list, name="holder_list"),
    path("porteurs/export.csv", views.holder_export_csv, name="holder_export_csv"),
    path("porteurs/export.xlsx", views.holder_export_xlsx, name="holder_export_xlsx"),
    path("porteurs/nouveau/", views.holder_create, name="holder_create"),
    path("porteurs/<int:pk>/", views.holder_detail, name="holder_detail"),
    path("porteurs/<int:pk>/modifier/", views.holder_edit, name="holder_edit"),
    path("porteurs/<int:pk>/etape/", views.holder_stage, name="holder_stage"),
    path("porteurs/<int:pk>/creation/", views.holder_creation, name="holder_creation"),
    path("porteurs/<int:pk>/abandon/", views.holder_abandon, name="holder_abandon"),
    path("porteurs/<int:pk>/actions/nouvelle/", views.action_create, name="action_create"),
    path("porteurs/<int:pk>/effacer/", views.holder_erase, name="holder_erase"),
    path("porteurs/<int:pk>/fusionner/", views.holder_merge, name="holder_merge"),
    path("actions/<int:pk>/modifier/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/relance-faite/", views.reminder_done, name="reminder_done"),
    path("orientations/<int:pk>/", views.referral, name="referral"),
    path("orientations/<int:pk>/pdf/", views.referral_pdf, name="referral_pdf"),
    path("suivi/", views.caseload, name="caseload"),
]
