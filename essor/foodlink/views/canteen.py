"""The canteens' (buyers') pages: consultations and their steps, awards, purchase orders,
purchases (typed in, imported, exported) and the EGalim dashboard. The consultation page and the
purchase order are also read by the producers concerned and the agency."""

import io
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from essor.core import params, workflow
from essor.core.exports import pdf_response, render_pdf
from essor.core.formats import counted, plural, with_article
from essor.core.forms import run_service
from essor.core.permissions import is_agency_member, login_required
from essor.foodlink import selectors, services
from essor.foodlink.forms import (
    ConsultationForm,
    DeliveryForm,
    PurchaseForm,
    PurchaseImportForm,
    ReasonForm,
)
from essor.foodlink.models import BuyerProfile, Consultation, Offer, responses_are_over

S = Consultation.Status

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
        created = run_service(
            form, services.create_consultation, actor=request.user, buyer=buyer, **data
        )
        if created:
            messages.success(
                request, "Consultation enregistrée en brouillon : vérifiez-la puis publiez-la."
            )
            return redirect("foodlink:consultation_detail", pk=created.result.pk)
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
        if run_service(
            form,
            services.update_consultation,
            actor=request.user,
            consultation=Consultation(pk=pk),
            **data,
        ):
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


# The steps run from the consultation's page, by the slug of their URL: the transition of
# `Consultation` each one performs, and the form it needs (a reason, a delivery date).
# In the order the page offers them: the way forward first, withdrawing last.
STEPS = {
    "publier": {"transition": "publish", "form": None},
    "clore": {"transition": "close", "form": None},
    "commander": {"transition": "order", "form": None},
    "livraison": {"transition": "deliver", "form": DeliveryForm},
    "infructueuse": {"transition": "declare_unsuccessful", "form": ReasonForm},
    "annuler": {"transition": "cancel", "form": ReasonForm},
}


def _step_labels() -> dict[str, str]:
    """The button's label of each transition of a consultation (from its step)."""
    field = Consultation._meta.get_field("status")
    return {t.name: workflow.step_of(t).label for t in field.get_all_transitions(Consultation)}


