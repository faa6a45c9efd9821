from django.urls import path

from essor.foodlink.views import administration, canteen, producer, public, space

app_name = "foodlink"

urlpatterns = [
    # The public guide of local producers.
    path("", public.guide, name="guide"),
    path("carte.json", public.guide_map_data, name="guide_map_data"),
    path("producteurs/<int:pk>/", public.producer_page, name="producer"),
    path("livret/", public.booklet, name="booklet"),
    path("livret/telecharger/", public.booklet_download, name="booklet_download"),
    # The producers' and canteens' space.
    path("espace/", space.home, name="home"),
    path("producteurs/<int:pk>/modifier/", producer.producer_edit, name="producer_edit"),
    path("consultations/", canteen.consultation_list, name="consultation_list"),
    path("consultations/nouvelle/", canteen.consultation_create, name="consultation_create"),
    path("consultations/<int:pk>/", canteen.consultation_detail, name="consultation_detail"),
    path(
        "consultations/<int:pk>/attribuer/",
        canteen.consultation_award,
        name="consultation_award",
    ),
    path("consultations/<int:pk>/offre/", producer.offer_submit, name="offer_submit"),
    path("consultations/<int:pk>/modifier/", canteen.consultation_edit, name="consultation_edit"),
    path(
        "consultations/<int:pk>/<slug:action>/",
        canteen.consultation_action,
        name="consultation_action",
    ),
    path("offres/<int:pk>/bon-de-commande.pdf", canteen.purchase_order, name="purchase_order"),
    path("achats/", canteen.purchase_list, name="purchase_list"),
    path("achats/saisir/", canteen.purchase_create, name="purchase_create"),
    path("achats/importer/", canteen.purchase_import, name="purchase_import"),
    path("achats/export.csv", canteen.purchase_export, name="purchase_export"),
    path("cantines/<int:pk>/egalim/", canteen.dashboard, name="dashboard"),
    path(
        "cantines/<int:pk>/bilan-ma-cantine.csv",
        canteen.macantine_bilan,
        name="macantine_bilan",
    ),
    # The agency.
    path("agence/", administration.staff, name="staff"),
    path("agence/livret/construire/", administration.booklet_build, name="booklet_build"),
    path("agence/producteurs/nouveau/", administration.producer_create, name="producer_create"),
    path("agence/cantines/nouvelle/", administration.buyer_create, name="buyer_create"),
    path("agence/modifications/<int:pk>/", administration.revision_review, name="revision_review"),
]
