from django.urls import path

from essor.village import views

app_name = "village"

urlpatterns = [
    path("", views.home, name="home"),
    path("editions/<int:pk>/", views.edition, name="edition"),
    path("programme/", views.programme, name="programme"),
    path("editions/<int:pk>/programme.ics", views.programme_ics, name="programme_ics"),
    path("editions/<int:pk>/programme.csv", views.programme_csv, name="programme_csv"),
    path("editions/<int:pk>/programme.json", views.programme_json, name="programme_json"),
    path("candidatures/", views.my_applications, name="my_applications"),
    path(
        "editions/<int:edition_pk>/candidater/<int:organisation_pk>/",
        views.application_create,
        name="application_create",
    ),
    path("candidatures/<int:pk>/", views.application_detail, name="application_detail"),
    path("gestion/", views.manage, name="manage"),
    path("gestion/editions/<int:pk>/", views.edition_manage, name="edition_manage"),
    path("gestion/candidatures/<int:pk>/", views.review, name="review"),
    path("gestion/editions/<int:pk>/panneaux.pdf", views.signs_pdf, name="signs_pdf"),
    path("gestion/editions/<int:pk>/badges.pdf", views.badges_pdf, name="badges_pdf"),
]
