"""The back-office of the funders' instructors and the agency: the instruction list and its
export, a share's page (decision, private notes, envelope balance, payments), committee
sessions and their minutes, the financial reports to review, the dashboard."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from essor.core import params, workflow
from essor.core.exports import Sheet, csv_response, pdf_response, render_pdf, xlsx_response
from essor.core.formats import counted, plural
from essor.core.forms import run_service
from essor.core.permissions import is_agency_member
from essor.funding import access, forms, selectors, services
from essor.funding.models import (
    CommitteeSession,
    Envelope,
    FunderProfile,
    Note,
    Payment,
    Share,
    ShareStatus,
)
from essor.funding.views._common import back_office_required

# --- instruction list ---------------------------------------------------------------------------


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
        programme_id=params.identifier(programme),
        year=params.year(year),
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
        programme_id=params.identifier(programme),
        year=params.year(year),
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


# --- a share: decision, notes, envelope, payments -----------------------------------------------


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


# The share's transitions its page offers (the deposit is the structure's, on its own pages).
INSTRUCTION_ACTIONS = (
    "start_instruction",
    "request_correction",
    "accept",
    "refuse",
    "close",
    "reopen",
)
OUTCOMES = {
    "accept": ShareStatus.ACCEPTED,
    "refuse": ShareStatus.REFUSED,
    "close": ShareStatus.CLOSED,
}


def instruction_actions(share, user) -> list[workflow.Action]:
    """What `user` may do on the share now, from the workflow engine's table and rights."""
    return [
        action
        for action in workflow.available_actions(share, user)
        if action.name in INSTRUCTION_ACTIONS
    ]


def _record_decision(*, share, actor, action, amount, motivation):
    """The service behind each action of the decision form."""
    if action == "start_instruction":
        return services.start_instruction(share=share, actor=actor, motivation=motivation)
    if action == "request_correction":
        return services.request_corrections(share=share, actor=actor, motivation=motivation)
    if action == "reopen":
        return services.reopen(share=share, actor=actor, motivation=motivation)
    return services.decide(
        share=share, actor=actor, outcome=OUTCOMES[action], amount=amount, motivation=motivation
    )


@back_office_required
def share_detail(request, pk):
    share = _share_for_instruction(request, pk)
    user = request.user
    funder = share.programme.funder
    can_note = access.can_see_funder_internals(user, funder)
    actions = instruction_actions(share, user)
    form_name = request.POST.get("form")
    decision_form = forms.DecisionForm(
        request.POST if form_name == "decision" else None, actions=actions
    )
    note_form = forms.TextForm(
        request.POST if form_name == "note" else None,
        label="Note privée (visible de votre seul financeur)",
    )
    if request.method == "POST":
        if form_name == "decision" and actions and decision_form.is_valid():
            action = decision_form.cleaned_data["action"]
            if run_service(
                decision_form,
                _record_decision,
                share=share,
                actor=user,
                action=action,
                amount=decision_form.cleaned_data["amount"],
                motivation=decision_form.cleaned_data["motivation"],
            ):
                messages.success(request, f"« {decision_form.labels[action]} » : enregistré.")
                return redirect("funding:share_detail", pk=pk)
        elif form_name == "note" and can_note and note_form.is_valid():
            if run_service(
                note_form,
                services.add_note,
                application=share.application,
                funder=funder,
                actor=user,
                body=note_form.cleaned_data["body"],
            ):
                messages.success(request, "Note enregistrée.")
                return redirect(reverse("funding:share_detail", args=[pk]) + "#notes")
        elif form_name not in ("decision", "note") or not (actions or can_note):
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
    agreement = getattr(share, "agreement", None) if share.status == ShareStatus.ACCEPTED else None
    payments = (
        [
            (payment, workflow.available_actions(payment, user))
            for payment in agreement.payments.all()
        ]
        if agreement
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
            "can_act": bool(actions),
            "decision_form": decision_form,
            "note_form": note_form,
            "can_note": can_note,
            "notes": notes,
            "agreement": agreement,
            "payments": payments,
            "history": workflow.history(share),
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
            # The form is one line of the share page's table: its errors go above the page.
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, "Versement mis à jour.")
    else:
        messages.error(request, "Indiquez un état et une date valides.")
    return redirect(reverse("funding:share_detail", args=[share.pk]) + "#versements")


# --- financial reports --------------------------------------------------------------------------


@back_office_required
def report_list(request):
    page = Paginator(selectors.reports_for_instruction(request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request, "funding/report_list.html", {"page": page, "today": timezone.localdate()}
    )


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
        "share__application__organisation", "share__programme__funder", "share__envelope"
    ).prefetch_related("share__programme__instructors")


@back_office_required
def session_detail(request, pk):
    session = _session(request, pk)
    user = request.user
    agenda_form = forms.AgendaForm(
        request.POST if request.POST.get("form") == "agenda" else None,
        shares=selectors.agenda_candidates(session, user),
    )
    items = list(_agenda(session))
    can_hold = workflow.may(session.hold, user)
    # Decisions in session need the share page's right on each share (services check it too).
    decidable = {
        item.pk
        for item in items
        if can_hold
        and item.share.status == ShareStatus.INSTRUCTION
        and access.can_instruct_share(user, item.share)
    }
    errors = []
    if request.method == "POST":
        if request.POST.get("form") == "agenda" and agenda_form.is_valid():
            if run_service(
                agenda_form,
                services.add_to_agenda,
                session=session,
                share=agenda_form.cleaned_data["share"],
                actor=user,
            ):
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
                    session=session, actor=user, decisions=decisions
                )
            except ValidationError as error:
                # The decisions are a table of inputs, not a form: the page lists the messages.
                errors = error.messages
            else:
                messages.success(
                    request, f"{counted(count, 'décision')} {plural(count, 'enregistrée')}."
                )
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
            "decidable": decidable,
            "can_hold": can_hold and bool(decidable),
            "can_add": session.status == CommitteeSession.Status.PLANNED,
            "agenda_form": agenda_form,
            "errors": errors,
            "posted": request.POST,
            "envelopes": envelopes.values(),
            "decision_choices": [
                ("", "Pas de décision"),
                (ShareStatus.ACCEPTED, "Accepter"),
                (ShareStatus.REFUSED, "Refuser"),
                (ShareStatus.CLOSED, "Classer sans suite"),
            ],
            "history": workflow.history(session),
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


# --- dashboard ----------------------------------------------------------------------------------


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
