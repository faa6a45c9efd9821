"""Views of the funding module: public catalogue and open data, the applicant's space, the
instruction back-office (funders' instructors and the agency). Each view checks who may see it;
querysets come scoped from `selectors`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from essor.accounts.models import Role, User
from essor.core.exports import Sheet, csv_response, pdf_response, render_pdf, xlsx_response
from essor.core.files import private_file_response
from essor.core.permissions import agency_required, is_agency_member, login_required, require
from essor.directory.models import Organisation, Sector
from essor.funding import access, budget, forms, selectors, services
from essor.funding.models import (
    DECIDED,
    Agreement,
    Application,
    Attachment,
    CommitteeSession,
    Envelope,
    FinancialReport,
    FunderProfile,
    Note,
    Payment,
    Programme,
    Share,
    ShareStatus,
)
from essor.funding.scdl import scdl_lines

back_office_required = require(access.can_use_back_office)


def _apply_errors(form, error: ValidationError):
    """Puts a service's errors on the form: by field when it names one, else on the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else None
            if target is None:
                target = forms.field_name(name) if forms.field_name(name) in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        for message in error.messages:
            form.add_error(None, message)


# --- public -------------------------------------------------------------------------------------


def catalogue(request):
    text = request.GET.get("q", "").strip()[:100]
    funder_id = request.GET.get("financeur", "")
    sector_id = request.GET.get("secteur", "")
    show_all = request.GET.get("tous") == "1"
    programmes = selectors.catalogue(
        day=timezone.localdate(),
        text=text,
        funder_id=int(funder_id) if funder_id.isdigit() else None,
        sector_id=int(sector_id) if sector_id.isdigit() else None,
        open_only=not show_all,
    )
    return render(
        request,
        "funding/catalogue.html",
        {
            "programmes": programmes,
            "funders": selectors.funders(),
            "sectors": Sector.objects.order_by("position", "name"),
            "text": text,
            "funder_id": funder_id,
            "sector_id": sector_id,
            "show_all": show_all,
            "today": timezone.localdate(),
        },
    )


def programme_detail(request, pk):
    programme = get_object_or_404(
        Programme.objects.select_related("funder__organisation").prefetch_related(
            "sectors", "communes"
        ),
        pk=pk,
        is_published=True,
    )
    return render(
        request,
        "funding/programme_detail.html",
        {
            "programme": programme,
            "is_open": programme.is_open_on(timezone.localdate()),
            "can_apply": bool(access.applicant_organisation_ids(request.user)),
        },
    )


def open_data(request):
    return render(
        request,
        "funding/open_data.html",
        {"index": selectors.open_data_index(), "threshold": selectors.scdl_threshold()},
    )


def scdl_csv(request, siret, year):
    if not FunderProfile.objects.filter(siret=siret).exists():
        raise Http404("Financeur inconnu.")
    response = StreamingHttpResponse(
        scdl_lines(year=year, funder_siret=siret), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="subventions-{siret}-{year}.csv"'
    return response


# --- applicant ----------------------------------------------------------------------------------


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
    chosen = organisations.filter(pk=request.GET.get("structure") or 0).first()
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
        try:
            application = services.create_application(
                organisation=chosen, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Brouillon enregistré. Complétez maintenant le budget.")
            return redirect("funding:application_budget", pk=application.pk)
    return render(
        request,
        "funding/application_form.html",
        {"form": form, "organisation": chosen, "application": None},
    )


def _application_or_404(request, pk, *, edit=False):
    application = selectors.application_for_page(pk)
    if application is None:
        raise Http404("Dossier introuvable.")
    funder_org_ids = {s.programme.funder.organisation_id for s in application.shares.all()}
    if not access.can_view_application(request.user, application, funder_org_ids):
        raise PermissionDenied("Vous n'avez pas accès à ce dossier.")
    if edit and not access.is_applicant(request.user, application):
        raise PermissionDenied("Seuls les membres de la structure modifient le dossier.")
    return application


def _editable_or_redirect(request, application):
    if services.is_editable(application):
        return None
    messages.warning(request, "Ce dossier est déposé : il ne peut plus être modifié.")
    return redirect("funding:application_detail", pk=application.pk)


@login_required
def application_detail(request, pk):
    application = _application_or_404(request, pk)
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
        try:
            services.post_message(
                application=application,
                actor=user,
                organisation=organisation,
                body=message_form.cleaned_data["body"],
            )
        except ValidationError as error:
            _apply_errors(message_form, error)
        else:
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
        },
    )


