"""Pages of the support module: agency staff only (project holders' personal details)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from essor.core import audit, workflow
from essor.core.exports import Sheet, csv_response, pdf_response, render_pdf, xlsx_response
from essor.core.forms import run_service
from essor.core.permissions import agency_admin_required, agency_required, is_agency_admin
from essor.directory.models import Sector
from essor.support import forms, selectors, services
from essor.support.models import Action, ProjectHolder, Stage


def _holder(pk) -> ProjectHolder:
    try:
        return selectors.holder_for_page(pk)
    except ProjectHolder.DoesNotExist as exc:
        raise Http404("Porteur de projet introuvable.") from exc


def _working_holder(holder: ProjectHolder):
    """A merged holder's pages lead to the kept one."""
    if holder.merged_into_id:
        return redirect("support:holder_detail", pk=holder.merged_into_id)
    return None


def _filters(request) -> selectors.HolderFilters:
    return selectors.HolderFilters(
        query=request.GET.get("q", "").strip(),
        stage=request.GET.get("etape", ""),
        advisor=request.GET.get("suivi", ""),
        sector=request.GET.get("secteur", ""),
    )


@agency_required
def holder_list(request):
    filters = _filters(request)
    page = selectors.holder_page(filters, request.GET.get("page"))
    return render(
        request,
        "support/holder_list.html",
        {
            "page": page,
            "filters": filters,
            "due_reminders": selectors.due_reminder_count(request.user),
            "stages": Stage.choices,
            "advisors": selectors.agency_users(),
            "sectors": Sector.objects.only("slug", "name"),
            "pagination_query": urlencode(
                {
                    "q": filters.query,
                    "etape": filters.stage,
                    "suivi": filters.advisor,
                    "secteur": filters.sector,
                }
            ),
        },
    )


def _log_export(request, filters, fmt: str) -> None:
    audit.record(
        actor=request.user,
        action="support.holder.export",
        target=request.user,
        # The text searched may be a person's name: the journal keeps that there was one.
        changes={
            "format": fmt,
            "filtres": {
                k: services.MASKED if k == "query" else v for k, v in vars(filters).items() if v
            },
        },
        message="Export de la liste des porteurs de projet (données personnelles).",
    )


@agency_required
def holder_export_csv(request):
    filters = _filters(request)
    _log_export(request, filters, "csv")
    return csv_response(
        "porteurs-de-projet.csv", selectors.EXPORT_HEADERS, selectors.export_rows(filters)
    )


@agency_required
def holder_export_xlsx(request):
    filters = _filters(request)
    _log_export(request, filters, "xlsx")
    return xlsx_response(
        "porteurs-de-projet.xlsx",
        [
            Sheet(
                "Porteurs de projet",
                selectors.EXPORT_HEADERS,
                selectors.export_rows(filters),
                note="Données personnelles : usage interne à l'agence.",
            )
        ],
    )


@agency_required
def holder_create(request):
    # The officer who welcomes the person follows them unless another is chosen: the new holder
    # is in their caseload at once.
    form = forms.HolderForm(request.POST or None, initial={"advisor": request.user.pk})
    if request.method == "POST" and form.is_valid():
        created = run_service(
            form, services.create_holder, actor=request.user, data=form.cleaned_data
        )
        if created:
            messages.success(request, f"La fiche de « {created.result.name} » est créée.")
            return redirect("support:holder_detail", pk=created.result.pk)
    return render(request, "support/holder_form.html", {"form": form})


@agency_required
def holder_edit(request, pk):
    holder = _holder(pk)
    if response := _working_holder(holder):
        return response
    form = forms.HolderForm(request.POST or None, instance=holder)
    if request.method == "POST" and form.is_valid():
        updated = run_service(
            form, services.update_holder, holder=holder, actor=request.user, data=form.cleaned_data
        )
        if updated:
            messages.success(
                request, "La fiche est mise à jour." if updated.result else "Aucune modification."
            )
            return redirect("support:holder_detail", pk=holder.pk)
    else:
        services.log_personal_read(
            actor=request.user, holder=holder, what="Modification de la fiche"
        )
    return render(request, "support/holder_form.html", {"form": form, "holder": holder})


