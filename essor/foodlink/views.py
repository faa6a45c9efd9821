"""Views of the foodlink module: the producers' and canteens' space (consultations, offers,
purchases, EGalim), the agency's validation, and the public guide of producers."""

import io
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from essor.core.exports import pdf_response, render_pdf
from essor.core.permissions import agency_required, is_agency_member, login_required
from essor.foodlink import selectors, services, tasks
from essor.foodlink.forms import (
    BuyerCreateForm,
    CertificationFormSet,
    ConsultationForm,
    DeliveryForm,
    GuideFilterForm,
    OfferForm,
    ProducerCreateForm,
    ProducerProfileForm,
    ProductFormSet,
    PurchaseForm,
    PurchaseImportForm,
    ReasonForm,
    producer_data,
    producer_initial,
)
from essor.foodlink.models import (
    BuyerProfile,
    Consultation,
    Offer,
    ProducerProfile,
    ProducerRevision,
)
from essor.territory.models import Commune

S = Consultation.Status


def _errors(error) -> list[str]:
    return list(error.messages)


def _add_service_errors(form, error) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        for message in error.messages:
            form.add_error(None, message)


# --- The person's space -------------------------------------------------------------------


@login_required
@require_GET
def home(request):
    user = request.user
    buyers = list(selectors.buyers_of(user))
    producers = list(selectors.producers_of(user).select_related("organisation"))
    return render(
        request,
        "foodlink/home.html",
        {
            "buyers": buyers,
            "producers": producers,
            "notifications": list(selectors.unread_notifications(user)[:10]),
            "pending_count": selectors.pending_revisions().count() if is_agency_member(user) else 0,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    if request.method == "POST":
        services.mark_notifications_read(user=request.user)
        messages.success(request, "Toutes vos notifications sont marquées comme lues.")
        return redirect("foodlink:notifications")
    page = Paginator(request.user.foodlink_notifications.all(), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "foodlink/notifications.html", {"page": page})


# --- Producers ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def producer_edit(request, pk: int):
    producer = get_object_or_404(ProducerProfile.objects.select_related("organisation"), pk=pk)
    if not selectors.can_edit_producer(request.user, producer):
        raise PermissionDenied("Vous ne pouvez pas modifier ce producteur.")
    pending = producer.revisions.filter(status=ProducerRevision.Status.PENDING).first()
    if request.method == "POST":
        profile_form = ProducerProfileForm(request.POST)
        products = ProductFormSet(request.POST, prefix="produits")
        certifications = CertificationFormSet(request.POST, prefix="certifications")
        if profile_form.is_valid() and products.is_valid() and certifications.is_valid():
            data = producer_data(profile_form, products, certifications)
            try:
                revision = services.propose_producer_changes(
                    actor=request.user, producer=producer, data=data
                )
                if is_agency_member(request.user):
                    services.review_producer_revision(
                        actor=request.user,
                        revision=revision,
                        approve=True,
                        comment="Modifié par l'agence.",
                    )
                    messages.success(request, "Le profil est modifié et publié.")
                else:
                    messages.success(
                        request,
                        "Vos modifications sont enregistrées : elles seront publiées après "
                        "validation par l'agence.",
                    )
                return redirect("foodlink:producer_edit", pk=producer.pk)
            except services.FoodlinkError as error:
                for message in _errors(error):
                    profile_form.add_error(None, message)
    else:
        profile, product_rows, certification_rows = producer_initial(
            producer, pending.data if pending else None
        )
        profile_form = ProducerProfileForm(initial=profile)
        products = ProductFormSet(initial=product_rows, prefix="produits")
        certifications = CertificationFormSet(initial=certification_rows, prefix="certifications")
    return render(
        request,
        "foodlink/producer_edit.html",
        {
            "producer": producer,
            "pending": pending,
            "form": profile_form,
            "products": products,
            "certifications": certifications,
        },
    )


# --- Agency -------------------------------------------------------------------------------


@agency_required
@require_GET
def staff(request):
    return render(
        request,
        "foodlink/staff.html",
        {
            "revisions": list(selectors.pending_revisions()),
            "producers": list(
                ProducerProfile.objects.select_related("organisation", "commune").order_by(
                    "organisation__name"
                )
            ),
            "buyers": list(BuyerProfile.objects.select_related("commune").order_by("name")),
        },
    )


@agency_required
@require_http_methods(["GET", "POST"])
def revision_review(request, pk: int):
    revision = get_object_or_404(
        ProducerRevision.objects.select_related("producer__organisation", "proposed_by"), pk=pk
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = request.POST.get("decision") == "approve"
        try:
            services.review_producer_revision(
                actor=request.user,
                revision=revision,
                approve=approve,
                comment=form.cleaned_data["reason"],
            )
            messages.success(
                request, "Modification validée et publiée." if approve else "Modification refusée."
            )
            return redirect("foodlink:staff")
        except services.FoodlinkError as error:
            _add_service_errors(form, error)
    producer = revision.producer
    current, current_products, current_certifications = producer_initial(producer)
    return render(
        request,
        "foodlink/revision_review.html",
        {
            "revision": revision,
            "producer": producer,
            "form": form,
            "current": current,
            "current_products": current_products,
            "current_certifications": current_certifications,
        },
    )


@agency_required
@require_http_methods(["GET", "POST"])
def producer_create(request):
    form = ProducerCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            producer = services.create_producer_profile(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                commune=form.cleaned_data["commune"],
                delivery_radius_km=form.cleaned_data["delivery_radius_km"],
            )
        except services.FoodlinkError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Producteur enregistré : complétez son profil.")
            return redirect("foodlink:producer_edit", pk=producer.pk)
    return render(
        request, "foodlink/simple_form.html", {"form": form, "title": "Enregistrer un producteur"}
    )


@agency_required
@require_http_methods(["GET", "POST"])
def buyer_create(request):
    form = BuyerCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {
            key: value
            for key, value in form.cleaned_data.items()
            if key not in ("organisation", "commune")
        }
        try:
            services.create_buyer_profile(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                commune=form.cleaned_data["commune"],
                **data,
            )
        except services.FoodlinkError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Cantine enregistrée.")
            return redirect("foodlink:staff")
    return render(
        request, "foodlink/simple_form.html", {"form": form, "title": "Enregistrer une cantine"}
    )


# --- Consultations ------------------------------------------------------------------------


@login_required
@require_GET
def consultation_list(request):
    queryset = selectors.visible_consultations(request.user).order_by("-created_at")
    status = request.GET.get("etat", "")
    if status in S.values:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset.annotate(offer_count=Count("offers", distinct=True)), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "foodlink/consultation_list.html",
        {
            "page": page,
            "status": status,
            "statuses": S.choices,
            "query": f"etat={status}" if status else "",
            "can_create": selectors.buyers_of(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_create(request):
    buyers = selectors.buyers_of(request.user)
    if not buyers.exists():
        raise PermissionDenied("Seuls les gestionnaires d'une cantine lancent une consultation.")
    form = ConsultationForm(request.POST or None, buyers=buyers)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        buyer = data.pop("buyer")
        if not data.get("delivery_address"):
            data.pop("delivery_address", None)
        try:
            consultation = services.create_consultation(actor=request.user, buyer=buyer, **data)
        except services.FoodlinkError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request, "Consultation enregistrée en brouillon : vérifiez-la puis publiez-la."
            )
            return redirect("foodlink:consultation_detail", pk=consultation.pk)
    return render(request, "foodlink/consultation_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request, pk: int):
    consultation = get_object_or_404(
        Consultation.objects.select_related("buyer__organisation"), pk=pk
    )
    if not selectors.is_buyer_member(request.user, consultation.buyer):
        raise PermissionDenied("Seuls les gestionnaires de la cantine modifient la consultation.")
    if consultation.status != S.DRAFT:
        messages.error(request, "Seul un brouillon peut être modifié.")
        return redirect("foodlink:consultation_detail", pk=pk)
    buyers = BuyerProfile.objects.filter(pk=consultation.buyer_id)
    form = ConsultationForm(
        request.POST or None,
        instance=consultation,
        buyers=buyers,
        initial={"buyer": consultation.buyer_id},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("buyer")
        if not data.get("delivery_address"):
            data["delivery_address"] = consultation.buyer.delivery_address
        try:
            services.update_consultation(
                actor=request.user, consultation=Consultation(pk=pk), **data
            )
        except services.FoodlinkError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Brouillon modifié.")
            return redirect("foodlink:consultation_detail", pk=pk)
    return render(
        request, "foodlink/consultation_form.html", {"form": form, "consultation": consultation}
    )


def _consultation_for(request, pk: int) -> Consultation:
    consultation = get_object_or_404(
        Consultation.objects.select_related("buyer__organisation"), pk=pk
    )
    if not selectors.can_see_consultation(request.user, consultation):
        raise PermissionDenied("Vous n'avez pas accès à cette consultation.")
    return consultation


@login_required
@require_GET
def consultation_detail(request, pk: int):
    consultation = _consultation_for(request, pk)
    user = request.user
    is_buyer = selectors.is_buyer_member(user, consultation.buyer)
    sees_offers = is_buyer or is_agency_member(user)
    producer = selectors.alerted_producer_for(user, consultation)
    own_offer = (
        consultation.offers.filter(producer=producer).first() if producer is not None else None
    )
    actions = []
    if is_buyer:
        actions = [
            ACTION_BY_TARGET[target]
            for target in services.allowed_targets(consultation.status)
            if target in ACTION_BY_TARGET
        ]
    return render(
        request,
        "foodlink/consultation_detail.html",
        {
            "consultation": consultation,
            "is_buyer": is_buyer,
            "sees_offers": sees_offers,
            "offers": list(selectors.consultation_offers(consultation)) if sees_offers else [],
            "alert_count": consultation.alerts.count(),
            "history": selectors.consultation_history(consultation) if sees_offers else [],
            "producer": producer,
            "own_offer": own_offer,
            "can_offer": producer is not None
            and consultation.status == S.PUBLISHED
            and consultation.deadline > timezone.now(),
            "can_award": is_buyer
            and (
                consultation.status == S.CLOSED
                or (consultation.status == S.PUBLISHED and consultation.deadline <= timezone.now())
            ),
            "actions": actions,
            "retained": [
                offer
                for offer in consultation.offers.filter(status=Offer.Status.RETAINED)
                if is_buyer
                or is_agency_member(user)
                or offer.producer_id == getattr(producer, "pk", None)
            ]
            if consultation.status in (S.AWARDED, S.ORDERED, S.DELIVERED)
            else [],
        },
    )


ACTIONS = {
    "publier": {"target": S.PUBLISHED, "label": "Publier et alerter les producteurs", "form": None},
    "clore": {"target": S.CLOSED, "label": "Clore les réponses", "form": None},
    "annuler": {"target": S.CANCELLED, "label": "Annuler la consultation", "form": ReasonForm},
    "infructueuse": {
        "target": S.UNSUCCESSFUL,
        "label": "Déclarer la consultation infructueuse",
        "form": ReasonForm,
    },
    "commander": {"target": S.ORDERED, "label": "Émettre les bons de commande", "form": None},
    "livraison": {"target": S.DELIVERED, "label": "Confirmer la livraison", "form": DeliveryForm},
}
ACTION_BY_TARGET = {spec["target"]: {"slug": slug, **spec} for slug, spec in ACTIONS.items()}


@login_required
@require_http_methods(["GET", "POST"])
def consultation_action(request, pk: int, action: str):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("Action inconnue.")
    consultation = get_object_or_404(
        Consultation.objects.select_related("buyer__organisation"), pk=pk
    )
    if not selectors.is_buyer_member(request.user, consultation.buyer):
        raise PermissionDenied("Seuls les gestionnaires de la cantine conduisent la consultation.")
    form = spec["form"](request.POST or None) if spec["form"] else None
    if request.method == "POST" and (form is None or form.is_valid()):
        data = form.cleaned_data if form else {}
        try:
            message = _run_action(request.user, consultation, spec["target"], data)
        except services.FoodlinkError as error:
            if form is None:
                for text in _errors(error):
                    messages.error(request, text)
                return redirect("foodlink:consultation_detail", pk=pk)
            _add_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("foodlink:consultation_detail", pk=pk)
    return render(
        request,
        "foodlink/consultation_action.html",
        {"consultation": consultation, "form": form, "spec": spec, "action": action},
    )


def _run_action(user, consultation, target, data) -> str:
    if target == S.PUBLISHED:
        count = services.publish_consultation(actor=user, consultation=consultation)
        return f"Consultation publiée : {count} producteur(s) alerté(s)."
    if target == S.CLOSED:
        services.close_consultation(actor=user, consultation=consultation)
        return "Réponses closes : vous pouvez comparer les offres et attribuer."
    if target == S.CANCELLED:
        services.cancel_consultation(actor=user, consultation=consultation, reason=data["reason"])
        return "Consultation annulée."
    if target == S.UNSUCCESSFUL:
        services.declare_unsuccessful(actor=user, consultation=consultation, reason=data["reason"])
        return "Consultation déclarée infructueuse."
    if target == S.ORDERED:
        services.issue_purchase_orders(actor=user, consultation=consultation)
        return "Bons de commande émis : téléchargez-les et transmettez-les aux producteurs."
    purchases = services.confirm_delivery(
        actor=user, consultation=consultation, delivered_on=data["delivered_on"]
    )
    return f"Livraison confirmée : {len(purchases)} achat(s) enregistré(s)."


@login_required
@require_http_methods(["GET", "POST"])
def consultation_award(request, pk: int):
    consultation = get_object_or_404(
        Consultation.objects.select_related("buyer__organisation"), pk=pk
    )
    if not selectors.is_buyer_member(request.user, consultation.buyer):
        raise PermissionDenied("Seuls les gestionnaires de la cantine attribuent la consultation.")
    offers = list(selectors.consultation_offers(consultation))
    errors: list[str] = []
    values = {}
    if request.method == "POST":
        quantities = {}
        for offer in offers:
            raw = request.POST.get(f"quantite_{offer.pk}", "").strip().replace(",", ".")
            values[offer.pk] = raw
            if raw:
                try:
                    quantities[offer.pk] = Decimal(raw)
                except InvalidOperation:
                    errors.append(f"Offre de {offer.producer} : « {raw} » n'est pas une quantité.")
        if not errors:
            try:
                services.award_consultation(
                    actor=request.user,
                    consultation=consultation,
                    quantities=quantities,
                    reason=request.POST.get("reason", "").strip(),
                    confirm_threshold=request.POST.get("confirm_threshold") == "on",
                )
            except services.FoodlinkError as error:
                errors.extend(_errors(error))
            else:
                messages.success(
                    request, "Consultation attribuée : les producteurs en sont informés."
                )
                return redirect("foodlink:consultation_detail", pk=pk)
    year = timezone.localdate().year
    guard = next(
        row
        for row in selectors.procurement_guard(buyer_id=consultation.buyer_id, year=year)
        if row["code"] == consultation.family
    )
    for offer in offers:
        offer.input_value = values.get(offer.pk, "")
    return render(
        request,
        "foodlink/consultation_award.html",
        {
            "consultation": consultation,
            "offers": offers,
            "errors": errors,
            "guard": guard,
            "threshold": selectors.procurement_threshold(),
            "reason": request.POST.get("reason", ""),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_submit(request, pk: int):
    consultation = get_object_or_404(
        Consultation.objects.select_related("buyer__organisation"), pk=pk
    )
    producer = selectors.alerted_producer_for(request.user, consultation)
    if producer is None:
        raise PermissionDenied("Seuls les producteurs sollicités répondent à cette consultation.")
    offer = consultation.offers.filter(producer=producer).first()
    initial = (
        {
            "unit_price": offer.unit_price,
            "quantity": offer.quantity,
            "characteristics": offer.characteristics,
            "comment": offer.comment,
        }
        if offer
        else {}
    )
    form = OfferForm(request.POST or None, initial=initial, consultation=consultation)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_offer(
                actor=request.user,
                consultation=consultation,
                producer=producer,
                **form.cleaned_data,
            )
        except services.FoodlinkError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Votre offre est déposée.")
            return redirect("foodlink:consultation_detail", pk=pk)
    return render(
        request,
        "foodlink/offer_form.html",
        {"consultation": consultation, "form": form, "offer": offer, "producer": producer},
    )


@login_required
@require_GET
def purchase_order(request, pk: int):
    offer = get_object_or_404(
        Offer.objects.select_related(
            "consultation__buyer__organisation", "producer__organisation", "producer__commune"
        ),
        pk=pk,
    )
    consultation = offer.consultation
    user = request.user
    allowed = (
        is_agency_member(user)
        or selectors.is_buyer_member(user, consultation.buyer)
        or selectors.is_producer_member(user, offer.producer)
    )
    if not allowed:
        raise PermissionDenied("Vous n'avez pas accès à ce bon de commande.")
    if offer.status != Offer.Status.RETAINED or consultation.status not in (
        S.ORDERED,
        S.DELIVERED,
    ):
        raise Http404("Aucun bon de commande pour cette offre.")
    content = render_pdf(
        "foodlink/pdf/purchase_order.html",
        {"offer": offer, "consultation": consultation, "today": timezone.localdate()},
    )
    return pdf_response(f"{offer.order_number}.pdf", content)


# --- Purchases and EGalim -----------------------------------------------------------------


def _year(request) -> int:
    try:
        year = int(request.GET.get("annee", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _buyers_for(user):
    return BuyerProfile.objects.all() if is_agency_member(user) else selectors.buyers_of(user)


@login_required
@require_GET
def purchase_list(request):
    year = _year(request)
    buyers = list(_buyers_for(request.user).order_by("name"))
    if not buyers and not is_agency_member(request.user):
        raise PermissionDenied("Seuls les gestionnaires d'une cantine suivent des achats.")
    queryset = (
        selectors.visible_purchases(request.user)
        .filter(date__year=year)
        .select_related("buyer")
        .order_by("-date", "-pk")
    )
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "foodlink/purchase_list.html",
        {"page": page, "year": year, "buyers": buyers, "query": f"annee={year}"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def purchase_create(request):
    buyers = selectors.buyers_of(request.user)
    if not buyers.exists():
        raise PermissionDenied("Seuls les gestionnaires d'une cantine saisissent des achats.")
    form = PurchaseForm(request.POST or None, buyers=buyers)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        buyer = data.pop("buyer")
        try:
            services.record_purchase(actor=request.user, buyer=buyer, **data)
        except services.FoodlinkError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Achat enregistré.")
            return redirect(f"{reverse('foodlink:purchase_list')}?annee={data['date'].year}")
    return render(request, "foodlink/simple_form.html", {"form": form, "title": "Saisir un achat"})


@login_required
@require_http_methods(["GET", "POST"])
def purchase_import(request):
    buyers = list(selectors.buyers_of(request.user))
    if not buyers:
        raise PermissionDenied("Seuls les gestionnaires d'une cantine importent des achats.")
    form = PurchaseImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.import_purchases(
                actor=request.user, content=upload.read(), filename=upload.name, buyers=buyers
            )
        except services.PurchaseImportError as error:
            errors = error.errors
        else:
            messages.success(request, f"{batch.row_count} achats importés.")
            return redirect("foodlink:purchase_list")
    return render(
        request,
        "foodlink/purchase_import.html",
        {"form": form, "errors": errors[:500], "error_count": len(errors)},
    )


@login_required
@require_GET
def purchase_export(request):
    year = _year(request)
    purchases = selectors.visible_purchases(request.user).filter(date__year=year)
    siret = request.GET.get("acheteur", "").strip()
    if siret:
        purchases = purchases.filter(buyer__siret=siret)
    if not is_agency_member(request.user) and not selectors.buyers_of(request.user).exists():
        raise PermissionDenied("Seuls les gestionnaires d'une cantine exportent des achats.")
    stream = io.StringIO()
    services.write_export(stream, purchases.order_by("buyer__siret", "date", "pk"))
    response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
    suffix = f"-{siret}" if siret else ""
    response["Content-Disposition"] = f'attachment; filename="achats-{year}{suffix}.csv"'
    return response


@login_required
@require_GET
def dashboard(request, pk: int):
    buyer = get_object_or_404(BuyerProfile.objects.select_related("organisation"), pk=pk)
    if not selectors.can_manage_buyer(request.user, buyer):
        raise PermissionDenied("Vous n'avez pas accès au bilan de cette cantine.")
    year = _year(request)
    figures = selectors.egalim_dashboard(buyer_ids=[buyer.pk], year=year)
    return render(
        request,
        "foodlink/dashboard.html",
        {
            "buyer": buyer,
            "year": year,
            "figures": figures,
            "years": selectors.purchase_years([buyer.pk]) or [year],
            "guard": selectors.procurement_guard(
                buyer_id=buyer.pk, year=year, purchases=figures["spend_by_family"]
            ),
            "threshold": selectors.procurement_threshold(),
            "chart_labels": [row["label"] for row in figures["families"]],
            "chart_values": [float(row["egalim_rate"] or 0) for row in figures["families"]],
        },
    )


# --- The public guide ---------------------------------------------------------------------

GUIDE_PARAMETERS = ("q", "family", "commune", "certification", "month")


def _guide_filters(request):
    communes = Commune.objects.filter(
        pk__in=ProducerProfile.objects.filter(is_published=True).values("commune")
    ).order_by("name")
    bound = any(name in request.GET for name in GUIDE_PARAMETERS)
    form = GuideFilterForm(request.GET if bound else None, communes=communes)
    filters = {}
    if bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "text": data["q"].strip(),
            "family": data["family"],
            "commune": data["commune"],
            "certification": data["certification"],
            "month": data["month"],
        }
    query = request.GET.copy()
    for name in list(query):
        if name not in GUIDE_PARAMETERS or not query.get(name):
            del query[name]
    return form, filters, query.urlencode()


@require_GET
def guide(request):
    form, filters, filter_query = _guide_filters(request)
    queryset = selectors.guide_producers(**filters, today=timezone.localdate())
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    page.object_list = list(
        selectors.with_guide_details(
            ProducerProfile.objects.filter(pk__in=[p.pk for p in page.object_list])
            .select_related("organisation", "commune")
            .order_by("organisation__name"),
            today=timezone.localdate(),
        )
    )
    return render(
        request,
        "foodlink/guide.html",
        {
            "form": form,
            "page": page,
            "filter_query": filter_query,
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )


@require_GET
def guide_map_data(request):
    _, filters, _ = _guide_filters(request)
    rows = selectors.guide_producers(**filters, today=timezone.localdate()).values(
        "pk", "organisation__name", "commune__name", "latitude", "longitude"
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": {
                "producer": row["pk"],
                "name": row["organisation__name"],
                "city": row["commune__name"],
            },
        }
        for row in rows
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@require_GET
def producer_page(request, pk: int):
    producer = get_object_or_404(
        selectors.with_guide_details(
            ProducerProfile.objects.select_related("organisation", "commune"),
            today=timezone.localdate(),
        ),
        pk=pk,
    )
    can_edit = request.user.is_authenticated and selectors.can_edit_producer(request.user, producer)
    if not producer.is_published and not can_edit:
        raise Http404("Ce producteur n'est pas (encore) publié dans le guide.")
    return render(
        request,
        "foodlink/producer.html",
        {
            "producer": producer,
            "can_edit": can_edit,
            "position": json.dumps(
                {
                    "lat": producer.latitude,
                    "lon": producer.longitude,
                    "name": producer.organisation.name,
                }
            ),
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )


@require_http_methods(["GET", "POST"])
def booklet(request):
    if request.method == "POST":
        if not request.user.is_authenticated or not is_agency_member(request.user):
            raise PermissionDenied("Seule l'agence reconstruit le livret.")
        job = tasks.enqueue_booklet(user=request.user)
        return redirect("core:job_detail", pk=job.pk)
    return render(
        request,
        "foodlink/booklet.html",
        {"latest": tasks.latest_booklet(), "running": tasks.running_booklet()},
    )


@require_GET
def booklet_download(request):
    latest = tasks.latest_booklet()
    if latest is None:
        raise Http404("Le livret n'a pas encore été construit.")
    path = Path(settings.MEDIA_ROOT) / latest.result["path"]
    if not path.is_file():
        raise Http404("Le livret n'a pas encore été construit.")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename="guide-producteurs-locaux.pdf",
        content_type="application/pdf",
    )