@login_required
def application_edit(request, pk):
    application = _application_or_404(request, pk, edit=True)
    if (response := _editable_or_redirect(request, application)) is not None:
        return response
    form = forms.ApplicationForm(request.POST or None, instance=application)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_application(
                application=application, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Projet enregistré.")
            return redirect("funding:application_detail", pk=application.pk)
    return render(
        request,
        "funding/application_form.html",
        {"form": form, "organisation": application.organisation, "application": application},
    )


@login_required
def application_budget(request, pk):
    application = _application_or_404(request, pk, edit=True)
    if (response := _editable_or_redirect(request, application)) is not None:
        return response
    amounts = {line.code: line.amount for line in application.budget_lines.all()}
    form = forms.BudgetForm(request.POST or None, amounts=amounts)
    if request.method == "POST" and form.is_valid():
        try:
            totals = services.set_budget(
                application=application, actor=request.user, amounts=form.amounts()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if totals.balanced:
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
        },
    )


@login_required
def application_requests(request, pk):
    application = _application_or_404(request, pk, edit=True)
    if (response := _editable_or_redirect(request, application)) is not None:
        return response
    day = timezone.localdate()
    programmes = selectors.open_programmes_for(application, day=day)
    form = forms.ShareRequestForm(
        request.POST if request.POST.get("form") == "add" else None, programmes=programmes
    )
    if request.method == "POST":
        try:
            if request.POST.get("form") == "remove":
                share = get_object_or_404(
                    Share, pk=request.POST.get("share"), application=application
                )
                services.remove_share(share=share, actor=request.user)
                messages.success(request, "Demande retirée du dossier.")
                return redirect("funding:application_requests", pk=pk)
            if request.POST.get("form") == "amount":
                share = get_object_or_404(
                    Share, pk=request.POST.get("share"), application=application
                )
                services.set_share(
                    application=application,
                    programme=share.programme,
                    actor=request.user,
                    amount=request.POST.get("amount"),
                )
                messages.success(request, "Montant demandé enregistré.")
                return redirect("funding:application_requests", pk=pk)
            if form.is_valid():
                services.set_share(
                    application=application,
                    programme=form.cleaned_data["programme"],
                    actor=request.user,
                    amount=form.cleaned_data["amount"],
                )
                messages.success(request, "Dispositif ajouté à votre dossier.")
                return redirect("funding:application_requests", pk=pk)
        except ValidationError as error:
            if request.POST.get("form") == "add":
                _apply_errors(form, error)
            else:
                for message in error.messages:
                    messages.error(request, message)
    return render(
        request,
        "funding/application_requests.html",
        {"application": application, "form": form, "shares": application.shares.all()},
    )


