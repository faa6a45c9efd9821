"""Pages of the insertion module. Participants' pages are for the SIAE's own staff only;
everything else shows aggregates under statistical secrecy."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from essor.core import formats, params
from essor.core.exports import (
    Sheet,
    csv_response,
    json_dumps,
    pdf_response,
    render_pdf,
    xlsx_response,
)
from essor.core.formats import counted, plural
from essor.core.forms import run_service
from essor.core.permissions import agency_required, is_agency_member, login_required
from essor.insertion import access, selectors, services
from essor.insertion.forms import (
    AnnexForm,
    BarrierForm,
    BarrierTypeForm,
    BarrierUpdateForm,
    ContractForm,
    EraseForm,
    ExitForm,
    HoursImportForm,
    IndicatorFilterForm,
    ParticipantForm,
    SiaeForm,
    TrainingForm,
)
from essor.insertion.models import Barrier, BarrierType, Contract, FinancialAnnex, Participant, Siae


def _siae(pk) -> Siae:
    return get_object_or_404(Siae.objects.select_related("organisation"), pk=pk)


def _staff_siae(request, pk) -> Siae:
    siae = _siae(pk)
    if not access.is_siae_staff(request.user, siae):
        raise PermissionDenied("Seule l'équipe de la SIAE voit ses salariés.")
    return siae


def _staff_participant(request, pk) -> Participant:
    participant = get_object_or_404(Participant.objects.select_related("siae__organisation"), pk=pk)
    if not access.is_siae_staff(request.user, participant.siae):
        raise PermissionDenied("Seule l'équipe de la SIAE voit ses salariés.")
    return participant


def _manageable_siae(request, pk) -> Siae:
    siae = _siae(pk)
    if not access.can_manage_siae(request.user, siae):
        raise PermissionDenied("Vous ne pouvez pas modifier cette SIAE.")
    return siae


# Home, SIAE and annexes -----------------------------------------------------------------------


@login_required
def home(request):
    if not access.may_use_module(request.user):
        raise PermissionDenied("Cet espace est réservé aux SIAE, à l'agence et aux financeurs.")
    siaes = access.aggregate_siaes(request.user).select_related("organisation")
    staff = access.staff_organisation_ids(request.user)
    return render(
        request,
        "insertion/home.html",
        {
            "siaes": siaes.order_by("organisation__name"),
            "staff_ids": staff,
            "is_agency": is_agency_member(request.user),
        },
    )


@agency_required
def siae_create(request):
    form = SiaeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = run_service(
            form,
            services.create_siae,
            actor=request.user,
            organisation=form.cleaned_data["organisation"],
            kind=form.cleaned_data["kind"],
            convention_reference=form.cleaned_data["convention_reference"],
            funders=list(form.cleaned_data["funders"]),
        )
        if created:
            messages.success(request, "La SIAE est enregistrée.")
            return redirect("insertion:siae_detail", pk=created.result.pk)
    return render(request, "insertion/form.html", {"form": form, "title": "Déclarer une SIAE"})


@agency_required
def barrier_types(request):
    """The configurable list of barriers: the agency adds types and withdraws them."""
    form = BarrierTypeForm(request.POST if "name" in request.POST else None)
    if request.method == "POST":
        if "toggle" in request.POST:
            barrier_type = params.object_or_404(BarrierType, request.POST["toggle"])
            services.set_barrier_type_active(
                actor=request.user, barrier_type=barrier_type, active=not barrier_type.is_active
            )
            messages.success(request, f"Le frein « {barrier_type.name} » est mis à jour.")
            return redirect("insertion:barrier_types")
        if form.is_valid() and run_service(
            form, services.add_barrier_type, actor=request.user, name=form.cleaned_data["name"]
        ):
            messages.success(request, "Le type de frein est ajouté.")
            return redirect("insertion:barrier_types")
    return render(
        request,
        "insertion/barrier_types.html",
        {"form": form, "barrier_types": BarrierType.objects.all()},
    )


@login_required
def siae_detail(request, pk):
    siae = _siae(pk)
    if not access.can_see_aggregates(request.user, siae):
        raise PermissionDenied("Vous n'avez pas accès à cette SIAE.")
    is_staff = access.is_siae_staff(request.user, siae)
    year = timezone.localdate().year
    data = selectors.compute_indicators(
        siaes=Siae.objects.filter(pk=siae.pk), year=year, secret=not is_staff
    )
    return render(
        request,
        "insertion/siae_detail.html",
        {
            "siae": siae,
            "annexes": siae.annexes.select_related("amends").order_by("-start", "number"),
            "funders": siae.funders.order_by("name"),
            "is_staff": is_staff,
            "can_manage": access.can_manage_siae(request.user, siae),
            "data": data,
            "year": year,
        },
    )


@login_required
def siae_edit(request, pk):
    siae = _manageable_siae(request, pk)
    form = SiaeForm(request.POST or None, instance=siae, creating=False)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            services.update_siae,
            actor=request.user,
            siae=siae,
            kind=form.cleaned_data["kind"],
            convention_reference=form.cleaned_data["convention_reference"],
            funders=list(form.cleaned_data["funders"]),
        )
    ):
        messages.success(request, "La SIAE est mise à jour.")
        return redirect("insertion:siae_detail", pk=siae.pk)
    return render(
        request,
        "insertion/form.html",
        {"form": form, "title": f"Modifier la SIAE {siae.organisation.name}", "siae": siae},
    )


def _annex_form_view(request, siae: Siae, annex: FinancialAnnex | None):
    form = AnnexForm(request.POST or None, instance=annex, siae=siae)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            services.save_annex,
            actor=request.user,
            siae=siae,
            data={name: form.cleaned_data[name] for name in form.Meta.fields},
            annex=annex,
        )
    ):
        messages.success(request, "L'annexe financière est enregistrée.")
        return redirect("insertion:siae_detail", pk=siae.pk)
    title = f"Annexe {annex.number}" if annex else "Nouvelle annexe financière"
    return render(request, "insertion/form.html", {"form": form, "title": title, "siae": siae})


@login_required
def annex_create(request, pk):
    return _annex_form_view(request, _manageable_siae(request, pk), None)


@login_required
def annex_edit(request, pk):
    annex = get_object_or_404(FinancialAnnex, pk=pk)
    siae = _manageable_siae(request, annex.siae_id)
    # A bound ModelForm mutates its instance: work on a fresh copy.
    return _annex_form_view(request, siae, FinancialAnnex.objects.get(pk=annex.pk))


# Participants (SIAE staff only) -----------------------------------------------------------------


@login_required
def participant_list(request, pk):
    siae = _staff_siae(request, pk)
    status = request.GET.get("statut", "")
    if status not in selectors.PARTICIPANT_STATUSES:
        status = ""
    services.log_list_read(actor=request.user, siae=siae, what="Liste des salariés")
    return render(
        request,
        "insertion/participant_list.html",
        {
            "siae": siae,
            "participants": selectors.participants_of(siae, status),
            "statuses": selectors.PARTICIPANT_STATUSES.items(),
            "status": status,
        },
    )


@login_required
def participant_create(request, pk):
    siae = _staff_siae(request, pk)
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = run_service(
            form, services.create_participant, actor=request.user, siae=siae, data=form.cleaned_data
        )
        if created:
            messages.success(request, f"Le salarié {created.result.code} est enregistré.")
            return redirect("insertion:participant_detail", pk=created.result.pk)
    return render(
        request,
        "insertion/form.html",
        {"form": form, "title": "Nouveau salarié en insertion", "siae": siae},
    )


@login_required
def participant_detail(request, pk):
    participant = _staff_participant(request, pk)
    record = selectors.participant_record(participant.pk)
    services.log_participant_read(actor=request.user, participant=record)
    return render(
        request,
        "insertion/participant_detail.html",
        {
            "participant": record,
            "siae": record.siae,
            "exit": getattr(record, "exit", None) if hasattr(record, "exit") else None,
            "is_admin": access.is_siae_admin(request.user, record.siae),
        },
    )


@login_required
def participant_edit(request, pk):
    participant = _staff_participant(request, pk)
    if participant.anonymised_at:
        raise PermissionDenied("Ce salarié a été anonymisé.")
    form = ParticipantForm(request.POST or None, instance=Participant.objects.get(pk=pk))
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            services.update_participant,
            actor=request.user,
            participant=participant,
            data=form.cleaned_data,
        )
    ):
        messages.success(request, "La fiche est mise à jour.")
        return redirect("insertion:participant_detail", pk=participant.pk)
    services.log_participant_read(actor=request.user, participant=participant, what="modification")
    return render(
        request,
        "insertion/form.html",
        {"form": form, "title": f"Modifier la fiche {participant.code}", "siae": participant.siae},
    )


def _participant_action(request, pk, form_class, title, action, success):
    participant = _staff_participant(request, pk)
    if participant.anonymised_at:
        raise PermissionDenied("Ce salarié a été anonymisé.")
    form = form_class(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(form, action, participant=participant, data=form.cleaned_data)
    ):
        messages.success(request, success)
        return redirect("insertion:participant_detail", pk=participant.pk)
    return render(
        request,
        "insertion/form.html",
        {"form": form, "title": f"{title} — {participant.code}", "siae": participant.siae},
    )


@login_required
def contract_create(request, pk):
    return _participant_action(
        request,
        pk,
        ContractForm,
        "Nouveau contrat",
        lambda participant, data: services.add_contract(
            actor=request.user, participant=participant, **data
        ),
        "Le contrat est enregistré.",
    )


@login_required
def contract_edit(request, pk):
    contract = get_object_or_404(Contract, pk=pk)
    participant = _staff_participant(request, contract.participant_id)
    if participant.anonymised_at:
        raise PermissionDenied("Ce salarié a été anonymisé.")
    initial = {"start": contract.start, "end": contract.end, "weekly_hours": contract.weekly_hours}
    form = ContractForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            services.update_contract,
            actor=request.user,
            contract=contract,
            **form.cleaned_data,
        )
    ):
        messages.success(request, "Le contrat est mis à jour.")
        return redirect("insertion:participant_detail", pk=participant.pk)
    return render(
        request,
        "insertion/form.html",
        {
            "form": form,
            "title": f"Modifier le contrat du {formats.long_date(contract.start)} — {participant.code}",
            "siae": participant.siae,
        },
    )


@login_required
def exit_record(request, pk):
    return _participant_action(
        request,
        pk,
        ExitForm,
        "Sortie du parcours",
        lambda participant, data: services.record_exit(
            actor=request.user, participant=participant, **data
        ),
        "La sortie est enregistrée.",
    )


@login_required
def barrier_create(request, pk):
    return _participant_action(
        request,
        pk,
        BarrierForm,
        "Frein et accompagnement",
        lambda participant, data: services.add_barrier(
            actor=request.user, participant=participant, data=data
        ),
        "Le frein est enregistré.",
    )


@login_required
def barrier_edit(request, pk):
    barrier = get_object_or_404(Barrier.objects.select_related("barrier_type"), pk=pk)
    participant = _staff_participant(request, barrier.participant_id)
    if participant.anonymised_at:
        raise PermissionDenied("Ce salarié a été anonymisé.")
    form = BarrierUpdateForm(request.POST or None, instance=Barrier.objects.get(pk=pk))
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            services.update_barrier,
            actor=request.user,
            barrier=barrier,
            data=form.cleaned_data,
        )
    ):
        messages.success(request, "Le frein est mis à jour.")
        return redirect("insertion:participant_detail", pk=participant.pk)
    return render(
        request,
        "insertion/form.html",
        {
            "form": form,
            "title": f"Frein « {barrier.barrier_type.name} » — {participant.code}",
            "siae": participant.siae,
        },
    )


@login_required
def training_create(request, pk):
    return _participant_action(
        request,
        pk,
        TrainingForm,
        "Nouvelle formation",
        lambda participant, data: services.add_training(
            actor=request.user, participant=participant, data=data
        ),
        "La formation est enregistrée.",
    )


@login_required
def participant_export(request, pk):
    """Right of access: everything held on the person, in JSON or XLSX."""
    participant = _staff_participant(request, pk)
    record = selectors.participant_record(participant.pk)
    data = selectors.participant_data(record)
    services.log_participant_read(
        actor=request.user, participant=record, what="export (droit d'accès)"
    )
    if request.GET.get("format") == "json":
        response = HttpResponse(json_dumps(data, indent=2), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{participant.code}.json"'
        return response
    scalar = [[key, value] for key, value in data.items() if not isinstance(value, list | dict)]
    sheets = [Sheet("Fiche", ["Donnée", "Valeur"], scalar)]
    for key, title in (
        ("contrats", "Contrats"),
        ("freins", "Freins"),
        ("formations", "Formations"),
        ("heures_mensuelles", "Heures"),
    ):
        rows = data[key]
        headers = list(rows[0]) if rows else ["(aucune donnée)"]
        sheets.append(Sheet(title, headers, [list(row.values()) for row in rows]))
    if data["sortie"]:
        sheets.append(Sheet("Sortie", list(data["sortie"]), [list(data["sortie"].values())]))
    return xlsx_response(f"{participant.code}.xlsx", sheets)


@login_required
@require_http_methods(["GET", "POST"])
def participant_erase(request, pk):
    participant = _staff_participant(request, pk)
    if not access.is_siae_admin(request.user, participant.siae):
        raise PermissionDenied("Seuls les administrateurs de la SIAE peuvent effacer une fiche.")
    form = EraseForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            services.erase_participant,
            actor=request.user,
            participant=participant,
            reason=form.cleaned_data["reason"],
        )
    ):
        messages.success(
            request,
            f"Les données personnelles de {participant.code} sont effacées ; seuls restent "
            "des faits anonymes comptés dans les indicateurs.",
        )
        return redirect("insertion:participant_list", pk=participant.siae_id)
    return render(
        request,
        "insertion/erase.html",
        {"form": form, "participant": participant, "siae": participant.siae},
    )


# Hours ----------------------------------------------------------------------------------------


def _month_param(value: str | None) -> datetime.date:
    today = timezone.localdate()
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return today.replace(day=1)


@login_required
def hours_month(request, pk):
    siae = _staff_siae(request, pk)
    month = _month_param(request.POST.get("mois") or request.GET.get("mois"))
    participants = selectors.participants_in_month(siae, month)
    errors: dict[str, str] = {}
    values: dict[int, str] = {}
    if request.method == "POST":
        parsed = {}
        for participant in participants:
            raw = request.POST.get(f"heures_{participant.pk}", "").strip()
            values[participant.pk] = raw
            if raw == "":
                parsed[participant.pk] = None
                continue
            number = services._parse_hours(raw)
            if number is None:
                errors[str(participant.pk)] = f"« {raw} » n'est pas un nombre d'heures."
            else:
                parsed[participant.pk] = number
        if not errors:
            try:
                count = services.save_month_hours(
                    actor=request.user, siae=siae, month=month, hours=parsed
                )
            except ValidationError as error:
                errors = {key: " ".join(value) for key, value in error.message_dict.items()}
            else:
                if count:
                    messages.success(
                        request,
                        f"{counted(count, 'ligne')} d'heures {plural(count, 'enregistrée')}.",
                    )
                else:
                    messages.info(
                        request, "Aucune modification : ces heures étaient déjà enregistrées."
                    )
                return redirect(f"{request.path}?mois={month:%Y-%m}")
    spans = services.contract_spans(siae.pk)
    rows = [
        {
            "participant": participant,
            # 48 hours a week over the days of the month the person's contracts cover.
            "maximum": services.hours_capacity(
                services.covered_days(spans.get(participant.pk, []), month)[0]
            ),
            "value": values.get(
                participant.pk,
                ""
                if participant.month_hours is None
                else formats.number(participant.month_hours, 2),
            ),
            "error": errors.get(str(participant.pk)),
        }
        for participant in participants
    ]
    services.log_list_read(
        actor=request.user,
        siae=siae,
        what=f"Heures de {formats.month_label(month.year, month.month)}",
    )
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "insertion/hours_month.html",
        {
            "siae": siae,
            "month": month,
            "month_label": formats.month_label(month.year, month.month),
            "rows": rows,
            "errors": errors,
            "previous": previous,
            "following": following,
        },
    )


@login_required
def hours_template(request, pk):
    """A CSV to fill in: the participants under contract in the month, hours already entered."""
    siae = _staff_siae(request, pk)
    month = _month_param(request.GET.get("mois"))
    participants = selectors.participants_in_month(siae, month)
    services.log_list_read(actor=request.user, siae=siae, what="Modèle CSV des heures")
    rows = [
        [
            p.code,
            f"{month:%Y-%m}",
            "" if p.month_hours is None else formats.number(p.month_hours, 2),
        ]
        for p in participants
    ]
    return csv_response(f"heures-{month:%Y-%m}.csv", list(services.HOURS_CSV_COLUMNS), rows)


@login_required
def hours_import(request, pk):
    siae = _staff_siae(request, pk)
    form = HoursImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.import_hours_csv(
            actor=request.user, siae=siae, content=form.cleaned_data["file"].read()
        )
        if not result.errors:
            messages.success(request, result.summary)
            return redirect("insertion:siae_detail", pk=siae.pk)
    return render(
        request, "insertion/hours_import.html", {"siae": siae, "form": form, "result": result}
    )


# Indicators -----------------------------------------------------------------------------------


def _indicator_context(request):
    if not access.may_use_module(request.user):
        raise PermissionDenied(
            "Les indicateurs de l'insertion sont réservés aux SIAE, à l'agence et aux financeurs."
        )
    today = timezone.localdate()
    scope = access.aggregate_siaes(request.user)
    staff = access.staff_organisation_ids(request.user)
    form = IndicatorFilterForm(
        request.GET or None,
        siaes=scope,
        today=today,
        by_commune=is_agency_member(request.user) or bool(staff),
    )
    year, siaes, commune = today.year, scope, None
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["year"]
        if form.cleaned_data["kind"]:
            siaes = siaes.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["siae"]:
            siaes = siaes.filter(pk=form.cleaned_data["siae"].pk)
        commune = form.cleaned_data.get("commune")
    # Names are the staff's business: a set of their own SIAE only is shown without secrecy.
    secret = not staff or siaes.exclude(organisation_id__in=staff).exists() or not siaes.exists()
    if commune and not selectors.commune_view_allowed(siaes=siaes, secret=secret):
        form.add_error("commune", selectors.COMMUNE_NOT_PUBLISHED)
        commune = None
    data = selectors.compute_indicators(
        siaes=siaes, year=year, commune_id=commune.pk if commune else None, secret=secret
    )
    return form, data, year


@login_required
def indicators(request):
    form, data, year = _indicator_context(request)
    return render(
        request,
        "insertion/indicators.html",
        {
            "form": form,
            "data": data,
            "year": year,
            "query": request.GET.urlencode(),
            "exit_labels": [label for _, label, _ in data.exits],
            "exit_values": [count for _, _, count in data.exits],
            "month_labels": selectors.MONTH_ABBREVIATIONS,
            "tables": {
                "exits": selectors.exits_table(data),
                "profile": selectors.profile_table(data),
                "barriers": selectors.barriers_table(data),
                "by_kind": selectors.breakdown_table(data.by_kind, "Type de SIAE"),
                "by_siae": selectors.breakdown_table(data.by_siae, "SIAE"),
            },
            "fte_series": {
                "ETP conventionnés": [m["conventioned"] for m in data.months],
                "ETP travaillés": [m["worked"] for m in data.months],
            },
            "profile_labels": [p["label"] for p in data.profile],
            "profile_values": [p["share"] for p in data.profile],
        },
    )


@login_required
def indicators_xlsx(request):
    _, data, year = _indicator_context(request)
    sheets = [
        Sheet(title, table.columns, table.rows, note=table.note)
        for title, table in selectors.all_tables(data, with_siaes=True)
    ]
    return xlsx_response(f"insertion-indicateurs-{year}.xlsx", sheets)


@login_required
def report_pdf(request, pk, year):
    siae = _siae(pk)
    if not access.can_see_aggregates(request.user, siae):
        raise PermissionDenied("Vous n'avez pas accès à cette SIAE.")
    is_staff = access.is_siae_staff(request.user, siae)
    data = selectors.compute_indicators(
        siaes=Siae.objects.filter(pk=siae.pk), year=year, secret=not is_staff
    )
    content = render_pdf(
        "insertion/report_pdf.html",
        {
            "siae": siae,
            "year": year,
            "data": data,
            "annexes": siae.annexes.filter(
                start__lte=datetime.date(year, 12, 31), end__gte=datetime.date(year, 1, 1)
            ),
            # The monthly FTE table is drawn first, with its highlighted gaps.
            "tables": [
                (title, table)
                for title, table in selectors.all_tables(data, with_siaes=False)
                if title != "ETP par mois"
            ],
            "generated": timezone.localdate(),
        },
    )
    return pdf_response(f"rapport-insertion-{siae.pk}-{year}.pdf", content)