@agency_required
def holder_detail(request, pk):
    holder = _holder(pk)
    services.log_personal_read(actor=request.user, holder=holder, what="Consultation de la fiche")
    duplicates = (
        list(
            selectors.possible_duplicates(
                name=holder.name,
                commune=holder.commune,
                email=holder.email,
                phone=holder.phone,
                exclude_pk=holder.pk,
            )[:5]
        )
        if not holder.merged_into_id
        else []
    )
    return render(
        request,
        "support/holder_detail.html",
        {
            "holder": holder,
            "events": selectors.timeline(holder),
            "history": selectors.holder_history(holder),
            "duplicates": duplicates,
            "stage_actions": {
                action.name for action in workflow.available_actions(holder, request.user, "stage")
            },
            "today": forms.today(),
            "is_agency_admin": is_agency_admin(request.user),
        },
    )


@agency_required
def holder_stage(request, pk):
    holder = _holder(pk)
    if response := _working_holder(holder):
        return response
    form = forms.StageForm(request.POST or None, holder=holder, user=request.user)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            services.advance_stage,
            holder=holder,
            actor=request.user,
            to=form.cleaned_data["to"],
            on=form.cleaned_data["on"],
            note=form.cleaned_data["note"],
        )
    ):
        holder.refresh_from_db()
        messages.success(request, f"Le projet passe à l'étape « {holder.get_stage_display()} ».")
        return redirect("support:holder_detail", pk=holder.pk)
    return render(request, "support/holder_stage.html", {"form": form, "holder": holder})


@agency_required
def holder_abandon(request, pk):
    holder = _holder(pk)
    if response := _working_holder(holder):
        return response
    form = forms.AbandonForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            services.abandon,
            holder=holder,
            actor=request.user,
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
        )
    ):
        messages.success(request, "L'abandon du projet est enregistré.")
        return redirect("support:holder_detail", pk=holder.pk)
    return render(request, "support/holder_abandon.html", {"form": form, "holder": holder})


