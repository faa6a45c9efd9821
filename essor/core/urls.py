from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from essor.core import views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says: sent to the icon the pages name.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("img/favicon.svg"), permanent=True),
        name="favicon",
    ),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("taches/<int:pk>/", views.job_detail, name="job_detail"),
    path("taches/<int:pk>/avancement/", views.job_progress, name="job_progress"),
]
