"""Self-service of the structures: claim a profile, edit the public profile."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from essor.core.forms import run_service
from essor.core.permissions import (
    administered_organisation_ids,
    can_admin_organisation,
    is_agency_member,
    login_required,
)
from essor.directory import selectors, services
from essor.directory.forms import ClaimForm, ProfileForm
from essor.directory.models import Organisation, ProfileRevision


@login_required
def claim(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    already_admin = organisation.pk in administered_organisation_ids(request.user)
    pending_claim = selectors.pending_claim(request.user, organisation.pk)
    form = ClaimForm(request.POST or None)
    if (
        request.method == "POST"
        and not already_admin
        and form.is_valid()
        and run_service(
            form,
            services.create_claim,
            organisation=organisation,
            user=request.user,
            position=form.cleaned_data["position"],
            message=form.cleaned_data["message"],
        )
    ):
        messages.success(
            request,
            "Votre demande a été transmise à l'agence. Vous recevrez ses droits de gestion "
            "dès qu'elle l'aura acceptée.",
        )
        return redirect("directory:claim", pk=organisation.pk)
    return render(
        request,
        "directory/claim/claim.html",
        {
            "organisation": organisation,
            "form": form,
            "already_admin": already_admin,
            "pending_claim": pending_claim,
        },
    )


def _initial_from_revision(revision: ProfileRevision | None) -> dict:
    """The form starts from the pending proposal, so the structure continues it."""
    if revision is None:
        return {}
    return {
        field: services.from_json_value(field, value)
        for field, value in services.revision_changes(revision).items()
    }


@login_required
def profile_edit(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    if not can_admin_organisation(request.user, organisation):
        raise PermissionDenied("Seuls les administrateurs de la structure et l'agence y ont accès.")
    agency = is_agency_member(request.user)
    pending = organisation.revisions.filter(status=ProfileRevision.Status.PENDING).first()
    form = ProfileForm(
        request.POST or None,
        instance=organisation,
        initial=None if agency else _initial_from_revision(pending),
    )
    if request.method == "POST" and form.is_valid():
        edited = run_service(
            form,
            services.edit_profile,
            organisation=organisation,
            user=request.user,
            data=form.cleaned_data,
        )
        if edited:
            outcome, result = edited.result
            if outcome == "applied":
                messages.success(
                    request,
                    "La fiche est mise à jour." if result else "Aucune modification à enregistrer.",
                )
            elif result is None:
                messages.info(
                    request,
                    "Aucune modification par rapport à la fiche publiée : rien n'a été transmis.",
                )
            else:
                messages.success(
                    request,
                    "Vos modifications ont été transmises à l'agence. La fiche publique reste "
                    "inchangée jusqu'à leur validation.",
                )
            return redirect("directory:profile_edit", pk=organisation.pk)
    return render(
        request,
        "directory/profile/edit.html",
        {"organisation": organisation, "form": form, "agency": agency, "pending": pending},
    )
