"""Pages of the village: the public plan, the exhibitors' applications, the agency's management."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from essor.core import workflow
from essor.core.exports import csv_response, json_dumps, pdf_response, render_pdf
from essor.core.forms import run_service
from essor.core.page_cache import public_page
from essor.core.permissions import (
    administered_organisation_ids,
    agency_required,
    can_admin_organisation,
    login_required,
)
from essor.directory.models import Organisation
from essor.village import figures, forms, selectors, services
from essor.village import programme as village_programme
from essor.village.models import Edition, ExhibitorApplication

Status = ExhibitorApplication.Status


# --- Public ----------------------------------------------------------------------------------


@public_page("village", "directory")
def home(request):
    edition = selectors.current_edition()
    return _edition_page(request, edition)


@public_page("village", "directory")
def edition(request, pk):
    edition = get_object_or_404(selectors.editions_for(request.user), pk=pk)
    return _edition_page(request, edition)


def _edition_page(request, edition: Edition | None):
    context = {"edition": edition}
    if edition is not None:
        context |= {
            "plan": selectors.plan(edition),
            "zones": list(edition.zones.all()),
            "criteria": selectors.grid(edition),
            "call_open": services.call_is_open(edition),
        }
    return render(request, "village/edition.html", context)


@public_page("village", "directory")
def programme(request):
    """The current edition's programme and routes, readable on a phone, with its files."""
    edition = selectors.current_edition()
    context = {"edition": edition}
    if edition is not None:
        context |= {
            "animations": list(selectors.programme(edition)),
            "routes": list(selectors.routes(edition)),
        }
    return render(request, "village/programme.html", context)


def _published_or_404(pk) -> Edition:
    return get_object_or_404(selectors.published_editions(), pk=pk)


