"""The manager's set-up pages: declaring a place, its settings, spaces, hours and closures, plans,
and its members (adding one, selling a plan, recording a visit)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from essor.core.forms import run_service
from essor.core.permissions import administered_organisation_ids, login_required
from essor.directory.models import Organisation
from essor.tierslieu import forms, selectors, services
from essor.tierslieu.models import Booking, Member, OpeningHours, Plan, Space
from essor.tierslieu.views import _managed_place


@login_required
def place_create(request):
    administered = list(
        Organisation.objects.filter(pk__in=administered_organisation_ids(request.user)).order_by(
            "name"
        )
    )
    initial = {"siren": administered[0].siren} if len(administered) == 1 else {}
    form = forms.PlaceCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        outcome = run_service(
            form,
            services.create_place,
            organisation=form.organisation,
            actor=request.user,
            slug=data.pop("slug"),
            data=data,
        )
        if outcome:
            messages.success(
                request, "Le tiers-lieu est déclaré : décrivez maintenant ses espaces."
            )
            return redirect("tierslieu:spaces", outcome.result.slug)
    return render(
        request, "tierslieu/setup/place_form.html", {"form": form, "administered": administered}
    )


@login_required
def place_settings(request, slug):
    place = _managed_place(request, slug)
    form = forms.PlaceForm(request.POST or None, instance=place)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(
            form, services.update_place, place=place, actor=request.user, data=form.cleaned_data
        )
        if outcome:
            messages.success(request, "Réglages enregistrés.")
            return redirect("tierslieu:manage", place.slug)
    return render(request, "tierslieu/setup/place_form.html", {"form": form, "place": place})


@login_required
def spaces(request, slug):
    place = _managed_place(request, slug)
    form = forms.SpaceForm(request.POST or None, place=place)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(
            form, services.save_space, place=place, actor=request.user, data=form.cleaned_data
        )
        if outcome:
            messages.success(request, f"Espace « {outcome.result.name} » ajouté.")
            return redirect("tierslieu:spaces", place.slug)
    return render(
        request,
        "tierslieu/setup/spaces.html",
        {"place": place, "spaces": selectors.tree(selectors.place_spaces(place)), "form": form},
    )


@login_required
def space_edit(request, slug, pk):
    place = _managed_place(request, slug)
    space = get_object_or_404(Space, pk=pk, place=place)
    form = forms.SpaceForm(request.POST or None, instance=space, place=place)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        space.refresh_from_db()  # the form wrote its values on the instance: the service does it
        outcome = run_service(
            form, services.save_space, place=place, actor=request.user, data=data, space=space
        )
        if outcome:
            messages.success(request, f"Espace « {space.name} » modifié.")
            return redirect("tierslieu:spaces", place.slug)
    return render(
        request, "tierslieu/setup/space_form.html", {"place": place, "space": space, "form": form}
    )


@login_required
def hours(request, slug):
    place = _managed_place(request, slug)
    hours_form = forms.OpeningHoursForm(request.POST if "weekday" in request.POST else None)
    closure_form = forms.ClosureForm(request.POST if "starts_on" in request.POST else None)
    if request.method == "POST":
        for form, service, done in (
            (hours_form, services.add_opening_hours, "Horaire ajouté."),
            (closure_form, services.add_closure, "Fermeture ajoutée."),
        ):
            if (
                form.is_bound
                and form.is_valid()
                and run_service(form, service, place=place, actor=request.user, **form.cleaned_data)
            ):
                messages.success(request, done)
                return redirect("tierslieu:hours", place.slug)
    closures = list(place.closures.order_by("-starts_on")[:20])
    affected = (
        Booking.objects.filter(
            place=place,
            status=Booking.Status.CONFIRMED,
            starts_at__date__in=[c.starts_on for c in closures],
        ).count()
        if closures
        else 0
    )
    return render(
        request,
        "tierslieu/setup/hours.html",
        {
            "place": place,
            "hours": list(place.opening_hours.all()),
            "closures": closures,
            "hours_form": hours_form,
            "closure_form": closure_form,
            "affected": affected,
        },
    )


@login_required
@require_POST
def hours_remove(request, slug, pk):
    place = _managed_place(request, slug)
    period = get_object_or_404(OpeningHours, pk=pk, place=place)
    services.remove_opening_hours(hours=period, actor=request.user)
    messages.success(request, "Horaire supprimé.")
    return redirect("tierslieu:hours", place.slug)


@login_required
def plans(request, slug):
    place = _managed_place(request, slug)
    form = forms.PlanForm(request.POST or None, place=place)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(
            form, services.save_plan, place=place, actor=request.user, data=form.cleaned_data
        )
        if outcome:
            messages.success(request, f"Formule « {outcome.result.name} » ajoutée.")
            return redirect("tierslieu:plans", place.slug)
    return render(
        request,
        "tierslieu/setup/plans.html",
        {
            "place": place,
            "plans": list(Plan.objects.filter(place=place).select_related("space")),
            "form": form,
        },
    )


@login_required
def member_add(request, slug):
    place = _managed_place(request, slug)
    form = forms.MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_service(
            form,
            services.add_member,
            place=place,
            actor=request.user,
            user=form.user,
            billing_name=data["billing_name"],
            billing_address=data["billing_address"],
            billing_siret=data["billing_siret"],
            joined_on=data["joined_on"],
        )
        if outcome:
            messages.success(request, f"{outcome.result} est membre du lieu.")
            return redirect("tierslieu:member", place.slug, outcome.result.pk)
    return render(request, "tierslieu/setup/member_add.html", {"place": place, "form": form})


@login_required
def member(request, slug, pk):
    place = _managed_place(request, slug)
    person = get_object_or_404(Member.objects.select_related("organisation"), pk=pk, place=place)
    form = forms.SubscribeForm(request.POST or None, place=place)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(
            form,
            services.subscribe,
            member=person,
            plan=form.cleaned_data["plan"],
            actor=request.user,
            starts_on=form.cleaned_data["starts_on"],
        )
        if outcome:
            messages.success(request, "Formule vendue.")
            return redirect("tierslieu:member", place.slug, person.pk)
    return render(
        request,
        "tierslieu/setup/member.html",
        {
            "place": place,
            "person": person,
            "subscriptions": list(
                person.subscriptions.select_related("plan").order_by("-starts_on")[:24]
            ),
            "bookings": list(selectors.member_bookings(person)[:20]),
            "invoices": list(selectors.member_invoices(person)[:24]),
            "form": form,
        },
    )


@login_required
@require_POST
def check_in(request, slug, pk):
    place = _managed_place(request, slug)
    person = get_object_or_404(Member, pk=pk, place=place)
    try:
        services.check_in(member=person, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Passage de {person} enregistré.")
    return redirect("tierslieu:member", place.slug, person.pk)
