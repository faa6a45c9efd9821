from django.urls import path

from essor.foodlink import views

app_name = "foodlink"

urlpatterns = [
    # The public guide of local producers.
    path("", views.guide, name="guide"),
    path("carte.json", views.guide_map_data, name="guide_map_data"),
    path("producteurs/<int:pk>/", views.producer_page, name="producer"),
    path("livret/", views.booklet, name="booklet"),
    path("livret/telecharger/", views.booklet_download, name="booklet_download"),
    # The producers' and canteens' space.
    path("espace/", views.home, name="home"),
    path("notifications/", views.notifications, name="notifications"),
    path("producteurs/<int:pk>/modifier/", views.producer_edit, name="producer_edit"),
    path("consultations/", views.consultation_list, name="consultation_list"),
    path("consultations/nouvelle/", views.consultation_create, name="consultation_create"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/attribuer/", views.consultation_award, name="consultation_award"),
    path("consultations/<int:pk>/offre/", views.offer_submit, name="offer_submit"),
    path("consultations/<int:pk>/modifier/", views.consultation_edit, name="consultation_edit"),
    path(
        "consultations/<int:pk>/<slug:action>/",
        views.consultation_action,
        name="consultation_action",
    ),
    path("offres/<int:pk>/bon-de-commande.pdf", views.purchase_order, name="purchase_order"),
    path("achats/", views.purchase_list, name="purchase_list"),
    path("achats/saisir/", views.purchase_create, name="purchase_create"),
    path("achats/importer/", views.purchase_import, name="purchase_import"),
    path("achats/export.csv", views.purchase_export, name="purchase_export"),
    path("cantines/<int:pk>/egalim/", views.dashboard, name="dashboard"),
    # The agency.
    path("agence/", views.staff, name="staff"),
    path("agence/producteurs/nouveau/", views.producer_create, name="producer_create"),
    path("agence/cantines/nouvelle/", views.buyer_create, name="buyer_create"),
    path("agence/modifications/<int:pk>/", views.revision_review, name="revision_review"),
]