def programme_ics(request, pk):
    edition = _published_or_404(pk)
    response = HttpResponse(
        village_programme.ics(edition, selectors.programme(edition)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="programme-{edition.starts_on.year}.ics"'
    return response


def programme_csv(request, pk):
    edition = _published_or_404(pk)
    return csv_response(
        f"programme-{edition.starts_on.year}.csv",
        village_programme.COLUMNS,
        village_programme.rows(edition, selectors.programme(edition)),
    )


def programme_json(request, pk):
    edition = _published_or_404(pk)
    payload = village_programme.records(edition, selectors.programme(edition))
    return HttpResponse(json_dumps(payload, indent=1), content_type="application/json")


# --- Exhibitors ------------------------------------------------------------------------------------


@login_required
def my_applications(request):
    administered = Organisation.objects.filter(
        pk__in=administered_organisation_ids(request.user)
    ).order_by("name")
    edition = selectors.current_edition()
    applications = list(selectors.applications_of(request.user))
    applied = {a.organisation_id for a in applications if edition and a.edition_id == edition.pk}
    return render(
        request,
        "village/my_applications.html",
        {
            "applications": applications,
            "edition": edition,
            "call_open": edition is not None and services.call_is_open(edition),
            "can_apply": [org for org in administered if org.pk not in applied],
        },
    )


@login_required
def application_create(request, edition_pk, organisation_pk):
    edition = get_object_or_404(selectors.published_editions(), pk=edition_pk)
    organisation = get_object_or_404(Organisation, pk=organisation_pk)
    if not can_admin_organisation(request.user, organisation):
        raise PermissionDenied("Seuls les administrateurs de la structure la font candidater.")
    initial = {
        "contact_name": request.user.get_full_name() or "",
        "contact_email": request.user.email,
        "contact_phone": organisation.phone,
    }
    form = forms.ApplicationForm(request.POST or None, initial=initial, edition=edition)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(
            form,
            services.start_application,
            edition=edition,
            organisation=organisation,
            actor=request.user,
            data=form.cleaned_data,
        )
        if outcome:
            messages.success(request, "Brouillon enregistré : vous pourrez le compléter.")
            return redirect("village:application_detail", pk=outcome.result.pk)
    return render(
        request,
        "village/application_form.html",
        {"form": form, "edition": edition, "organisation": organisation},
    )


def _application_or_404(request, pk) -> ExhibitorApplication:
    application = get_object_or_404(
        ExhibitorApplication.objects.select_related("edition", "organisation", "stand__zone"),
        pk=pk,
    )
    if not can_admin_organisation(request.user, application.organisation):
        raise PermissionDenied("Cette candidature est celle d'une autre structure.")
    return application


@login_required
def application_detail(request, pk):
    application = _application_or_404(request, pk)
    form = None
    if application.is_editable:
        form = forms.ApplicationForm(
            request.POST if request.POST.get("form") == "edit" else None,
            instance=application,
            edition=application.edition,
        )
    reason_form = forms.ReasonForm(request.POST if request.POST.get("form") == "move" else None)
    if request.method == "POST":
        if form is not None and request.POST.get("form") == "edit" and form.is_valid():
            if run_service(
                form,
                services.update_application,
                application=application,
                actor=request.user,
                data=form.cleaned_data,
            ):
                messages.success(request, "Candidature enregistrée.")
                return redirect("village:application_detail", pk=pk)
        elif (
            request.POST.get("form") == "move"
            and reason_form.is_valid()
            and _move(request, application, request.POST.get("action", ""), reason_form)
        ):
            return redirect("village:application_detail", pk=pk)
    return render(
        request,
        "village/application_detail.html",
        {
            "application": application,
            "form": form,
            "reason_form": reason_form,
            "actions": workflow.available_actions(application, request.user),
            "history": workflow.history(application),
        },
    )


EXHIBITOR_MOVES = {
    "submit": (services.submit_application, "Candidature déposée : l'agence vous répondra."),
    "confirm": (services.confirm, "Venue confirmée : merci !"),
    "withdraw": (services.withdraw, "Candidature retirée."),
}


def _move(request, application, action: str, reason_form) -> bool:
    if action not in EXHIBITOR_MOVES:
        reason_form.add_error(None, "Action inconnue.")
        return False
    service, done = EXHIBITOR_MOVES[action]
    kwargs = {"application": application, "actor": request.user}
    if action == "withdraw":
        kwargs["reason"] = reason_form.cleaned_data["reason"]
    if run_service(reason_form, service, **kwargs):
        messages.success(request, done)
        return True
    return False


# --- Agency ----------------------------------------------------------------------------------------


@agency_required
def manage(request):
    form = forms.EditionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(
            form, services.save_edition, edition=form.instance, actor=request.user
        )
        if outcome:
            messages.success(request, "Édition créée : ajoutez ses zones et ses stands.")
            return redirect("village:edition_manage", pk=outcome.result.pk)
    editions = Edition.objects.all()
    return render(request, "village/manage.html", {"editions": editions, "form": form})


EDITION_FORMS = {
    "edition": forms.EditionForm,
    "zone": forms.ZoneForm,
    "stand": forms.StandForm,
    "criterion": forms.CriterionForm,
    "animation": forms.AnimationForm,
    "route": forms.RouteForm,
}


@agency_required
def edition_manage(request, pk):
    edition = get_object_or_404(Edition, pk=pk)
    posted = request.POST.get("form") if request.method == "POST" else None

    def bound(name, **kwargs):
        return EDITION_FORMS[name](request.POST if posted == name else None, **kwargs)

    edition_form = bound("edition", instance=edition)
    zone_form = bound("zone")
    stand_form = bound("stand", edition=edition)
    criterion_form = bound("criterion")
    animation_form = bound("animation", edition=edition)
    route_form = bound("route", edition=edition)
    saved = None
    if posted == "edition" and edition_form.is_valid():
        saved = run_service(
            edition_form, services.save_edition, edition=edition_form.instance, actor=request.user
        )
    elif posted == "zone" and zone_form.is_valid():
        zone_form.instance.edition = edition
        saved = run_service(
            zone_form, services.add_zone, zone=zone_form.instance, actor=request.user
        )
    elif posted == "stand" and stand_form.is_valid():
        saved = run_service(
            stand_form, services.add_stand, stand=stand_form.instance, actor=request.user
        )
    elif posted == "criterion" and criterion_form.is_valid():
        criterion_form.instance.edition = edition
        saved = run_service(
            criterion_form,
            services.add_criterion,
            criterion=criterion_form.instance,
            actor=request.user,
        )
    elif posted == "animation" and animation_form.is_valid():
        saved = run_service(
            animation_form,
            services.add_animation,
            animation=animation_form.instance,
            actor=request.user,
        )
    elif posted == "route" and route_form.is_valid():
        saved = run_service(
            route_form,
            services.save_route,
            edition=edition,
            actor=request.user,
            **route_form.cleaned_data,
        )
    if saved:
        messages.success(request, "Enregistré.")
        return redirect("village:edition_manage", pk=pk)
    status = request.GET.get("etat", "")
    criteria = selectors.grid(edition)
    services.ensure_keys(edition)
    return render(
        request,
        "village/edition_manage.html",
        {
            "edition": edition,
            "edition_form": edition_form,
            "zone_form": zone_form,
            "stand_form": stand_form,
            "criterion_form": criterion_form,
            "animation_form": animation_form,
            "route_form": route_form,
            "animations": list(selectors.programme(edition)),
            "routes": list(selectors.routes(edition)),
            "zones": list(edition.zones.all()),
            "plan": selectors.plan(edition),
            "edition_days": selectors.days_of(edition),
            "criteria": criteria,
            "best_score": selectors.best_score(criteria),
            "applications": selectors.applications_for_review(edition, status),
            "statuses": [choice for choice in Status.choices if choice[0] != Status.DRAFT],
            "status": status,
        },
    )


@agency_required
def review(request, pk):
    application = get_object_or_404(
        ExhibitorApplication.objects.select_related(
            "edition", "organisation", "stand__zone", "preferred_zone"
        ),
        pk=pk,
    )
    if application.status == Status.DRAFT:
        raise Http404("Cette candidature est encore un brouillon de la structure.")
    criteria = selectors.grid(application.edition)
    posted = request.POST.get("form") if request.method == "POST" else None
    marks_form = forms.MarksForm(
        request.POST if posted == "marks" else None,
        criteria=criteria,
        marks=selectors.marks_of(application),
    )
    decision_form = forms.DecisionForm(request.POST if posted == "decision" else None)
    stand_form = forms.StandChoiceForm(
        request.POST if posted == "stand" else None,
        stands=selectors.free_stands(application.edition),
    )
    done = None
    if posted == "marks" and marks_form.is_valid():
        done = run_service(
            marks_form,
            services.mark,
            application=application,
            actor=request.user,
            marks=marks_form.marks(),
        )
    elif posted == "decision" and decision_form.is_valid():
        done = run_service(
            decision_form,
            services.decide,
            application=application,
            actor=request.user,
            decision=decision_form.cleaned_data["decision"],
            reason=decision_form.cleaned_data["reason"],
        )
    elif posted == "stand" and stand_form.is_valid():
        done = run_service(
            stand_form,
            services.allocate_stand,
            application=application,
            actor=request.user,
            stand=stand_form.cleaned_data["stand"],
        )
    if done:
        messages.success(request, "Enregistré.")
        return redirect("village:review", pk=pk)
    actions = {action.name for action in workflow.available_actions(application, request.user)}
    return render(
        request,
        "village/review.html",
        {
            "application": application,
            "criteria": criteria,
            "marks_form": marks_form,
            "decision_form": decision_form if actions & {"accept", "wait", "reject"} else None,
            "stand_form": stand_form
            if application.status in (Status.ACCEPTED, Status.CONFIRMED)
            else None,
            "history": workflow.history(application),
        },
    )


# --- Printed matter -------------------------------------------------------------------------------


@agency_required
def signs_pdf(request, pk):
    """One A4 sign per stand: its number, zone and exhibitor, to print and pin up."""
    edition = get_object_or_404(Edition, pk=pk)
    content = render_pdf(
        "village/pdf/signs.html", {"edition": edition, "plan": selectors.plan(edition)}
    )
    return pdf_response(f"panneaux-{edition.starts_on.year}.pdf", content)


@agency_required
def badges_pdf(request, pk):
    """A badge per exhibitor holding a stand (structure, stand, zone), four to a page."""
    edition = get_object_or_404(Edition, pk=pk)
    exhibitors = [placed for placed in selectors.plan(edition) if placed.exhibitor]
    content = render_pdf("village/pdf/badges.html", {"edition": edition, "exhibitors": exhibitors})
    return pdf_response(f"badges-{edition.starts_on.year}.pdf", content)


# --- After the event ---------------------------------------------------------------------------


@agency_required
def report(request, pk):
    """What visitors discovered: passports, stamps by stand and by hour, answers, routes."""
    edition = get_object_or_404(Edition, pk=pk)
    return render(
        request,
        "village/report.html",
        {
            "edition": edition,
            "summary": figures.summary(edition),
            "stands": figures.stand_figures(edition),
            "hours": figures.stamps_by_hour(edition),
            "routes": figures.routes_followed(edition),
        },
    )


@login_required
def exhibitor_report_pdf(request, pk):
    """The exhibitor's own figures after the event (its structure's admins and the agency)."""
    application = _application_or_404(request, pk)
    stand_figures = next(
        (
            item
            for item in figures.stand_figures(application.edition)
            if application.stand and item.number == application.stand.number
        ),
        None,
    )
    content = render_pdf(
        "village/pdf/exhibitor_report.html",
        {
            "application": application,
            "figures": stand_figures,
            "summary": figures.summary(application.edition),
        },
    )
    return pdf_response(f"bilan-village-{application.edition.starts_on.year}.pdf", content)
