"""Pages of the solidarity crèche (the published grid, a family's application, the manager's desk,
the commission's anonymised files) and of the suspended-coffee counter."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from essor.core import audit
from essor.core.formats import counted
from essor.core.forms import run_service
from essor.core.page_cache import public_page
from essor.core.permissions import login_required
from essor.territory.models import Commune
from essor.tierslieu import access, forms, selectors_creche, services_creche
from essor.tierslieu.creche_models import (
    AgeGroup,
    CommissionSession,
    CrecheApplication,
    CrecheGrid,
)
from essor.tierslieu.views import _managed_place, _public_place


@public_page("tierslieu")
def creche(request, slug):
    place = _public_place(request, slug)
    return render(
        request,
        "tierslieu/creche.html",
        {
            "place": place,
            "grids": list(selectors_creche.published_grids(place)[:2]),
            "manager": access.manages_place(place, request.user),
        },
    )


@login_required
def creche_apply(request, slug):
    place = _public_place(request, slug)
    year = timezone.localdate().year
    grids = list(selectors_creche.published_grids(place).filter(year__in=[year, year + 1]))
    criteria = {c.key: c for grid in grids for c in grid.criteria.all()}.values()
    form = forms.CrecheApplicationForm(
        request.POST or None,
        criteria=criteria,
        communes=Commune.objects.order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_service(
            form,
            services_creche.apply,
            place=place,
            applicant=request.user,
            child_birth_date=data["child_birth_date"],
            wanted_start=data["wanted_start"],
            commune=data["commune"],
            criteria=data["criteria"],
            parent_looking_for_work=data["parent_looking_for_work"],
            disability=data["disability"] if data["disability_consent"] else None,
            disability_consent=data["disability_consent"],
        )
        if outcome:
            messages.success(request, f"Votre demande {outcome.result.reference} est enregistrée.")
            return redirect("tierslieu:creche_application", outcome.result.pk)
    return render(
        request, "tierslieu/creche_apply.html", {"place": place, "form": form, "grids": grids}
    )


def _application_for(request, pk) -> tuple[CrecheApplication, bool]:
    application = get_object_or_404(
        CrecheApplication.objects.select_related("place", "grid", "commune"), pk=pk
    )
    manager = access.manages_place(application.place, request.user)
    if application.applicant_id != request.user.pk and not manager:
        raise PermissionDenied("Vous n'avez pas accès à cette demande.")
    return application, manager


@login_required
def creche_application(request, pk):
    application, manager = _application_for(request, pk)
    if manager and application.applicant_id != request.user.pk:
        audit.record(actor=request.user, action="tierslieu.creche.read", target=application)
    return render(
        request,
        "tierslieu/creche_application.html",
        {
            "application": application,
            "rank": selectors_creche.rank_in_waiting_list(application),
            "manager": manager,
        },
    )


@login_required
@require_POST
def creche_withdraw(request, pk):
    application, _ = _application_for(request, pk)
    try:
        services_creche.withdraw(application=application, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Votre demande est retirée.")
    return redirect("tierslieu:creche_application", application.pk)


@login_required
@require_POST
def creche_answer(request, pk):
    application, manager = _application_for(request, pk)
    if not manager:
        raise PermissionDenied("Seuls les gestionnaires enregistrent la réponse d'une famille.")
    try:
        services_creche.record_answer(
            application=application,
            actor=request.user,
            accepted=request.POST.get("answer") == "accepted",
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Réponse enregistrée pour {application.reference}.")
    offer = application.offers.first()
    if offer is not None:
        return redirect("tierslieu:commission", offer.session_id)
    return redirect("tierslieu:creche_manage", application.place.slug)


@login_required
def creche_manage(request, slug):
    place = _managed_place(request, slug)
    form = forms.CommissionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        emails = [line.strip() for line in data["commission_members"].splitlines() if line.strip()]
        members = list(get_user_model().objects.filter(email__in=emails))
        missing = sorted(set(emails) - {member.email for member in members})
        if missing:
            form.add_error("commission_members", f"Aucun compte Essor pour : {', '.join(missing)}.")
        else:
            session = services_creche.create_session(
                place=place,
                actor=request.user,
                held_on=data["held_on"],
                places={
                    AgeGroup.BABIES: data["places_babies"],
                    AgeGroup.MIDDLE: data["places_middle"],
                    AgeGroup.OLDER: data["places_older"],
                },
                members=members,
            )
            messages.success(request, "Commission créée.")
            return redirect("tierslieu:commission", session.pk)
    year = timezone.localdate().year
    return render(
        request,
        "tierslieu/creche_manage.html",
        {
            "place": place,
            "avip": selectors_creche.avip_share(place),
            "grids": list(selectors_creche.grids(place)),
            "waiting": [
                (label, selectors_creche.waiting_lists(place)[group])
                for group, label in AgeGroup.choices
            ],
            "sessions": list(selectors_creche.sessions(place)),
            "form": form,
            "year": year,
        },
    )


@login_required
def creche_grid(request, slug, year):
    place = _managed_place(request, slug)
    # A grid exists once it has a criterion: reading the page creates nothing.
    grid = CrecheGrid.objects.filter(place=place, year=year).first() or CrecheGrid(
        place=place, year=year
    )
    form = forms.CriterionForm(request.POST or None)
    if request.method == "POST" and "publish" in request.POST:
        try:
            services_creche.publish_grid(grid=grid, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"La grille {year} est publiée.")
        return redirect("tierslieu:creche_grid", place.slug, year)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(
            form, services_creche.add_criterion, grid=grid, actor=request.user, **form.cleaned_data
        )
        if outcome:
            return redirect("tierslieu:creche_grid", place.slug, year)
    return render(
        request,
        "tierslieu/creche_grid.html",
        {
            "place": place,
            "grid": grid,
            "criteria": list(grid.criteria.all()) if grid.pk else [],
            "form": form,
        },
    )


def _session_for(request, pk) -> tuple[CommissionSession, bool]:
    session = get_object_or_404(CommissionSession.objects.select_related("place"), pk=pk)
    manager = access.manages_place(session.place, request.user)
    if not manager and not selectors_creche.sits_in(session, request.user):
        raise PermissionDenied("Seuls les membres de cette commission consultent ses dossiers.")
    return session, manager


@login_required
def commission(request, pk):
    session, manager = _session_for(request, pk)
    offers = list(
        session.offers.select_related("application").order_by("application__age_group", "rank")
    )
    return render(
        request,
        "tierslieu/commission.html",
        {
            "session": session,
            "place": session.place,
            "offers": offers,
            "waiting": [
                (
                    label,
                    selectors_creche.waiting_lists(session.place)[group],
                    session.places_for(group),
                )
                for group, label in AgeGroup.choices
            ],
            "manager": manager,
        },
    )


@login_required
@require_POST
def commission_offer(request, pk):
    session, manager = _session_for(request, pk)
    if not manager:
        raise PermissionDenied("Seuls les gestionnaires proposent les places.")
    try:
        offers = services_creche.make_offers(session=session, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"{counted(len(offers), 'place proposée', 'places proposées')}.")
    return redirect("tierslieu:commission", session.pk)


@login_required
def cafe(request, slug):
    place = _managed_place(request, slug)
    form = forms.CoffeeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(
            form,
            services_creche.record_coffees,
            place=place,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            quantity=form.cleaned_data["quantity"],
        )
        if outcome:
            messages.success(request, "Compteur mis à jour.")
            return redirect("tierslieu:cafe", place.slug)
    return render(
        request,
        "tierslieu/cafe.html",
        {
            "place": place,
            "form": form,
            "tally": selectors_creche.cafe_counter(place),
            "suppliers": list(place.cafe_suppliers.select_related("organisation")),
        },
    )
