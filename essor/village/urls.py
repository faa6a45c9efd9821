from django.urls import path

from essor.village import views, views_passport

app_name = "village"

urlpatterns = [
    path("", views.home, name="home"),
    path("editions/<int:pk>/", views.edition, name="edition"),
    path("programme/", views.programme, name="programme"),
    path("editions/<int:pk>/programme.ics", views.programme_ics, name="programme_ics"),
    path("editions/<int:pk>/programme.csv", views.programme_csv, name="programme_csv"),
    path("editions/<int:pk>/programme.json", views.programme_json, name="programme_json"),
    path("passeport/", views_passport.passport, name="passport"),
    path("tampon/<int:stand_pk>/<str:token>/", views_passport.stamp, name="stamp"),
    path("borne/<str:key>/", views_passport.kiosk, name="kiosk"),
    path("tirage/", views_passport.draw_public, name="draw"),
    path("stands/<int:stand_pk>/question/", views_passport.question_edit, name="question_edit"),
    path("candidatures/", views.my_applications, name="my_applications"),
    path(
        "editions/<int:edition_pk>/candidater/<int:organisation_pk>/",
        views.application_create,
        name="application_create",
    ),
    path("candidatures/<int:pk>/", views.application_detail, name="application_detail"),
    path(
        "candidatures/<int:pk>/bilan.pdf",
        views.exhibitor_report_pdf,
        name="exhibitor_report_pdf",
    ),
    path("gestion/", views.manage, name="manage"),
    path("gestion/editions/<int:pk>/", views.edition_manage, name="edition_manage"),
    path("gestion/candidatures/<int:pk>/", views.review, name="review"),
    path("gestion/editions/<int:pk>/panneaux.pdf", views.signs_pdf, name="signs_pdf"),
    path("gestion/editions/<int:pk>/badges.pdf", views.badges_pdf, name="badges_pdf"),
    path("gestion/editions/<int:pk>/tirage/", views_passport.draw_manage, name="draw_manage"),
    path("gestion/editions/<int:pk>/bilan/", views.report, name="report"),
    path(
        "gestion/editions/<int:pk>/qr-du-jour.pdf",
        views_passport.day_codes_pdf,
        name="day_codes_pdf",
    ),
    path("gestion/stands/<int:stand_pk>/cles/", views_passport.renew_keys, name="renew_keys"),
]
