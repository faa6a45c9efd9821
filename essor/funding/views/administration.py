"""Setting funding up: the funders (agency), the programmes and their yearly envelopes (each
funder's instructors, or the agency for the funders that delegated their front office)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from essor.accounts.models import Role, User
from essor.core import params
from essor.core.forms import run_service
from essor.core.permissions import agency_required
from essor.funding import access, forms, selectors, services
from essor.funding.models import FunderProfile, Programme
from essor.funding.views._common import back_office_required


@agency_required
def funder_list(request):
    funder = None
    if "financeur" in request.GET:
        funder = params.object_or_404(FunderProfile, request.GET["financeur"])
    form = forms.FunderForm(request.POST or None, instance=funder)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form, services.save_funder, funder=form.save(commit=False), actor=request.user
        )
    ):
        messages.success(request, "Financeur enregistré.")
        return redirect("funding:funder_list")
    return render(
        request,
        "funding/funder_list.html",
        {"funders": selectors.funders(), "form": form, "funder": funder},
    )


def _instructors_for(funders):
    return (
        User.objects.filter(
            memberships__organisation_id__in=[funder.organisation_id for funder in funders],
            memberships__role=Role.FUNDER_INSTRUCTOR,
        )
        .distinct()
        .order_by("full_name", "email")
    )


@back_office_required
def programme_list(request):
    programmes = list(selectors.programmes_for_user(request.user))
    year = timezone.localdate().year
    envelopes = selectors.envelopes_with_balance([p.pk for p in programmes], year)
    rows = [(programme, envelopes.get(programme.pk)) for programme in programmes]
    funders = selectors.funders_for_user(request.user)
    can_create = any(access.can_instruct_funder(request.user, funder) for funder in funders)
    return render(
        request,
        "funding/programme_list.html",
        {"rows": rows, "year": year, "can_create": can_create},
    )


def _save_programme(*, form, actor):
    """The programme form's service: the instance the form built, with its relations."""
    programme = form.save(commit=False)
    services.save_programme(
        programme=programme,
        actor=actor,
        sectors=form.cleaned_data["sectors"],
        communes=form.cleaned_data["communes"],
        instructors=form.cleaned_data["instructors"],
    )
    return programme


def _programme_form(request, programme):
    funders = [
        funder
        for funder in selectors.funders_for_user(request.user)
        if access.can_instruct_funder(request.user, funder)
    ]
    if not funders:
        raise PermissionDenied("Vous n'instruisez pour aucun financeur.")
    if programme.pk and programme.funder not in funders:
        raise PermissionDenied("Ce dispositif relève d'un autre financeur.")
    funder_qs = FunderProfile.objects.filter(pk__in=[f.pk for f in funders]).select_related(
        "organisation"
    )
    form = forms.ProgrammeForm(
        request.POST if request.POST.get("form", "programme") == "programme" else None,
        instance=programme,
        funders=funder_qs,
        instructors=_instructors_for(funders),
    )
    envelope_form = forms.EnvelopeForm(
        request.POST if request.POST.get("form") == "envelope" else None,
        initial={"year": timezone.localdate().year},
    )
    if request.method == "POST":
        if request.POST.get("form") == "envelope" and programme.pk:
            if envelope_form.is_valid() and run_service(
                envelope_form,
                services.set_envelope,
                programme=programme,
                year=envelope_form.cleaned_data["year"],
                amount=envelope_form.cleaned_data["amount"],
                actor=request.user,
            ):
                messages.success(request, "Enveloppe enregistrée.")
                return redirect("funding:programme_edit", pk=programme.pk)
        elif form.is_valid():
            saved = run_service(form, _save_programme, form=form, actor=request.user)
            if saved:
                messages.success(request, "Dispositif enregistré.")
                return redirect("funding:programme_edit", pk=saved.result.pk)
    return render(
        request,
        "funding/programme_form.html",
        {
            "programme": programme if programme.pk else None,
            "form": form,
            "envelope_form": envelope_form,
            "envelopes": programme.envelopes.all() if programme.pk else [],
        },
    )


@back_office_required
def programme_create(request):
    return _programme_form(request, Programme())


@back_office_required
def programme_edit(request, pk):
    programme = get_object_or_404(Programme.objects.select_related("funder"), pk=pk)
    return _programme_form(request, programme)
