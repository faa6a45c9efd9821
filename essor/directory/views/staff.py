"""The agency's back-office of the directory."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from essor.core import params, workflow
from essor.core.forms import run_service
from essor.core.permissions import agency_required
from essor.directory import selectors_backoffice as selectors
from essor.directory import services
from essor.directory.ess import legal_category_label
from essor.directory.forms import (
    AuditFilterForm,
    HeadOfficeForm,
    MergeForm,
    ReviewForm,
    StaffOrganisationForm,
)
from essor.directory.models import Organisation, OrganisationClaim, ProfileRevision
from essor.territory.models import Commune


@agency_required
def staff_home(request):
    return render(request, "directory/staff/home.html", {"figures": selectors.staff_figures()})


@agency_required
def organisation_list(request):
    query = request.GET.get("q", "")
    state = request.GET.get("etat", "")
    if state not in selectors.ORGANISATION_FILTERS:
        state = ""
    page = selectors.organisation_page(query=query, state=state, page=request.GET.get("page"))
    for organisation in page:
        organisation.legal_label = legal_category_label(organisation.legal_category)
    return render(
        request,
        "directory/staff/organisation_list.html",
        {
            "page": page,
            "query": query,
            "state": state,
            "states": selectors.ORGANISATION_FILTERS,
            "pagination_query": urlencode({"q": query, "etat": state}),
        },
    )


@agency_required
def organisation_create(request):
    form = StaffOrganisationForm(request.POST or None)
    head_office = HeadOfficeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() & head_office.is_valid():
        head_office.check_siret_matches(form.cleaned_data.get("siren"))
        if head_office.is_valid():
            created = run_service(
                form,
                services.create_organisation,
                actor=request.user,
                data=form.cleaned_data,
                head_office=head_office.establishment_values()
                if head_office.has_head_office()
                else None,
            )
            if created:
                messages.success(request, f"La structure « {created.result.name} » est créée.")
                return redirect("directory:staff_organisation_edit", pk=created.result.pk)
    return render(
        request,
        "directory/staff/organisation_form.html",
        {
            "form": form,
            "head_office": head_office,
            "communes": Commune.objects.only("name", "insee_code"),
        },
    )


@agency_required
def organisation_edit(request, pk):
    organisation = get_object_or_404(Organisation.objects.select_related("merged_into"), pk=pk)
    form = StaffOrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        updated = run_service(
            form,
            services.update_organisation,
            organisation=organisation,
            actor=request.user,
            data=form.cleaned_data,
        )
        if updated:
            messages.success(
                request, "La fiche est mise à jour." if updated.result else "Aucune modification."
            )
            return redirect("directory:staff_organisation_edit", pk=organisation.pk)
    return render(
        request,
        "directory/staff/organisation_form.html",
        {
            "form": form,
            "organisation": organisation,
            "history": selectors.recent_organisation_history(organisation),
            "admins": selectors.organisation_admins(organisation),
            "establishments": organisation.establishments.select_related("commune"),
        },
    )


@agency_required
def organisation_merge(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    form = MergeForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        other = form.cleaned_data["other"]
        keep, duplicate = (
            (organisation, other) if form.cleaned_data["keep"] == "this" else (other, organisation)
        )
        if run_service(
            form,
            services.merge_organisations,
            keep=keep,
            duplicate=duplicate,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        ):
            messages.success(request, f"« {duplicate.name} » est fusionnée dans « {keep.name} ».")
            return redirect("directory:staff_organisation_edit", pk=keep.pk)
    return render(
        request,
        "directory/staff/organisation_merge.html",
        {"organisation": organisation, "form": form},
    )


@agency_required
def revision_list(request):
    return render(
        request,
        "directory/staff/revision_list.html",
        {"page": selectors.pending_revisions_page(request.GET.get("page"))},
    )


@agency_required
def revision_detail(request, pk):
    revision = get_object_or_404(
        ProfileRevision.objects.select_related("organisation", "proposed_by", "reviewed_by"), pk=pk
    )
    rows = selectors.revision_comparison(revision)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        comment = form.cleaned_data["comment"]
        if form.cleaned_data["decision"] == "approve":
            done = run_service(
                form,
                services.approve_revision,
                revision=revision,
                reviewer=request.user,
                fields=request.POST.getlist("fields"),
                comment=comment,
            )
            success = "La modification est validée et publiée."
        else:
            done = run_service(
                form,
                services.reject_revision,
                revision=revision,
                reviewer=request.user,
                comment=comment,
            )
            success = "La modification est refusée."
        if done:
            messages.success(request, success)
            return redirect("directory:revision_list")
    return render(
        request,
        "directory/staff/revision_detail.html",
        {
            "revision": revision,
            "rows": rows,
            "form": form,
            "conflicts": any(row["changed_since"] for row in rows),
        },
    )


@agency_required
def claim_list(request):
    errors = {}
    if request.method == "POST":
        claim = params.object_or_404(OrganisationClaim, request.POST.get("claim"))
        comment = request.POST.get("comment", "")
        try:
            if request.POST.get("decision") == "accept":
                services.accept_claim(claim=claim, reviewer=request.user, comment=comment)
                messages.success(
                    request, f"{claim.user} administre désormais « {claim.organisation.name} »."
                )
            elif request.POST.get("decision") == "refuse":
                services.refuse_claim(claim=claim, reviewer=request.user, comment=comment)
                messages.success(request, "La demande est refusée.")
            else:
                raise ValidationError("Choisissez d'accepter ou de refuser la demande.")
        except ValidationError as error:
            if claim.status == OrganisationClaim.Status.PENDING:
                errors[claim.pk] = error.messages
            else:  # no longer listed: say it above the list
                messages.error(request, " ".join(error.messages))
        else:
            return redirect("directory:claim_list")
    page = selectors.pending_claims_page(request.GET.get("page"))
    for pending in page:
        pending.actions = workflow.available_actions(pending, request.user)
    return render(
        request,
        "directory/staff/claim_list.html",
        {"page": page, "errors": errors},
        status=400 if errors else 200,
    )


@agency_required
def audit_log(request):
    form = AuditFilterForm(request.GET or None, actions=selectors.audit_actions())
    organisation = None
    if not form.is_bound:
        page = selectors.audit_page(page=request.GET.get("page"))
    elif form.is_valid():
        organisation = form.cleaned_data["organisation"]
        page = selectors.audit_page(
            organisation=organisation,
            action=form.cleaned_data["action"],
            actor=form.cleaned_data["actor"],
            page=request.GET.get("page"),
        )
    else:  # an unknown structure or action: say so, list nothing
        page = selectors.empty_page()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "directory/staff/audit_log.html",
        {"form": form, "page": page, "organisation": organisation, "query": query.urlencode()},
    )
