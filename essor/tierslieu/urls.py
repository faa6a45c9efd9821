from django.urls import path

from essor.tierslieu import views, views_creche

app_name = "tierslieu"

urlpatterns = [
    path("", views.home, name="home"),
    path("mes-lieux/", views.mine, name="mine"),
    path("calendrier/<uuid:token>.ics", views.member_calendar, name="member_calendar"),
    path("<slug:slug>/", views.place, name="place"),
    path("<slug:slug>/espaces/<int:pk>/", views.availability, name="availability"),
    path("<slug:slug>/espaces/<int:pk>.ics", views.space_calendar, name="space_calendar"),
    path("<slug:slug>/espaces/<int:pk>/reserver/", views.book, name="book"),
    path("<slug:slug>/tarif-solidaire/", views.solidarity_request, name="solidarity_request"),
    path("<slug:slug>/gestion/", views.manage, name="manage"),
    path("<slug:slug>/gestion/factures/", views.invoices, name="invoices"),
    path("<slug:slug>/gestion/factures/<year:year>.csv", views.invoices_csv, name="invoices_csv"),
    path("<slug:slug>/gestion/factures/mois/", views.invoice_month, name="invoice_month"),
    path("<slug:slug>/creche/", views_creche.creche, name="creche"),
    path("<slug:slug>/creche/demande/", views_creche.creche_apply, name="creche_apply"),
    path("<slug:slug>/creche/gestion/", views_creche.creche_manage, name="creche_manage"),
    path("<slug:slug>/creche/grilles/<year:year>/", views_creche.creche_grid, name="creche_grid"),
    path("<slug:slug>/cafe/", views_creche.cafe, name="cafe"),
    path("creche/demandes/<int:pk>/", views_creche.creche_application, name="creche_application"),
    path("creche/demandes/<int:pk>/retrait/", views_creche.creche_withdraw, name="creche_withdraw"),
    path("creche/demandes/<int:pk>/reponse/", views_creche.creche_answer, name="creche_answer"),
    path("creche/commissions/<int:pk>/", views_creche.commission, name="commission"),
    path(
        "creche/commissions/<int:pk>/propositions/",
        views_creche.commission_offer,
        name="commission_offer",
    ),
    path("reservations/<int:pk>/annuler/", views.cancel, name="cancel"),
    path("factures/<int:pk>/", views.invoice, name="invoice"),
    path("factures/<int:pk>.pdf", views.invoice_pdf, name="invoice_pdf"),
    path("factures/<int:pk>/avoir/", views.credit_note, name="credit_note"),
    path("factures/<int:pk>/paiement/", views.payment, name="payment"),
    path("tarifs-solidaires/<int:pk>/", views.review_grant, name="review_grant"),
    path("tarifs-solidaires/<int:pk>/justificatif/", views.grant_proof, name="grant_proof"),
]
