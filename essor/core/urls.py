from django.urls import path

from essor.core import views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("taches/<int:pk>/", views.job_detail, name="job_detail"),
    path("taches/<int:pk>/avancement/", views.job_progress, name="job_progress"),
]