@agency_required
def holder_creation(request, pk):
    holder = _holder(pk)
    if response := _working_holder(holder):
        return response
    form = forms.CreationForm(request.POST or None, initial={"name": holder.name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(
            form,
            services.record_creation,
            holder=holder,
            actor=request.user,
            on=data["on"],
            organisation=data.get("organisation_obj") if data["mode"] == "existing" else None,
            new_organisation=(
                {"name": data["name"].strip(), "legal_category": data["legal_category"]}
                if data["mode"] == "new"
                else None
            ),
            note=data["note"],
        ):
            messages.success(request, "La création de la structure est enregistrée.")
            return redirect("support:holder_detail", pk=holder.pk)
    return render(request, "support/holder_creation.html", {"form": form, "holder": holder})


@agency_required
def action_create(request, pk):
    holder = _holder(pk)
    if response := _working_holder(holder):
        return response
    form = forms.ActionForm(request.POST or None, holder=holder)
    if request.method == "POST" and form.is_valid():
        added = run_service(
            form, services.add_action, holder=holder, actor=request.user, data=form.cleaned_data
        )
        if added:
            messages.success(request, "L'action est enregistrée.")
            if added.result.is_referral:
                return redirect("support:referral", pk=added.result.pk)
            return redirect("support:holder_detail", pk=holder.pk)
    return render(request, "support/action_form.html", {"form": form, "holder": holder})


@agency_required
def action_edit(request, pk):
    action = get_object_or_404(Action, pk=pk)
    holder = _holder(action.holder_id)
    if response := _working_holder(holder):
        return response
    form = forms.ActionForm(request.POST or None, instance=action, holder=holder)
    if request.method == "POST" and form.is_valid():
        updated = run_service(
            form, services.update_action, action=action, actor=request.user, data=form.cleaned_data
        )
        if updated:
            messages.success(
                request, "L'action est corrigée." if updated.result else "Aucune modification."
            )
            return redirect("support:holder_detail", pk=holder.pk)
    return render(
        request, "support/action_form.html", {"form": form, "holder": holder, "action": action}
    )


@agency_required
@require_POST
def reminder_done(request, pk):
    action = get_object_or_404(Action, pk=pk)
    try:
        services.complete_reminder(action=action, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"La relance de « {action.holder.name} » est marquée faite.")
    target = request.POST.get("next", "")
    if target == "holder":
        return redirect("support:holder_detail", pk=action.holder_id)
    return redirect("support:caseload")


@agency_required
def holder_merge(request, pk):
    holder = _holder(pk)
    if response := _working_holder(holder):
        return response
    query = request.GET.get("q", "").strip()
    if query:
        candidates = selectors.search_holders(query).exclude(pk=holder.pk)
    else:
        candidates = selectors.possible_duplicates(
            name=holder.name,
            commune=holder.commune,
            email=holder.email,
            phone=holder.phone,
            exclude_pk=holder.pk,
        )
    form = forms.MergeForm(request.POST or None, holder=holder, candidates=candidates)
    if request.method == "POST":
        form.fields["other"].queryset = selectors.active_holders().exclude(pk=holder.pk)
        if form.is_valid():
            other = form.cleaned_data["other"]
            keep, duplicate = (
                (holder, other) if form.cleaned_data["keep"] == "this" else (other, holder)
            )
            if run_service(
                form,
                services.merge_holders,
                keep=keep,
                duplicate=duplicate,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            ):
                messages.success(
                    request,
                    f"La fiche n° {duplicate.pk} est fusionnée dans celle de « {keep.name} ».",
                )
                return redirect("support:holder_detail", pk=keep.pk)
    return render(
        request,
        "support/holder_merge.html",
        {"form": form, "holder": holder, "query": query, "has_candidates": candidates.exists()},
    )


@agency_admin_required
def holder_erase(request, pk):
    holder = _holder(pk)
    if response := _working_holder(holder):
        return response
    form = forms.EraseForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            services.erase_personal_data,
            holder=holder,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    ):
        messages.success(request, "Les données personnelles de ce porteur sont effacées.")
        return redirect("support:holder_detail", pk=holder.pk)
    return render(request, "support/holder_erase.html", {"form": form, "holder": holder})


def _referral(request, pk) -> Action:
    action = get_object_or_404(
        Action.objects.select_related("holder__commune", "staff"), pk=pk, kind="orientation"
    )
    services.log_personal_read(
        actor=request.user,
        holder=action.holder,
        what=f"Fiche d'orientation n° {action.pk} vers {action.partner_label}",
    )
    return action


def _referral_context(request, action: Action) -> dict:
    staff = action.staff or request.user
    agency_name = settings.ESSOR_AGENCY_NAME
    return {
        "action": action,
        "summary": selectors.referral_summary(action),
        "email_text": selectors.referral_email_text(
            action, agency_name=agency_name, staff_name=str(staff)
        ),
        "agency_name": agency_name,
    }


@agency_required
def referral(request, pk):
    action = _referral(request, pk)
    return render(request, "support/referral.html", _referral_context(request, action))


@agency_required
def referral_pdf(request, pk):
    action = _referral(request, pk)
    content = render_pdf("support/referral_pdf.html", _referral_context(request, action))
    return pdf_response(f"orientation-{action.pk}.pdf", content)


@agency_required
def caseload(request):
    form = forms.CaseloadForm(request.GET or None)
    user = request.user
    if form.is_valid() and form.cleaned_data.get("advisor"):
        user = form.cleaned_data["advisor"]
    return render(
        request,
        "support/caseload.html",
        {"form": form, "advisor": user, **selectors.caseload(user)},
    )
