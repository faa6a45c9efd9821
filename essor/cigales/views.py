"""Pages of the CIGALES module: the public page, a club's pages for its members and officers,
statements, and the pole's dashboard."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from essor.cigales import access, figures, forms, selectors, services
from essor.cigales.models import AgendaItem, Club, Investment, Meeting, Member, Project
from essor.core import audit, workflow
from essor.core.exports import csv_response, json_dumps, pdf_response, render_pdf
from essor.core.formats import with_article
from essor.core.forms import run_service
from essor.core.page_cache import public_page
from essor.core.permissions import is_agency_member, login_required, require
from essor.directory.models import Organisation

# --- public ----------------------------------------------------------------------------------


@public_page("cigales", "directory")
def home(request):
    year = timezone.localdate().year
    return render(
        request,
        "cigales/home.html",
        {
            "clubs": list(selectors.public_clubs()),
            "figures": figures.year_figures(year),
            "last_year": figures.year_figures(year - 1),
            "year": year,
        },
    )


def _open_data():
    first = figures.first_year()
    if first is None:
        return []
    return figures.open_data_rows(first, timezone.localdate().year)


OPEN_DATA_COLUMNS = [
    ("year", "annee"),
    ("clubs", "clubs_actifs"),
    ("members", "membres"),
    ("saved", "epargne_versee_eur"),
    ("invested", "montants_investis_eur"),
    ("investments", "investissements"),
    ("enterprises", "entreprises_financees"),
    ("recovered", "montants_recuperes_eur"),
    ("leveraged", "financements_leves_eur"),
]


def open_data_csv(request):
    rows = [[row[key] for key, _ in OPEN_DATA_COLUMNS] for row in _open_data()]
    return csv_response("cigales-chiffres.csv", [name for _, name in OPEN_DATA_COLUMNS], rows)


def open_data_json(request):
    payload = [{name: row[key] for key, name in OPEN_DATA_COLUMNS} for row in _open_data()]
    return HttpResponse(json_dumps(payload, indent=1), content_type="application/json")


# --- a person's clubs ---------------------------------------------------------------------------


@login_required
def my_clubs(request):
    clubs = list(access.clubs_of(request.user).select_related("commune").order_by("name"))
    return render(
        request,
        "cigales/my_clubs.html",
        {"clubs": clubs, "sees_all": access.sees_every_club(request.user)},
    )


@login_required
def club_create(request):
    form = forms.ClubCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "founder_name"}
        outcome = run_service(
            form,
            services.create_club,
            actor=request.user,
            data=data,
            founder_name=form.cleaned_data["founder_name"],
        )
        if outcome:
            messages.success(request, "Le club est créé : ajoutez ses membres.")
            return redirect("cigales:club", outcome.result.pk)
    return render(request, "cigales/club_form.html", {"form": form, "club": None})


def _club_for(request, pk, *, edit=False) -> Club:
    club = get_object_or_404(Club.objects.select_related("commune", "association"), pk=pk)
    allowed = access.can_edit_club if edit else access.can_view_club
    if not allowed(request.user, club):
        raise PermissionDenied("Vous n'avez pas accès à ce club.")
    return club


@login_required
def club(request, pk):
    club = _club_for(request, pk)
    page = selectors.club_page(club)
    return render(
        request,
        "cigales/club.html",
        {
            "page": page,
            "club": club,
            "can_edit": access.can_edit_club(request.user, club),
            "me": access.member_of(request.user, club),
            "actions": workflow.available_actions(club, request.user),
            "history": workflow.history(club),
            "year": timezone.localdate().year,
        },
    )


@login_required
def club_edit(request, pk):
    club = _club_for(request, pk, edit=True)
    agency = is_agency_member(request.user)
    form = forms.ClubForm(request.POST or None, instance=club, agency=agency)
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in form.Meta.fields}
        if agency:
            data["association"] = form.cleaned_data["association_siren"]
        club.refresh_from_db()
        if run_service(form, services.update_club, actor=request.user, club=club, data=data):
            messages.success(request, "Les règles du club sont enregistrées.")
            return redirect("cigales:club", club.pk)
    return render(request, "cigales/club_form.html", {"form": form, "club": club})


CLUB_TRANSITIONS = {
    "activate": services.activate_club,
    "prorogue": services.prorogue_club,
    "start_managing": services.start_managing,
    "close": services.close_club,
}


@require_POST
@login_required
def club_transition(request, pk, action):
    club = _club_for(request, pk, edit=True)
    service = CLUB_TRANSITIONS.get(action)
    if service is None:
        raise Http404("Action inconnue.")
    try:
        service(actor=request.user, club=club)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        club.refresh_from_db()
        messages.success(request, f"Le club est désormais « {club.get_status_display()} ».")
    return redirect("cigales:club", club.pk)


@login_required
def member_add(request, pk):
    club = _club_for(request, pk, edit=True)
    form = forms.MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(
            form,
            services.add_member,
            actor=request.user,
            club=club,
            name=form.cleaned_data["name"],
            joined_on=form.cleaned_data["joined_on"],
            user=form.cleaned_data["email"],
        )
        if outcome:
            messages.success(request, f"{outcome.result.name} est membre du club.")
            return redirect("cigales:club", club.pk)
    return render(
        request, "cigales/simple_form.html", _form_context(club, form, "Ajouter un membre")
    )


def _form_context(club, form, title, back=None):
    return {"club": club, "form": form, "title": title, "back": back}


@login_required
def member_leave(request, pk):
    member = get_object_or_404(Member.objects.select_related("club"), pk=pk)
    club = _club_for(request, member.club_id, edit=True)
    form = forms.LeaveForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form, services.member_leaves, actor=request.user, member=member, **form.cleaned_data
        )
    ):
        messages.success(request, f"La sortie {with_article(member.name, 'de')} est enregistrée.")
        return redirect("cigales:club", club.pk)
    return render(
        request,
        "cigales/simple_form.html",
        _form_context(club, form, f"Sortie {with_article(member.name, 'de')} du club"),
    )


@login_required
def officer_elect(request, pk):
    club = _club_for(request, pk, edit=True)
    form = forms.OfficerForm(request.POST or None, club=club)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form, services.elect_officer, actor=request.user, club=club, **form.cleaned_data
        )
    ):
        messages.success(request, "Le mandat est enregistré.")
        return redirect("cigales:club", club.pk)
    return render(
        request, "cigales/simple_form.html", _form_context(club, form, "Enregistrer un mandat")
    )


# --- savings ------------------------------------------------------------------------------------


@login_required
def savings(request, pk):
    club = _club_for(request, pk)
    can_edit = access.can_edit_club(request.user, club)
    form = None
    if can_edit:
        members = services.active_members(club).order_by("name", "pk")
        form = forms.MonthForm(
            request.POST or None, members=members, last_amounts=selectors.last_amounts(club)
        )
        if request.method == "POST" and form.is_valid():
            outcome = run_service(
                form,
                services.record_month,
                actor=request.user,
                club=club,
                month=form.cleaned_data["month"],
                amounts=form.amounts(),
            )
            if outcome:
                messages.success(
                    request,
                    f"L'épargne du mois est enregistrée ({len(outcome.result)} versements).",
                )
                return redirect("cigales:savings", club.pk)
    elif request.method == "POST":
        raise PermissionDenied("Seul le bureau du club enregistre l'épargne.")
    months, grid = selectors.contributions_grid(club)
    members = list(club.members.order_by("left_on", "name", "pk"))
    rows = [(member, [grid.get((member.pk, month)) for month in months]) for member in members]
    return render(
        request,
        "cigales/savings.html",
        {"club": club, "form": form, "months": months, "rows": rows},
    )


@login_required
def handback(request, pk):
    club = _club_for(request, pk, edit=True)
    form = forms.HandbackForm(request.POST or None, club=club)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form, services.hand_back, actor=request.user, club=club, **form.cleaned_data
        )
    ):
        messages.success(request, "La restitution est enregistrée.")
        return redirect("cigales:club", club.pk)
    return render(
        request,
        "cigales/simple_form.html",
        _form_context(club, form, "Restituer de la trésorerie à un membre"),
    )


# --- meetings -----------------------------------------------------------------------------------


@login_required
def meeting_create(request, pk):
    club = _club_for(request, pk, edit=True)
    form = forms.MeetingForm(request.POST or None, club=club)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(
            form,
            services.create_meeting,
            actor=request.user,
            club=club,
            held_at=form.cleaned_data["held_at"],
            place=form.cleaned_data["place"],
            items=form.items(),
        )
        if outcome:
            return redirect("cigales:meeting", outcome.result.pk)
    return render(
        request, "cigales/simple_form.html", _form_context(club, form, "Préparer une réunion")
    )


def _meeting_for(request, pk, *, edit=False) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("club"), pk=pk)
    _club_for(request, meeting.club_id, edit=edit)
    return meeting


@login_required
def meeting(request, pk):
    meeting = _meeting_for(request, pk)
    club = meeting.club
    can_edit = access.can_edit_club(request.user, club) and not meeting.is_closed
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Seul le bureau du club tient la réunion.")
    day = timezone.localdate(meeting.held_at)
    items = list(meeting.items.select_related("project__organisation").prefetch_related("votes"))
    present = list(Member.objects.filter(attendances__meeting=meeting).order_by("name", "pk"))
    attendance_form = forms.AttendanceForm(
        request.POST if request.POST.get("form") == "attendance" else None,
        members=services.active_members(club, day).order_by("name", "pk"),
        initial={"members": present},
        prefix="attendance",
    )
    vote_forms = []
    for item in items:
        data = request.POST if request.POST.get("form") == f"item-{item.pk}" else None
        vote_forms.append(
            (
                item,
                forms.VoteForm(
                    data,
                    present=present,
                    current={v.member_id: v.choice for v in item.votes.all()},
                    prefix=f"item-{item.pk}",
                )
                if item.is_vote
                else None,
            )
        )
    close_form = forms.CloseMeetingForm(
        request.POST if request.POST.get("form") == "close" else None,
        initial={"notes": meeting.notes},
    )
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "attendance" and attendance_form.is_valid():
            if run_service(
                attendance_form,
                services.record_attendance,
                actor=request.user,
                meeting=meeting,
                members=attendance_form.cleaned_data["members"],
            ):
                messages.success(request, "Les présences sont enregistrées.")
                return redirect("cigales:meeting", meeting.pk)
        elif which == "close" and close_form.is_valid():
            if run_service(
                close_form,
                services.close_meeting,
                actor=request.user,
                meeting=meeting,
                notes=close_form.cleaned_data["notes"],
            ):
                messages.success(request, "Le procès-verbal est arrêté.")
                return redirect("cigales:meeting", meeting.pk)
        else:
            for item, form in vote_forms:
                if form is not None and which == f"item-{item.pk}" and form.is_valid():
                    outcome = run_service(
                        form,
                        services.record_votes,
                        actor=request.user,
                        item=item,
                        votes=form.votes(),
                    )
                    if outcome:
                        messages.success(
                            request,
                            f"« {item.title} » : {outcome.result.get_result_display().lower()}.",
                        )
                        return redirect("cigales:meeting", meeting.pk)
    return render(
        request,
        "cigales/meeting.html",
        {
            "meeting": meeting,
            "club": club,
            "can_edit": can_edit,
            "present": present,
            "attendance_form": attendance_form,
            "vote_forms": vote_forms,
            "close_form": close_form,
        },
    )


@login_required
def meeting_minutes_pdf(request, pk):
    meeting = _meeting_for(request, pk)
    items = list(
        meeting.items.prefetch_related("votes__member").select_related("project__organisation")
    )
    present = list(Member.objects.filter(attendances__meeting=meeting).order_by("name", "pk"))
    members = services.active_members(meeting.club, timezone.localdate(meeting.held_at)).count()
    content = render_pdf(
        "cigales/pdf/minutes.html",
        {
            "meeting": meeting,
            "club": meeting.club,
            "items": items,
            "present": present,
            "members": members,
        },
    )
    return pdf_response(f"proces-verbal-{meeting.held_at:%Y-%m-%d}.pdf", content)


# --- projects and investments ------------------------------------------------------------------


@login_required
def project_create(request, pk):
    club = _club_for(request, pk, edit=True)
    form = forms.ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = None
        siren = form.cleaned_data["siren"]
        if siren:
            organisation = Organisation.objects.filter(siren=siren).first()
            if organisation is None:
                form.add_error("siren", "Aucune structure de l'annuaire n'a ce SIREN.")
        if not form.errors:
            data = {k: form.cleaned_data[k] for k in services.PROJECT_FIELDS}
            outcome = run_service(
                form,
                services.propose_project,
                actor=request.user,
                club=club,
                data=data,
                organisation=organisation,
                new_organisation={"name": form.cleaned_data["new_name"]} if not siren else None,
            )
            if outcome:
                return redirect("cigales:project", outcome.result.pk)
    return render(
        request, "cigales/simple_form.html", _form_context(club, form, "Proposer un projet")
    )


def _project_for(request, pk, *, edit=False) -> Project:
    project = get_object_or_404(Project.objects.select_related("club", "organisation"), pk=pk)
    _club_for(request, project.club_id, edit=edit)
    return project


PROJECT_SERVICES = {
    "present": services.present_project,
    "agree": services.agree_project,
}


@login_required
def project(request, pk):
    project = _project_for(request, pk)
    club = project.club
    user = request.user
    can_edit = access.can_edit_club(user, club)
    me = access.member_of(user, club)
    is_mentor = me is not None and project.mentors.filter(pk=me.pk).exists()
    which = request.POST.get("form") if request.method == "POST" else None
    if which and not (can_edit or (is_mentor and which == "follow_up")):
        raise PermissionDenied("Seul le bureau du club modifie ce projet.")

    def bound(name, form_class, **kwargs):
        return form_class(request.POST if which == name else None, **kwargs)

    mentors_form = bound(
        "mentors", forms.MentorsForm, club=club, initial={"mentors": list(project.mentors.all())}
    )
    reason_form = bound("decline", forms.ReasonForm)
    investment_form = bound(
        "investment", forms.InvestmentForm, initial={"on": timezone.localdate()}
    )
    leverage_form = bound("leverage", forms.LeverageForm, initial={"on": timezone.localdate()})
    follow_up_form = bound("follow_up", forms.FollowUpForm, initial={"on": timezone.localdate()})
    if which in PROJECT_SERVICES:
        try:
            PROJECT_SERVICES[which](actor=user, project=project)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("cigales:project", project.pk)
    done = None
    if which == "decline" and reason_form.is_valid():
        done = run_service(
            reason_form,
            services.decline_project,
            actor=user,
            project=project,
            reason=reason_form.cleaned_data["reason"],
        )
    elif which == "mentors" and mentors_form.is_valid():
        done = run_service(
            mentors_form,
            services.set_mentors,
            actor=user,
            project=project,
            mentors=mentors_form.cleaned_data["mentors"],
        )
    elif which == "investment" and investment_form.is_valid():
        done = run_service(
            investment_form,
            services.record_investment,
            actor=user,
            project=project,
            **investment_form.cleaned_data,
        )
    elif which == "leverage" and leverage_form.is_valid():
        done = run_service(
            leverage_form,
            services.record_leverage,
            actor=user,
            project=project,
            **leverage_form.cleaned_data,
        )
    elif which == "follow_up" and follow_up_form.is_valid():
        done = run_service(
            follow_up_form,
            services.record_follow_up,
            actor=user,
            project=project,
            **follow_up_form.cleaned_data,
        )
    if done:
        messages.success(request, "C'est enregistré.")
        return redirect("cigales:project", project.pk)
    investments = list(project.investments.select_related("exit_record").order_by("on", "pk"))
    return render(
        request,
        "cigales/project.html",
        {
            "project": project,
            "club": club,
            "can_edit": can_edit,
            "is_mentor": is_mentor,
            "investments": investments,
            "leverages": list(project.leverages.all()),
            "follow_ups": list(project.follow_ups.select_related("author")),
            "agenda_items": list(
                project.agenda_items.select_related("meeting").order_by("-meeting__held_at")
            ),
            "mentors_form": mentors_form,
            "reason_form": reason_form,
            "investment_form": investment_form,
            "leverage_form": leverage_form,
            "follow_up_form": follow_up_form,
            "history": workflow.history(project),
            "can_present": can_edit and project.status == Project.Status.PROPOSED,
            "can_agree": can_edit and project.status == Project.Status.PRESENTED,
            "can_decline": can_edit
            and project.status in (Project.Status.PROPOSED, Project.Status.PRESENTED),
            "can_invest": can_edit
            and project.status in (Project.Status.AGREED, Project.Status.INVESTED)
            and club.is_open_to_money,
            "adopted": AgendaItem.Result.ADOPTED,
        },
    )


@login_required
def investment_exit(request, pk):
    investment = get_object_or_404(
        Investment.objects.select_related("project__organisation", "club"), pk=pk
    )
    club = _club_for(request, investment.club_id, edit=True)
    form = forms.ExitForm(request.POST or None, initial={"on": timezone.localdate()})
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            services.record_exit,
            actor=request.user,
            investment=investment,
            **form.cleaned_data,
        )
    ):
        messages.success(request, "La sortie est enregistrée et répartie entre les membres.")
        return redirect("cigales:project", investment.project_id)
    return render(
        request,
        "cigales/exit_form.html",
        {"club": club, "form": form, "investment": investment},
    )


# --- statements ----------------------------------------------------------------------------------


def _statement_member(request, pk) -> Member:
    member = get_object_or_404(Member.objects.select_related("club", "user"), pk=pk)
    own = member.user_id is not None and member.user_id == request.user.pk
    if not (
        own
        or access.can_edit_club(request.user, member.club)
        or access.sees_every_club(request.user)
    ):
        raise PermissionDenied(
            "Un relevé n'est ouvert qu'au membre, au bureau du club et à l'agence."
        )
    if not own:
        audit.record(actor=request.user, action="cigales.statement.read", target=member)
    return member


@login_required
def statement(request, pk, year):
    member = _statement_member(request, pk)
    return render(
        request,
        "cigales/statement.html",
        {"statement": selectors.statement(member, year), "club": member.club},
    )


@login_required
def statement_pdf(request, pk, year):
    member = _statement_member(request, pk)
    content = render_pdf(
        "cigales/pdf/statement.html",
        {"statement": selectors.statement(member, year), "club": member.club},
    )
    return pdf_response(f"releve-cigales-{year}.pdf", content)


# --- the pole's dashboard ----------------------------------------------------------------------


@require(access.sees_dashboard)
def dashboard(request):
    year = timezone.localdate().year
    return render(
        request,
        "cigales/dashboard.html",
        {
            "pole": selectors.pole_figures(),
            "year": year,
            "tables": [
                (indicator.label, indicator.compute(year)) for indicator in figures.INDICATORS
            ],
            "sees_clubs": access.sees_every_club(request.user),
            "is_agency": is_agency_member(request.user),
            "today": timezone.localdate(),
        },
    )
