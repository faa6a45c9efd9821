"""The « passeport des solidarités »: the visitors' pages (no account, no JavaScript needed), the
stands' kiosk page, the draw; and the agency's pages for the QR codes and the draw."""

import datetime

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from essor.core.exports import pdf_response, render_pdf
from essor.core.forms import add_service_errors, run_service
from essor.core.page_cache import public_page
from essor.core.permissions import agency_required, login_required
from essor.village import forms, selectors, services, stamps
from essor.village.models import Edition, ExhibitorApplication, Passport, Stand, StandKey

PASSPORT_COOKIE = "village_passeport"
PASSPORT_SALT = "essor.village.passport"
PASSPORT_COOKIE_DAYS = 7


def _passport_of(request, edition: Edition | None) -> Passport | None:
    code = request.get_signed_cookie(PASSPORT_COOKIE, default=None, salt=PASSPORT_SALT)
    if not code or edition is None:
        return None
    return Passport.objects.filter(edition=edition, code=code).first()


def _keep(response, passport: Passport):
    response.set_signed_cookie(
        PASSPORT_COOKIE,
        passport.code,
        salt=PASSPORT_SALT,
        max_age=PASSPORT_COOKIE_DAYS * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _safe_next(request) -> str:
    """Where to go once the passport is made: a path of this site (the stand's page the visitor
    came from), never another site nor a view name."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return reverse("village:passport")


def passport(request):
    """The visitor's passport: get one, find it again with its code, see its stamps, enter the
    draw."""
    edition = selectors.current_edition()
    if edition is None:
        raise Http404("Aucun Village des solidarités n'est annoncé.")
    current = _passport_of(request, edition)
    code_form = forms.PassportCodeForm(
        request.POST if request.POST.get("action") == "find" else None
    )
    draw = services.draw_of(edition)
    entry_form = forms.DrawEntryForm(request.POST if request.POST.get("action") == "draw" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "new":
            try:
                current = services.new_passport(edition=edition)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("village:passport")
            messages.success(
                request,
                f"Voici votre passeport : notez son code, {current.display_code}, pour le "
                "retrouver sur un autre téléphone.",
            )
            return _keep(HttpResponseRedirect(_safe_next(request)), current)
        if action == "find" and code_form.is_valid():
            found = run_service(
                code_form,
                services.find_passport,
                edition=edition,
                code=code_form.cleaned_data["code"],
            )
            if found:
                messages.success(request, "Passeport retrouvé.")
                return _keep(redirect("village:passport"), found.result)
        if (
            action == "draw"
            and current is not None
            and entry_form.is_valid()
            and run_service(
                entry_form,
                services.enter_draw,
                passport=current,
                first_name=entry_form.cleaned_data["first_name"],
                contact=entry_form.cleaned_data["contact"],
                consent=entry_form.cleaned_data["consent"],
            )
        ):
            messages.success(request, "Vous participez au tirage au sort. Bonne chance !")
            return redirect("village:passport")
    context = {
        "edition": edition,
        "passport": current,
        "code_form": code_form,
        "event_on": services.event_is_on(edition),
        "draw": draw,
    }
    if current is not None:
        stamped = list(current.stamps.select_related("stand__zone").order_by("stamped_at"))
        context |= {
            "stamped": stamped,
            "entered": hasattr(current, "entry"),
            "entry_form": entry_form,
            "may_enter": len(stamped) >= draw.stamps_needed and draw.entries_frozen_at is None,
        }
    return render(request, "village/passport.html", context)


def stamp(request, stand_pk, token):
    """What a stand's QR code opens: its question, then the stamp and the right answer. The
    busiest page of the Village (thousands of visitors within hours): the stand, its keys, its
    question and its exhibitor come in one query."""
    holders = ExhibitorApplication.objects.filter(
        status__in=selectors.SHOWN_TO_THE_PUBLIC
    ).select_related("organisation")
    stand = get_object_or_404(
        Stand.objects.select_related("edition", "zone", "key", "question").prefetch_related(
            Prefetch("applications", queryset=holders, to_attr="holders")
        ),
        pk=stand_pk,
    )
    if not hasattr(stand, "key"):
        services.key_of(stand)
    current = _passport_of(request, stand.edition)
    question = getattr(stand, "question", None)
    form = forms.AnswerForm(request.POST or None, question=question) if question else None
    refusal = ""
    done = None
    if current is None:
        try:
            stamps.check(stand, token)
        except stamps.TokenRefused as error:
            refusal = str(error)
    elif request.method == "POST":
        if form is None or form.is_valid():
            try:
                done = services.stamp(
                    passport=current,
                    stand=stand,
                    token=token,
                    answer=form.cleaned_data["answer"] if form else None,
                    question=question,
                )
            except ValidationError as error:
                if form is not None and hasattr(error, "error_dict"):
                    add_service_errors(form, error)
                else:
                    refusal = " ".join(error.messages)
    else:
        refusal = _refusal_before_asking(current, stand, token)
    return render(
        request,
        "village/stamp.html",
        {
            "stand": stand,
            "exhibitor": stand.holders[0].organisation.name if stand.holders else "",
            "passport": current,
            "question": question,
            "form": form,
            "refusal": refusal,
            "done": done,
            "stamp_count": current.stamps.count() if done else 0,
            "here": request.get_full_path(),
        },
    )


def _refusal_before_asking(passport, stand, token) -> str:
    try:
        services.check_stamp(passport=passport, stand=stand, token=token)
    except ValidationError as error:
        return " ".join(error.messages)
    if passport.stamps.filter(stand=stand).exists():
        return "Votre passeport porte déjà le tampon de ce stand."
    return ""


def _qr_svg(url: str, label: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=6, title=label)
    return mark_safe(svg)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def kiosk(request, key):
    """The page an unattended tablet shows on a stand: a QR code renewed every KIOSK_REFRESH
    seconds (the page reloads itself; no JavaScript), reached by a link the agency can revoke."""
    stand_key = get_object_or_404(
        StandKey.objects.select_related("stand__zone", "stand__edition"), kiosk_key=key
    )
    stand = stand_key.stand
    url = _absolute(reverse("village:stamp", args=[stand.pk, stamps.rotating_token(stand)]))
    response = render(
        request,
        "village/kiosk.html",
        {
            "stand": stand,
            "qr": _qr_svg(url, f"QR code du stand {stand.number}"),
            "refresh": stamps.KIOSK_REFRESH,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@public_page("village")
def draw_public(request):
    edition = selectors.current_edition()
    if edition is None:
        raise Http404("Aucun Village des solidarités n'est annoncé.")
    draw = services.draw_of(edition)
    codes = []
    if draw.entries_frozen_at is not None:
        codes = sorted(edition.passports.filter(entry__isnull=False).values_list("code", flat=True))
    return render(request, "village/draw.html", {"edition": edition, "draw": draw, "codes": codes})


# --- Agency ------------------------------------------------------------------------------------


@agency_required
def draw_manage(request, pk):
    edition = get_object_or_404(Edition, pk=pk)
    draw = services.draw_of(edition)
    posted = request.POST.get("form") if request.method == "POST" else None
    settings_form = forms.DrawSettingsForm(
        request.POST if posted == "settings" else None, instance=draw
    )
    check_form = forms.WinnerCheckForm(request.POST if posted == "check" else None)
    winner = checked = None
    if posted == "settings" and settings_form.is_valid():
        if draw.entries_frozen_at is not None:
            settings_form.add_error(None, "La liste est arrêtée : les règles ne changent plus.")
        else:
            settings_form.save()
            messages.success(request, "Règles du tirage enregistrées.")
            return redirect("village:draw_manage", pk=pk)
    elif posted in ("freeze", "run"):
        service = services.freeze_entries if posted == "freeze" else services.run_draw
        try:
            service(edition=edition, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "C'est fait : la page publique du tirage est à jour.")
        return redirect("village:draw_manage", pk=pk)
    elif posted == "check" and check_form.is_valid():
        checked = services.normalise_code(check_form.cleaned_data["code"])
        winner = services.winner_details(edition=edition, code=checked, actor=request.user)
    entries = edition.passports.filter(entry__isnull=False).count()
    return render(
        request,
        "village/draw_manage.html",
        {
            "edition": edition,
            "draw": draw,
            "entries": entries,
            "settings_form": settings_form,
            "check_form": check_form,
            "checked": checked,
            "winner": winner,
        },
    )


def day_codes_context(edition: Edition, day: datetime.date) -> dict:
    """The entrance's QR code (to get a passport), then one per stand valid that day."""
    codes = []
    for placed in selectors.plan(edition):
        services.key_of(placed.stand)
        url = _absolute(
            reverse("village:stamp", args=[placed.stand.pk, stamps.day_token(placed.stand, day)])
        )
        codes.append((placed, _qr_svg(url, f"QR code du stand {placed.stand.number}")))
    entrance = _qr_svg(_absolute(reverse("village:passport")), "QR code du passeport, à l’entrée")
    return {"edition": edition, "day": day, "codes": codes, "entrance": entrance}


@agency_required
def day_codes_pdf(request, pk):
    """For the day: the entrance's QR code, and for stands without a screen one QR code per
    stand, valid for the day printed on it."""
    edition = get_object_or_404(Edition, pk=pk)
    try:
        day = datetime.date.fromisoformat(request.GET.get("jour", ""))
    except ValueError:
        day = timezone.localdate()
    if not edition.starts_on <= day <= edition.ends_on:
        day = edition.starts_on
    content = render_pdf("village/pdf/day_codes.html", day_codes_context(edition, day))
    return pdf_response(f"qr-codes-{day.isoformat()}.pdf", content)


@require_POST
@agency_required
def renew_keys(request, stand_pk):
    stand = get_object_or_404(Stand, pk=stand_pk)
    services.renew_stand_keys(stand=stand, actor=request.user)
    messages.success(
        request,
        f"{stand} : nouveaux QR codes et nouveau lien de borne ; les anciens ne marchent plus.",
    )
    return redirect("village:edition_manage", pk=stand.edition_id)


@login_required
def question_edit(request, stand_pk):
    """The stand's question: the agency, or the exhibitor holding the stand, writes it."""
    stand = get_object_or_404(Stand.objects.select_related("edition", "zone"), pk=stand_pk)
    question = getattr(stand, "question", None) if hasattr(stand, "question") else None
    if not services.may_write_question(stand, request.user):
        raise PermissionDenied("Seuls l'agence et l'exposant du stand écrivent sa question.")
    form = forms.QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if run_service(form, services.set_question, stand=stand, actor=request.user, data=data):
            messages.success(request, "Question enregistrée.")
            return redirect("village:question_edit", stand_pk=stand.pk)
    return render(request, "village/question_form.html", {"stand": stand, "form": form})