@login_required
def application_attachments(request, pk):
    application = _application_or_404(request, pk, edit=True)
    if (response := _editable_or_redirect(request, application)) is not None:
        return response
    form = forms.AttachmentForm(
        request.POST if request.POST.get("form") == "add" else None,
        request.FILES if request.POST.get("form") == "add" else None,
    )
    if request.method == "POST":
        if request.POST.get("form") == "delete":
            attachment = get_object_or_404(
                Attachment, pk=request.POST.get("attachment"), application=application
            )
            try:
                services.delete_attachment(attachment=attachment, actor=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "Pièce supprimée.")
            return redirect("funding:application_attachments", pk=pk)
        if form.is_valid():
            try:
                services.add_attachment(
                    application=application,
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    uploaded=form.cleaned_data["file"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
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
    _application_or_404(request, attachment.application_id)
    return private_file_response(attachment.file, filename=attachment.original_name)


@login_required
def application_submit(request, pk):
    application = _application_or_404(request, pk, edit=True)
    if (response := _editable_or_redirect(request, application)) is not None:
        return response
    form = forms.SubmitForm(
        request.POST or None, initial={"declarant_name": application.declarant_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_application(
                application=application,
                actor=request.user,
                declarant_name=form.cleaned_data["declarant_name"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
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


# --- instruction --------------------------------------------------------------------------------


@back_office_required
def instruction_list(request):
    status = request.GET.get("etat", "")
    status = status if status in ShareStatus.values else ""
    programme = request.GET.get("dispositif", "")
    year = request.GET.get("annee", "")
    text = request.GET.get("q", "").strip()[:100]
    shares = selectors.shares_for_instruction(
        request.user,
        status=status,
        programme_id=int(programme) if programme.isdigit() else None,
        year=int(year) if year.isdigit() else None,
        text=text,
    )
    page = selectors.page_of_shares(shares, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "funding/instruction_list.html",
        {
            "page": page,
            "statuses": ShareStatus.choices[1:],
            "programmes": selectors.programmes_for_user(request.user),
            "status": status,
            "programme": programme,
            "year": year,
            "text": text,
            "query": query.urlencode(),
        },
    )


@back_office_required
def instruction_export(request):
    """The instruction list as CSV (same filters), streamed."""
    status = request.GET.get("etat", "")
    programme = request.GET.get("dispositif", "")
    year = request.GET.get("annee", "")
    shares = selectors.shares_for_instruction(
        request.user,
        status=status if status in ShareStatus.values else "",
        programme_id=int(programme) if programme.isdigit() else None,
        year=int(year) if year.isdigit() else None,
        text=request.GET.get("q", "").strip()[:100],
    )
    rows = (
        [
            share.application.reference,
            share.application.title,
            share.application.organisation.name,
            share.application.siret,
            share.programme.funder.organisation.name,
            share.programme.name,
            share.application.year,
            share.amount_requested,
            share.amount_granted,
            share.get_status_display(),
        ]
        for share in shares.select_related(
            "application__organisation", "programme__funder__organisation"
        ).iterator(chunk_size=2000)
    )
    return csv_response(
        "demandes-de-financement.csv",
        [
            "Référence",
            "Projet",
            "Structure",
            "SIRET",
            "Financeur",
            "Dispositif",
            "Année",
            "Montant demandé (€)",
            "Montant accordé (€)",
            "État",
        ],
        rows,
    )


@agency_required
def funder_list(request):
    funder = None
    if request.GET.get("financeur", "").isdigit():
        funder = get_object_or_404(FunderProfile, pk=request.GET["financeur"])
    form = forms.FunderForm(request.POST or None, instance=funder)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_funder(funder=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Financeur enregistré.")
            return redirect("funding:funder_list")
    return render(
        request,
        "funding/funder_list.html",
        {"funders": selectors.funders(), "form": form, "funder": funder},
    )


def _share_for_instruction(request, pk):
    share = get_object_or_404(
        Share.objects.select_related(
            "programme__funder__organisation", "application__organisation", "envelope"
        ).prefetch_related("programme__instructors"),
        pk=pk,
    )
    user = request.user
    if not (
        is_agency_member(user)
        or share.programme.funder.organisation_id in access.funder_organisation_ids(user)
    ):
        raise PermissionDenied("Ce dossier ne relève pas de vos dispositifs.")
    return share


def allowed_actions(share) -> list[str]:
    nexts = services.TRANSITIONS.get(share.status, frozenset())
    actions = [
        key
        for key in ("instruction", "correction", "accepted", "refused", "closed")
        if key in nexts and share.status not in DECIDED
    ]
    if share.status in DECIDED:
        actions.append("reopen")
    return actions


@back_office_required
def share_detail(request, pk):
    share = _share_for_instruction(request, pk)
    can_act = access.can_instruct_share(request.user, share)
    funder = share.programme.funder
    can_note = access.can_see_funder_internals(request.user, funder)
    actions = allowed_actions(share)
    form_name = request.POST.get("form")
    decision_form = forms.DecisionForm(
        request.POST if form_name == "decision" else None, allowed=actions
    )
    note_form = forms.TextForm(
        request.POST if form_name == "note" else None,
        label="Note privée (visible de votre seul financeur)",
    )
    if request.method == "POST":
        if form_name == "decision" and can_act and decision_form.is_valid():
            data = decision_form.cleaned_data
            action = data["action"]
            try:
                if action == "instruction":
                    services.start_instruction(
                        share=share, actor=request.user, motivation=data["motivation"]
                    )
                elif action == "correction":
                    services.request_corrections(
                        share=share, actor=request.user, motivation=data["motivation"]
                    )
                elif action == "reopen":
                    services.reopen(share=share, actor=request.user, motivation=data["motivation"])
                else:
                    services.decide(
                        share=share,
                        actor=request.user,
                        outcome=action,
                        amount=data["amount"],
                        motivation=data["motivation"],
                    )
            except ValidationError as error:
                _apply_errors(decision_form, error)
            else:
                messages.success(request, f"« {forms.ACTIONS[action]} » : enregistré.")
                return redirect("funding:share_detail", pk=pk)
        elif form_name == "note" and can_note and note_form.is_valid():
            services.add_note(
                application=share.application,
                funder=funder,
                actor=request.user,
                body=note_form.cleaned_data["body"],
            )
            messages.success(request, "Note enregistrée.")
            return redirect(reverse("funding:share_detail", args=[pk]) + "#notes")
        elif form_name not in ("decision", "note") or not (can_act or can_note):
            raise PermissionDenied("Vous ne pouvez pas agir sur ce dossier.")
    application = selectors.application_for_page(share.application_id)
    envelope = selectors.envelopes_with_balance([share.programme_id], application.year).get(
        share.programme_id
    )
    notes = (
        Note.objects.filter(application=application, funder=funder).select_related("author")
        if can_note
        else []
    )
    return render(
        request,
        "funding/share_detail.html",
        {
            "share": share,
            "application": application,
            "picture": selectors.cofinancing(application),
            "grid": selectors.budget_grid(application),
            "envelope": envelope,
            "can_act": can_act and bool(actions),
            "decision_form": decision_form,
            "note_form": note_form,
            "can_note": can_note,
            "notes": notes,
            "events": share.events.select_related("actor"),
        },
    )


@back_office_required
def envelope_balance(request, pk):
    """The remaining balance of an envelope, refreshed by the share page (htmx, every 15 s)."""
    envelope = get_object_or_404(Envelope.objects.select_related("programme__funder"), pk=pk)
    funder = envelope.programme.funder
    if not (
        is_agency_member(request.user)
        or funder.organisation_id in access.funder_organisation_ids(request.user)
    ):
        raise PermissionDenied("Cette enveloppe relève d'un autre financeur.")
    return render(request, "funding/includes/envelope_balance.html", {"envelope": envelope})


@back_office_required
def payment_update(request, pk):
    payment = get_object_or_404(
        Payment.objects.select_related("agreement__share__programme__funder"), pk=pk
    )
    share = payment.agreement.share
    if not access.can_instruct_funder(request.user, share.programme.funder):
        raise PermissionDenied("Ce versement ne relève pas de vos dispositifs.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = forms.PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.set_payment_status(
                payment=payment,
                actor=request.user,
                status=form.cleaned_data["status"],
                paid_on=form.cleaned_data["paid_on"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, "Versement mis à jour.")
    else:
        messages.error(request, "Indiquez un état et une date valides.")
    return redirect(reverse("funding:share_detail", args=[share.pk]) + "#versements")


@login_required
def agreement_pdf(request, pk):
    agreement = get_object_or_404(
        Agreement.objects.select_related(
            "share__programme__funder__organisation", "share__application__organisation"
        ).prefetch_related("payments"),
        pk=pk,
    )
    _application_or_404(request, agreement.share.application_id)
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
    editable = applicant and report.status in (
        FinancialReport.Status.PENDING,
        FinancialReport.Status.RETURNED,
    )
    actuals = {line.code: line.actual for line in report.lines.all()}
    form = forms.ReportForm(
        request.POST if editable and request.POST.get("form") == "report" else None,
        actuals=actuals,
        initial={"review": report.review},
    )
    review_form = forms.ReviewForm(
        request.POST if reviewer and request.POST.get("form") == "review" else None
    )
    if request.method == "POST":
        try:
            if request.POST.get("form") == "report" and editable and form.is_valid():
                services.save_report(
                    report=report,
                    actor=request.user,
                    actuals=form.actuals(),
                    review=form.cleaned_data["review"],
                    submit="submit" in request.POST,
                )
                messages.success(
                    request,
                    "Compte-rendu remis au financeur."
                    if "submit" in request.POST
                    else "Compte-rendu enregistré.",
                )
                return redirect("funding:report_detail", pk=pk)
            if request.POST.get("form") == "review" and reviewer and review_form.is_valid():
                services.review_report(
                    report=report,
                    actor=request.user,
                    accept=review_form.cleaned_data["decision"] == "accept",
                    comment=review_form.cleaned_data["comment"],
                )
                messages.success(request, "Avis enregistré.")
                return redirect("funding:report_detail", pk=pk)
            if request.POST.get("form") not in ("report", "review"):
                raise PermissionDenied("Action inconnue.")
        except ValidationError as error:
            _apply_errors(form if request.POST.get("form") == "report" else review_form, error)
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
            "can_review": reviewer and report.status == FinancialReport.Status.SUBMITTED,
        },
    )


@back_office_required
def report_list(request):
    page = Paginator(selectors.reports_for_instruction(request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request, "funding/report_list.html", {"page": page, "today": timezone.localdate()}
    )


# --- programmes ---------------------------------------------------------------------------------


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
            if envelope_form.is_valid():
                try:
                    services.set_envelope(
                        programme=programme,
                        year=envelope_form.cleaned_data["year"],
                        amount=envelope_form.cleaned_data["amount"],
                        actor=request.user,
                    )
                except ValidationError as error:
                    _apply_errors(envelope_form, error)
                else:
                    messages.success(request, "Enveloppe enregistrée.")
                    return redirect("funding:programme_edit", pk=programme.pk)
        elif form.is_valid():
            try:
                programme = form.save(commit=False)
                services.save_programme(
                    programme=programme,
                    actor=request.user,
                    sectors=form.cleaned_data["sectors"],
                    communes=form.cleaned_data["communes"],
                    instructors=form.cleaned_data["instructors"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "Dispositif enregistré.")
                return redirect("funding:programme_edit", pk=programme.pk)
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


# --- committee sessions -------------------------------------------------------------------------


@back_office_required
def session_list(request):
    funders = [
        funder
        for funder in selectors.funders_for_user(request.user)
        if access.can_see_funder_internals(request.user, funder)
    ]
    funder_qs = FunderProfile.objects.filter(pk__in=[f.pk for f in funders]).select_related(
        "organisation"
    )
    form = forms.SessionForm(request.POST or None, funders=funder_qs)
    if request.method == "POST" and funders and form.is_valid():
        session = services.create_session(
            funder=form.cleaned_data["funder"],
            actor=request.user,
            title=form.cleaned_data["title"],
            date=form.cleaned_data["date"],
        )
        messages.success(request, "Séance programmée : inscrivez-y des dossiers.")
        return redirect("funding:session_detail", pk=session.pk)
    sessions = (
        CommitteeSession.objects.filter(funder__in=funder_qs)
        .select_related("funder__organisation")
        .order_by("-date")
    )
    return render(
        request,
        "funding/session_list.html",
        {"sessions": sessions, "form": form if funders else None},
    )


def _session(request, pk):
    session = get_object_or_404(
        CommitteeSession.objects.select_related("funder__organisation"), pk=pk
    )
    if not access.can_see_funder_internals(request.user, session.funder):
        raise PermissionDenied("Cette séance relève d'un autre financeur.")
    return session


def _agenda(session):
    return session.items.select_related(
        "share__application__organisation", "share__programme", "share__envelope"
    )


@back_office_required
def session_detail(request, pk):
    session = _session(request, pk)
    candidates = (
        Share.objects.filter(
            programme__funder=session.funder,
            status__in=[ShareStatus.SUBMITTED, ShareStatus.INSTRUCTION],
        )
        .exclude(agenda_items__session=session)
        .select_related("application__organisation", "programme")
        .order_by("application__reference")
    )
    agenda_form = forms.AgendaForm(
        request.POST if request.POST.get("form") == "agenda" else None, shares=candidates
    )
    items = list(_agenda(session))
    errors = []
    if request.method == "POST":
        if request.POST.get("form") == "agenda" and agenda_form.is_valid():
            try:
                services.add_to_agenda(
                    session=session, share=agenda_form.cleaned_data["share"], actor=request.user
                )
            except ValidationError as error:
                _apply_errors(agenda_form, error)
            else:
                messages.success(request, "Dossier inscrit à l'ordre du jour.")
                return redirect("funding:session_detail", pk=pk)
        elif request.POST.get("form") == "decisions":
            decisions = {
                item.pk: (
                    request.POST.get(f"decision-{item.pk}", ""),
                    request.POST.get(f"amount-{item.pk}", ""),
                    request.POST.get(f"motivation-{item.pk}", ""),
                )
                for item in items
            }
            try:
                count = services.record_session_decisions(
                    session=session, actor=request.user, decisions=decisions
                )
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, f"{count} décision(s) enregistrée(s).")
                return redirect("funding:session_detail", pk=pk)
    envelopes = selectors.envelopes_with_balance(
        {item.share.programme_id for item in items}, timezone.localdate().year
    )
    return render(
        request,
        "funding/session_detail.html",
        {
            "session": session,
            "items": items,
            "agenda_form": agenda_form,
            "errors": errors,
            "posted": request.POST,
            "envelopes": envelopes.values(),
            "decision_choices": [
                ("", "Pas de décision"),
                ("accepted", "Accepter"),
                ("refused", "Refuser"),
                ("closed", "Classer sans suite"),
            ],
        },
    )


@back_office_required
def session_minutes(request, pk):
    session = _session(request, pk)
    items = list(_agenda(session))
    content = render_pdf(
        "funding/pdf/minutes.html",
        {"session": session, "items": items, "generated": timezone.now()},
    )
    return pdf_response(f"proces-verbal-{session.pk}.pdf", content)


# --- dashboards ---------------------------------------------------------------------------------


def _dashboard_data(request):
    user = request.user
    funder_ids = (
        None if is_agency_member(user) else [f.pk for f in selectors.funders_for_user(user)]
    )
    form = forms.DashboardForm(request.GET or None, years=selectors.years_with_applications())
    year, dimension = None, "programme"
    if form.is_valid():
        year = form.cleaned_data["year"] or None
        dimension = form.cleaned_data["dimension"] or "programme"
    rows = selectors.dashboard(funder_ids=funder_ids, year=year, dimension=dimension)
    return form, rows, year, dimension, funder_ids


@back_office_required
def dashboard(request):
    form, rows, year, dimension, funder_ids = _dashboard_data(request)
    envelopes = selectors.envelopes_for(funder_ids, year or timezone.localdate().year)
    return render(
        request,
        "funding/dashboard.html",
        {
            "form": form,
            "rows": rows,
            "total": selectors.dashboard_totals(rows),
            "labels": [row.label for row in rows],
            "granted": [row.granted for row in rows],
            "year": year,
            "dimension": dict(form.fields["dimension"].choices)[dimension],
            "envelopes": envelopes,
            "query": request.GET.urlencode(),
        },
    )


@back_office_required
def dashboard_xlsx(request):
    form, rows, year, dimension, funder_ids = _dashboard_data(request)
    label = dict(form.fields["dimension"].choices)[dimension]
    sheet = Sheet(
        title=f"Financements par {label.lower()}",
        headers=[label, "Demandé (€)", "Accordé (€)", "Versé (€)", "Structures"],
        rows=([row.label, row.requested, row.granted, row.paid, row.structures] for row in rows),
        note=f"Année financée : {year or 'toutes'}.",
    )
    envelopes = Sheet(
        title="Enveloppes",
        headers=["Financeur", "Dispositif", "Année", "Enveloppe (€)", "Accordé (€)", "Solde (€)"],
        rows=(
            [
                e.programme.funder.organisation.name,
                e.programme.name,
                e.year,
                e.amount,
                e.granted,
                e.remaining,
            ]
            for e in selectors.envelopes_for(funder_ids, year)
        ),
    )
    return xlsx_response(f"financements-{year or 'toutes-annees'}.xlsx", [sheet, envelopes])