def _creation_row(consultation: Consultation) -> workflow.HistoryRow:
    """The first line of the timeline: the draft's creation, which is no transition."""
    return workflow.HistoryRow(
        at=consultation.created_at,
        by=consultation.created_by,
        label="Consultation créée (brouillon)",
        source="—",
        target=S.DRAFT.label,
        reason="",
    )


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
    # Only what this person may do now (the award has its own page: the table of offers).
    allowed = {action.name: action for action in workflow.available_actions(consultation, user)}
    actions = [
        {"slug": slug, "label": allowed[spec["transition"]].label}
        for slug, spec in STEPS.items()
        if spec["transition"] in allowed
    ]
    return render(
        request,
        "foodlink/consultation_detail.html",
        {
            "consultation": consultation,
            "is_buyer": is_buyer,
            "can_edit": is_buyer and consultation.status == S.DRAFT,
            "sees_offers": sees_offers,
            "offers": list(selectors.consultation_offers(consultation)) if sees_offers else [],
            "alert_count": consultation.alerts.count(),
            "history": [_creation_row(consultation), *workflow.history(consultation)]
            if sees_offers
            else [],
            "producer": producer,
            "own_offer": own_offer,
            "can_offer": producer is not None
            and consultation.status == S.PUBLISHED
            and not responses_are_over(consultation),
            "can_award": _may_award(consultation, user),
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


def _may_award(consultation: Consultation, user) -> bool:
    """Closed, or published with its deadline passed (the award closes it first)."""
    return workflow.may(consultation.award_offers, user) or workflow.may(consultation.close, user)


@login_required
@require_http_methods(["GET", "POST"])
def consultation_action(request, pk: int, action: str):
    spec = STEPS.get(action)
    if spec is None:
        raise Http404("Action inconnue.")
    consultation = get_object_or_404(
        Consultation.objects.select_related("buyer__organisation"), pk=pk
    )
    if not selectors.is_buyer_member(request.user, consultation.buyer):
        raise PermissionDenied("Seuls les gestionnaires de la cantine conduisent la consultation.")
    label = _step_labels()[spec["transition"]]
    if request.method == "GET" and not workflow.may(
        getattr(consultation, spec["transition"]), request.user
    ):
        # Reached by its address while the page does not offer it: say why, on the page.
        messages.error(request, _why_not(consultation, label))
        return redirect("foodlink:consultation_detail", pk=pk)
    form = spec["form"](request.POST or None) if spec["form"] else None
    if request.method == "POST" and (form is None or form.is_valid()):
        step = {
            "actor": request.user,
            "consultation": consultation,
            "transition": spec["transition"],
        }
        if form is not None:
            done = run_service(form, _run_step, **step, data=form.cleaned_data)
            if done:
                messages.success(request, done.result)
                return redirect("foodlink:consultation_detail", pk=pk)
        else:
            # A step without a form is a button: a refusal goes above the consultation.
            try:
                messages.success(request, _run_step(**step, data={}))
            except ValidationError as error:
                for text in error.messages:
                    messages.error(request, text)
            return redirect("foodlink:consultation_detail", pk=pk)
    return render(
        request,
        "foodlink/consultation_action.html",
        {"consultation": consultation, "form": form, "label": label, "action": action},
    )


def _why_not(consultation: Consultation, label: str) -> str:
    """Why a step is not offered now, for the person who reached it by its address."""
    if consultation.status == S.PUBLISHED and not responses_are_over(consultation):
        return (
            f"« {label} » n'est pas encore possible : les producteurs peuvent répondre jusqu'à "
            "la date limite."
        )
    state = consultation.get_status_display()
    return f"« {label} » est impossible : la consultation est à l'état « {state} »."


def _run_step(*, actor, consultation, transition, data) -> str:
    """Runs the service of one step of the consultation; the message that confirms it."""
    if transition == "publish":
        count = services.publish_consultation(actor=actor, consultation=consultation)
        return f"Consultation publiée : {counted(count, 'producteur')} {plural(count, 'alerté')}."
    if transition == "close":
        services.close_consultation(actor=actor, consultation=consultation)
        return "Réponses closes : vous pouvez comparer les offres et attribuer."
    if transition == "cancel":
        services.cancel_consultation(actor=actor, consultation=consultation, reason=data["reason"])
        return "Consultation annulée."
    if transition == "declare_unsuccessful":
        services.declare_unsuccessful(actor=actor, consultation=consultation, reason=data["reason"])
        return "Consultation déclarée infructueuse."
    if transition == "order":
        services.issue_purchase_orders(actor=actor, consultation=consultation)
        return "Bons de commande émis : téléchargez-les et transmettez-les aux producteurs."
    purchases = services.confirm_delivery(
        actor=actor, consultation=consultation, delivered_on=data["delivered_on"]
    )
    count = len(purchases)
    return f"Livraison confirmée : {counted(count, 'achat')} {plural(count, 'enregistré')}."


@login_required
@require_http_methods(["GET", "POST"])
def consultation_award(request, pk: int):
    consultation = get_object_or_404(
        Consultation.objects.select_related("buyer__organisation"), pk=pk
    )
    if not selectors.is_buyer_member(request.user, consultation.buyer):
        raise PermissionDenied("Seuls les gestionnaires de la cantine attribuent la consultation.")
    if request.method == "GET" and not _may_award(consultation, request.user):
        messages.error(request, _why_not(consultation, "Attribuer"))
        return redirect("foodlink:consultation_detail", pk=pk)
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
                    errors.append(
                        f"Offre {with_article(offer.producer, 'de')} : « {raw} » n'est pas une quantité."
                    )
        if not errors:
            try:
                services.award_consultation(
                    actor=request.user,
                    consultation=consultation,
                    quantities=quantities,
                    reason=request.POST.get("reason", "").strip(),
                    confirm_threshold=request.POST.get("confirm_threshold") == "on",
                )
            except ValidationError as error:
                # The award is a table of quantities, not a form: the page lists the messages.
                errors.extend(error.messages)
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
    year = params.whole_number(request.GET.get("annee", ""), minimum=2000, maximum=2100)
    return year or timezone.localdate().year


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
        if run_service(form, services.record_purchase, actor=request.user, buyer=buyer, **data):
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
def macantine_bilan(request, pk: int):
    """The canteen's year as ma-cantine's « bilan simple » CSV, to import there before the
    télédéclaration; its managers and the agency."""
    buyer = get_object_or_404(BuyerProfile, pk=pk)
    if not selectors.can_manage_buyer(request.user, buyer):
        raise PermissionDenied("Vous n'avez pas accès au bilan de cette cantine.")
    year = _year(request)
    bilan = selectors.macantine_bilan(buyer=buyer, year=year)
    if bilan is None:
        messages.error(
            request,
            f"Aucun achat enregistré pour {year} : ma-cantine refuse un bilan dont la valeur "
            "totale est nulle, aucun fichier n'est produit.",
        )
        return redirect(f"{reverse('foodlink:dashboard', kwargs={'pk': buyer.pk})}?annee={year}")
    stream = io.StringIO()
    services.write_macantine_bilans(stream, [bilan])
    response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="bilan-simple-{year}-{buyer.siret}.csv"'
    )
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
