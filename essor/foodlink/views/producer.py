"""The producers' pages: their profile (changes validated by the agency) and their offers to the
consultations they were alerted to."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from essor.core.forms import run_service
from essor.core.permissions import is_agency_member, login_required
from essor.foodlink import selectors, services
from essor.foodlink.forms import (
    CertificationFormSet,
    OfferForm,
    ProducerProfileForm,
    ProductFormSet,
    producer_data,
    producer_initial,
)
from essor.foodlink.models import Consultation, ProducerProfile, ProducerRevision


def _propose_changes(*, actor, producer, data) -> bool:
    """A producer's changes wait for the agency; the agency's own are published at once (True)."""
    revision = services.propose_producer_changes(actor=actor, producer=producer, data=data)
    if not is_agency_member(actor):
        return False
    services.review_producer_revision(
        actor=actor, revision=revision, approve=True, comment="Modifié par l'agence."
    )
    return True


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
            saved = run_service(
                profile_form,
                _propose_changes,
                actor=request.user,
                producer=producer,
                data=producer_data(profile_form, products, certifications),
            )
            if saved:
                if saved.result:
                    messages.success(request, "Le profil est modifié et publié.")
                else:
                    messages.success(
                        request,
                        "Vos modifications sont enregistrées : elles seront publiées après "
                        "validation par l'agence.",
                    )
                return redirect("foodlink:producer_edit", pk=producer.pk)
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
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            services.submit_offer,
            actor=request.user,
            consultation=consultation,
            producer=producer,
            **form.cleaned_data,
        )
    ):
        messages.success(request, "Votre offre est déposée.")
        return redirect("foodlink:consultation_detail", pk=pk)
    return render(
        request,
        "foodlink/offer_form.html",
        {"consultation": consultation, "form": form, "offer": offer, "producer": producer},
    )
