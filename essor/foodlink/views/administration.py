"""The agency's pages: pending profile changes to validate, producers and canteens to register."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from essor.core.forms import run_service
from essor.core.permissions import agency_required
from essor.foodlink import selectors, services, tasks
from essor.foodlink.forms import BuyerCreateForm, ProducerCreateForm, ReasonForm, producer_initial
from essor.foodlink.models import BuyerProfile, ProducerProfile, ProducerRevision


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
            "latest_booklet": tasks.latest_booklet(),
            "running_booklet": tasks.running_booklet(),
        },
    )


@agency_required
@require_POST
def booklet_build(request):
    """« Construire le livret »: the build runs in the background; the agency follows it on the
    job's progress page. A build already under way is followed rather than started twice."""
    job = tasks.running_booklet()
    if job is None:
        job = tasks.enqueue_booklet(user=request.user)
    else:
        messages.info(
            request, "Le livret est déjà en cours de construction : voici sa progression."
        )
    return redirect("core:job_detail", pk=job.pk)


@agency_required
@require_http_methods(["GET", "POST"])
def revision_review(request, pk: int):
    revision = get_object_or_404(
        ProducerRevision.objects.select_related("producer__organisation", "proposed_by"), pk=pk
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = request.POST.get("decision") == "approve"
        if run_service(
            form,
            services.review_producer_revision,
            actor=request.user,
            revision=revision,
            approve=approve,
            comment=form.cleaned_data["reason"],
        ):
            messages.success(
                request, "Modification validée et publiée." if approve else "Modification refusée."
            )
            return redirect("foodlink:staff")
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
        created = run_service(
            form,
            services.create_producer_profile,
            actor=request.user,
            organisation=form.cleaned_data["organisation"],
            commune=form.cleaned_data["commune"],
            delivery_radius_km=form.cleaned_data["delivery_radius_km"],
        )
        if created:
            messages.success(request, "Producteur enregistré : complétez son profil.")
            return redirect("foodlink:producer_edit", pk=created.result.pk)
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
        if run_service(
            form,
            services.create_buyer_profile,
            actor=request.user,
            organisation=form.cleaned_data["organisation"],
            commune=form.cleaned_data["commune"],
            **data,
        ):
            messages.success(request, "Cantine enregistrée.")
            return redirect("foodlink:staff")
    return render(
        request, "foodlink/simple_form.html", {"form": form, "title": "Enregistrer une cantine"}
    )
