"""The structure's pages: its applications in five steps (projet, budget, demandes, pièces,
dépôt), the application page with its messages, attachments, agreements and financial reports.

The application page, the agreement and the report are also read by the funders asked and the
agency (`access.can_view_application`); the report page is where the funder reviews the report.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from essor.core import params, workflow
from essor.core.exports import pdf_response, render_pdf
from essor.core.files import private_file_response
from essor.core.formats import with_article
from essor.core.forms import run_service
from essor.core.permissions import is_agency_member, login_required
from essor.directory.models import Organisation
from essor.funding import access, budget, forms, selectors, services
from essor.funding.models import Agreement, Application, Attachment, FinancialReport, Share
from essor.funding.views._common import application_or_404, editable_or_redirect


@login_required
def my_applications(request):
    organisation_ids = access.applicant_organisation_ids(request.user)
    applications = selectors.applications_for_applicant(request.user)
    return render(
        request,
        "funding/my_applications.html",
        {
            "applications": applications,
            "can_apply": bool(organisation_ids),
            "payments": selectors.payments_of_organisations(organisation_ids),
            "reports": selectors.reports_of_organisations(organisation_ids),
        },
    )


@login_required
def application_create(request):
    organisation_ids = access.applicant_organisation_ids(request.user)
    if not organisation_ids:
        raise PermissionDenied("Seuls les membres d'une structure peuvent déposer une demande.")
    organisations = Organisation.objects.filter(pk__in=organisation_ids).order_by("name")
    chosen = organisations.filter(pk=params.identifier(request.GET.get("structure"))).first()
    chosen = chosen or (organisations[0] if len(organisations) == 1 else None)
    if chosen is None:
        return render(request, "funding/choose_organisation.html", {"organisations": organisations})
    head_office = chosen.establishments.filter(is_head_office=True).first()
    initial = {
        "siret": head_office.siret if head_office and head_office.siret else "",
        "rna": chosen.rna or "",
        "contact_name": request.user.full_name,
        "contact_email": chosen.email or request.user.email,
        "contact_phone": chosen.phone,
        "commune": head_office.commune_id if head_office else None,
        "sector": chosen.sectors.values_list("pk", flat=True).first(),
        "year": timezone.localdate().year,
    }
    form = forms.ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        created = run_service(
            form,
            services.create_application,
            organisation=chosen,
            actor=request.user,
            data=form.cleaned_data,
        )
        if created:
            messages.success(request, "Brouillon enregistré. Complétez maintenant le budget.")
            return redirect("funding:application_budget", pk=created.result.pk)
    return render(
        request,
        "funding/application_form.html",
        {"form": form, "organisation": chosen, "application": None},
    )


@login_required
def application_detail(request, pk):
    application = application_or_404(request, pk)
    user = request.user
    applicant = access.is_applicant(user, application)
    agency = is_agency_member(user)
    my_funders = access.funder_organisation_ids(user)
    shares = list(application.shares.all())
    instructable = [
        share
        for share in shares
        if share.programme.funder.organisation_id in my_funders
        or (agency and share.programme.funder.agency_front_office)
    ]
    message_form = forms.TextForm(request.POST or None, label="Votre message")
    if request.method == "POST" and message_form.is_valid():
        organisation = application.organisation if applicant else None
        if organisation is None and instructable:
            organisation = instructable[0].programme.funder.organisation
        if run_service(
            message_form,
            services.post_message,
            application=application,
            actor=user,
            organisation=organisation,
            body=message_form.cleaned_data["body"],
        ):
            messages.success(request, "Message envoyé.")
            return redirect(reverse("funding:application_detail", args=[pk]) + "#messages")
    return render(
        request,
        "funding/application_detail.html",
        {
            "application": application,
            "applicant": applicant,
            "editable": applicant and services.is_editable(application),
            "instructable": instructable,
            "picture": selectors.cofinancing(application),
            "grid": selectors.budget_grid(application),
            "message_form": message_form,
            "problems": services.submission_problems(application)
            if applicant and application.status == Application.Status.DRAFT
            else [],
            "history": workflow.history(application),
        },
    )


@login_required
def application_edit(request, pk):
    application = application_or_404(request, pk, edit=True)
    if (response := editable_or_redirect(request, application)) is not None:
        return response
    form = forms.ApplicationForm(request.POST or None, instance=application)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            services.update_application,
            application=application,
            actor=request.user,
            data=form.cleaned_data,
        )
    ):
        messages.success(request, "Projet enregistré.")
        return redirect("funding:application_detail", pk=application.pk)
    return render(
        request,
        "funding/application_form.html",
        {"form": form, "organisation": application.organisation, "application": application},
    )


@login_required
def application_budget(request, pk):
    application = application_or_404(request, pk, edit=True)
    if (response := editable_or_redirect(request, application)) is not None:
        return response
    amounts = {line.code: line.amount for line in application.budget_lines.all()}
    form = forms.BudgetForm(request.POST or None, amounts=amounts)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            form,
            services.set_budget,
            application=application,
            actor=request.user,
            amounts=form.amounts(),
        )
        if saved:
            if not (saved.result.charges or saved.result.produits):
                messages.info(request, "Aucun montant saisi : le budget est vide.")
            elif saved.result.balanced:
                messages.success(request, "Budget enregistré : il est équilibré.")
            else:
                messages.warning(
                    request,
                    "Budget enregistré, mais pas encore équilibré : les charges et les produits "
                    "doivent être égaux pour déposer le dossier.",
                )
            return redirect("funding:application_budget", pk=application.pk)
    return render(
        request,
        "funding/application_budget.html",
        {
            "application": application,
            "form": form,
            "charges": form.bound_side(budget.CHARGE),
            "produits": form.bound_side(budget.PRODUIT),
            "totals": budget.totals(amounts),
            "has_budget": any(amounts.values()),
        },
    )


# --- the programmes asked (one page, one POST endpoint per form) --------------------------------


def _share_request_form(application, data=None):
    programmes = selectors.open_programmes_for(application, day=timezone.localdate())
    return forms.ShareRequestForm(data, programmes=programmes)


def _share_amount_form(share, data=None):
    form = forms.ShareAmountForm(
        data,
        auto_id=f"demande-{share.pk}-%s",
        initial={"amount": f"{share.amount_requested:.0f}"},
    )
    form.fields["amount"].label = f"Montant demandé {with_article(share.programme.name, 'à')}"
    return form


def _requests_page(request, application, *, add_form=None, amount_forms=None, remove_forms=None):
    """The page of the programmes asked. `amount_forms` and `remove_forms` (by share id) hold a
    posted form that was refused, shown with its errors on its line; the other lines show fresh
    forms."""
    amount_forms, remove_forms = amount_forms or {}, remove_forms or {}
    rows = [
        {
            "share": share,
            "amount_form": amount_forms[share.pk]
            if share.pk in amount_forms
            else _share_amount_form(share),
            "remove_form": remove_forms[share.pk]
            if share.pk in remove_forms
            else forms.ShareRemoveForm(),
        }
        for share in application.shares.all()
    ]
    return render(
        request,
        "funding/application_requests.html",
        {
            "application": application,
            "form": add_form if add_form is not None else _share_request_form(application),
            "rows": rows,
            "refused_forms": [*amount_forms.values(), *remove_forms.values()],
        },
    )


def _refuse_change(request, application):
    """None when the request may change the application (a POST while it is editable), else
    the response that refuses it."""
    if (response := editable_or_redirect(request, application)) is not None:
        return response
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


@login_required
@require_GET
def application_requests(request, pk):
    application = application_or_404(request, pk, edit=True)
    if (response := editable_or_redirect(request, application)) is not None:
        return response
    return _requests_page(request, application)


@login_required
def application_request_add(request, pk):
    """POST: asks one more programme (the « Solliciter un dispositif » form)."""
    application = application_or_404(request, pk, edit=True)
    if (response := _refuse_change(request, application)) is not None:
        return response
    form = _share_request_form(application, request.POST)
    if form.is_valid() and run_service(
        form,
        services.set_share,
        application=application,
        programme=form.cleaned_data["programme"],
        actor=request.user,
        amount=form.cleaned_data["amount"],
    ):
        messages.success(request, "Dispositif ajouté à votre dossier.")
        return redirect("funding:application_requests", pk=pk)
    return _requests_page(request, application, add_form=form)


@login_required
def application_request_amount(request, pk, share_pk):
    """POST: changes the amount asked of a programme already in the application."""
    application = application_or_404(request, pk, edit=True)
    share = get_object_or_404(Share, pk=share_pk, application=application)
    if (response := _refuse_change(request, application)) is not None:
        return response
    form = _share_amount_form(share, request.POST)
    if form.is_valid() and run_service(
        form,
        services.set_share,
        application=application,
        programme=share.programme,
        actor=request.user,
        amount=form.cleaned_data["amount"],
    ):
        messages.success(request, "Montant demandé enregistré.")
        return redirect("funding:application_requests", pk=pk)
    return _requests_page(request, application, amount_forms={share.pk: form})


@login_required
def application_request_remove(request, pk, share_pk):
    """POST: takes a programme (still a draft) out of the application."""
    application = application_or_404(request, pk, edit=True)
    share = get_object_or_404(Share, pk=share_pk, application=application)
    if (response := _refuse_change(request, application)) is not None:
        return response
    form = forms.ShareRemoveForm(request.POST)
    if form.is_valid() and run_service(
        form, services.remove_share, share=share, actor=request.user
    ):
        messages.success(request, "Demande retirée du dossier.")
        return redirect("funding:application_requests", pk=pk)
    return _requests_page(request, application, remove_forms={share.pk: form})


# --- attachments, submission, documents ---------------------------------------------------------


@login_required
def application_attachments(request, pk):
    application = application_or_404(request, pk, edit=True)
    if (response := editable_or_redirect(request, application)) is not None:
        return response
    form = forms.AttachmentForm(
        request.POST if request.POST.get("form") == "add" else None,
        request.FILES if request.POST.get("form") == "add" else None,
    )
    if request.method == "POST":
        if request.POST.get("form") == "delete":
            attachment = params.object_or_404(
                Attachment, request.POST.get("attachment"), application=application
            )
            try:
                services.delete_attachment(attachment=attachment, actor=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "Pièce supprimée.")
            return redirect("funding:application_attachments", pk=pk)
        if form.is_valid() and run_service(
            form,
            services.add_attachment,
            application=application,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            uploaded=form.cleaned_data["file"],
        ):
            messages.success(request, "Pièce ajoutée.")
            return redirect("funding:application_attachments", pk=pk)
    return render(
        request,
        "funding/application_attachments.html",
        {
            "application": application,
            "form": form,
            "attachments": application.attachments.all(),
            "required": [Attachment.Kind(kind).label for kind in services.REQUIRED_ATTACHMENTS],
        },
    )


@login_required
def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment, pk=pk)
    application_or_404(request, attachment.application_id)
    return private_file_response(attachment.file, filename=attachment.original_name)


@login_required
def application_submit(request, pk):
    application = application_or_404(request, pk, edit=True)
    if (response := editable_or_redirect(request, application)) is not None:
        return response
    form = forms.SubmitForm(
        request.POST or None, initial={"declarant_name": application.declarant_name}
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            services.submit_application,
            application=application,
            actor=request.user,
            declarant_name=form.cleaned_data["declarant_name"],
        )
    ):
        messages.success(
            request, "Votre dossier est déposé : chaque financeur sollicité va l'instruire."
        )
        return redirect("funding:application_detail", pk=pk)
    return render(
        request,
        "funding/application_submit.html",
        {
            "application": application,
            "form": form,
            "problems": services.submission_problems(application),
        },
    )


@login_required
def agreement_pdf(request, pk):
    agreement = get_object_or_404(
        Agreement.objects.select_related(
            "share__programme__funder__organisation", "share__application__organisation"
        ).prefetch_related("payments"),
        pk=pk,
    )
    application_or_404(request, agreement.share.application_id)
    content = render_pdf(
        "funding/pdf/agreement.html",
        {
            "agreement": agreement,
            "share": agreement.share,
            "application": agreement.share.application,
            "report_due_on": services.report_due_on(agreement.share.application.year),
        },
    )
    return pdf_response(f"convention-{agreement.reference}.pdf", content)


@login_required
def report_detail(request, pk):
    """The financial report: the applicant fills it in and hands it in, the funder reviews it."""
    report = get_object_or_404(
        FinancialReport.objects.select_related(
            "agreement__share__programme__funder__organisation",
            "agreement__share__application__organisation",
        ).prefetch_related("lines"),
        pk=pk,
    )
    share = report.agreement.share
    application = share.application
    applicant = access.is_applicant(request.user, application)
    reviewer = access.can_instruct_funder(request.user, share.programme.funder)
    if not (applicant or reviewer or is_agency_member(request.user)):
        raise PermissionDenied("Vous n'avez pas accès à ce compte-rendu.")
    editable = workflow.may(report.submit, request.user)
    can_review = workflow.may(report.accept, request.user)
    posted = request.POST.get("form")
    actuals = {line.code: line.actual for line in report.lines.all()}
    form = forms.ReportForm(
        request.POST if editable and posted == "report" else None,
        actuals=actuals,
        initial={"review": report.review},
    )
    review_form = forms.ReviewForm(request.POST if can_review and posted == "review" else None)
    if request.method == "POST":
        if posted == "report":
            if (
                editable
                and form.is_valid()
                and run_service(
                    form,
                    services.save_report,
                    report=report,
                    actor=request.user,
                    actuals=form.actuals(),
                    review=form.cleaned_data["review"],
                    submit="submit" in request.POST,
                )
            ):
                messages.success(
                    request,
                    "Compte-rendu remis au financeur."
                    if "submit" in request.POST
                    else "Compte-rendu enregistré.",
                )
                return redirect("funding:report_detail", pk=pk)
        elif posted == "review":
            if (
                can_review
                and review_form.is_valid()
                and run_service(
                    review_form,
                    services.review_report,
                    report=report,
                    actor=request.user,
                    accept=review_form.cleaned_data["decision"] == "accept",
                    comment=review_form.cleaned_data["comment"],
                )
            ):
                messages.success(request, "Avis enregistré.")
                return redirect("funding:report_detail", pk=pk)
        else:
            raise PermissionDenied("Action inconnue.")
    rows = selectors.report_grid(report)
    bound = {name: form[name] for name in form.fields}
    for row in rows["charges"] + rows["produits"]:
        row["field"] = bound[forms.field_name(row["account"].code)]
    return render(
        request,
        "funding/report_detail.html",
        {
            "report": report,
            "share": share,
            "application": application,
            "rows": rows,
            "form": form,
            "editable": editable,
            "review_form": review_form,
            "can_review": can_review,
            "history": workflow.history(report),
        },
    )
