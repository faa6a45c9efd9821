from django.urls import path

from essor.cigales import views

app_name = "cigales"

urlpatterns = [
    path("", views.home, name="home"),
    path("chiffres.csv", views.open_data_csv, name="open_data_csv"),
    path("chiffres.json", views.open_data_json, name="open_data_json"),
    path("mes-clubs/", views.my_clubs, name="my_clubs"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("clubs/nouveau/", views.club_create, name="club_create"),
    path("clubs/<int:pk>/", views.club, name="club"),
    path("clubs/<int:pk>/regles/", views.club_edit, name="club_edit"),
    path("clubs/<int:pk>/etat/<str:action>/", views.club_transition, name="club_transition"),
    path("clubs/<int:pk>/membres/ajouter/", views.member_add, name="member_add"),
    path("clubs/<int:pk>/mandats/", views.officer_elect, name="officer_elect"),
    path("clubs/<int:pk>/epargne/", views.savings, name="savings"),
    path("clubs/<int:pk>/restitutions/", views.handback, name="handback"),
    path("clubs/<int:pk>/reunions/nouvelle/", views.meeting_create, name="meeting_create"),
    path("clubs/<int:pk>/projets/nouveau/", views.project_create, name="project_create"),
    path("membres/<int:pk>/sortie/", views.member_leave, name="member_leave"),
    path("membres/<int:pk>/releve/<year:year>/", views.statement, name="statement"),
    path("membres/<int:pk>/releve/<year:year>.pdf", views.statement_pdf, name="statement_pdf"),
    path("reunions/<int:pk>/", views.meeting, name="meeting"),
    path("reunions/<int:pk>/proces-verbal.pdf", views.meeting_minutes_pdf, name="minutes_pdf"),
    path("projets/<int:pk>/", views.project, name="project"),
    path("investissements/<int:pk>/sortie/", views.investment_exit, name="investment_exit"),
]
