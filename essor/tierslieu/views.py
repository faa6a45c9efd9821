"""Pages of the third places: the public list and availability, a member's bookings and invoices,
the manager's desk (bookings of the day, members, solidarity prices, invoices)."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from essor.core import audit, params
from essor.core.exports import csv_response, pdf_response
from essor.core.formats import local_datetime, month_label
from essor.core.forms import run_service
from essor.core.page_cache import public_page
from essor.core.permissions import login_required
from essor.tierslieu import access, einvoice, forms, selectors, selectors_creche, services
from essor.tierslieu.models import Booking, Invoice, Member, Place, SolidarityGrant, Space


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


def _place(slug) -> Place:
    return get_object_or_404(Place.objects.select_related("organisation", "commune"), slug=slug)


def _managed_place(request, slug) -> Place:
    place = _place(slug)
    if not access.manages_place(place, request.user):
        raise PermissionDenied("Seuls les gestionnaires du lieu ont accès à cette page.")
    return place


def _public_place(request, slug) -> Place:
    place = _place(slug)
    if not place.is_public and not access.manages_place(place, request.user):
        raise Http404("Ce lieu ne publie pas ses disponibilités.")
    return place


def _month(request) -> tuple[int, int]:
    today = timezone.localdate()
    raw = request.GET.get("mois", "")
    try:
        chosen = datetime.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return today.year, today.month
    if not 2000 <= chosen.year <= 2100:
        return today.year, today.month
    return chosen.year, chosen.month


def _shift(year: int, month: int, months: int) -> str:
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


# --- public ----------------------------------------------------------------------------------


@public_page("tierslieu", "directory")
def home(request):
    return render(request, "tierslieu/home.html", {"places": list(selectors.public_places())})


@public_page("tierslieu", "directory")
def place(request, slug):
    place = _public_place(request, slug)
    return render(
        request,
        "tierslieu/place.html",
        {
            "place": place,
            "spaces": selectors.tree(selectors.place_spaces(place)),
            "hours": list(place.opening_hours.all()),
            "closures": list(
                place.closures.filter(ends_on__gte=timezone.localdate()).order_by("starts_on")[:10]
            ),
            "member": selectors.member_of(request.user, place),
            "manager": access.manages_place(place, request.user),
            "cafe": selectors_creche.cafe_counter(place),
            "suppliers": list(place.cafe_suppliers.select_related("organisation")),
        },
    )


@public_page("tierslieu", "directory")
def availability(request, slug, pk):
    place = _public_place(request, slug)
    space = get_object_or_404(Space, pk=pk, place=place, is_bookable=True)
    space.place = place
    member = selectors.member_of(request.user, place)
    manager = access.manages_place(place, request.user)
    form = None
    if manager:
        form = forms.OutsiderBookingForm()
    elif member is not None:
        form = forms.BookingForm()
    return _grid_page(request, place, space, form=form, member=member, manager=manager)


def _grid_page(request, place, space, *, form, member, manager, status=200):
    """A space's month of slots, with the booking form of who may book it."""
    year, month = _month(request)
    return render(
        request,
        "tierslieu/availability.html",
        {
            "place": place,
            "space": space,
            "days": selectors.month_grid(space, year, month),
            "month_label": month_label(year, month),
            "previous_month": _shift(year, month, -1),
            "next_month": _shift(year, month, 1),
            "form": form,
            "member": member,
            "manager": manager,
        },
        status=status,
    )


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Essor//Tiers-lieux//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def _event(booking: Booking, summary: str, location: str) -> Event:
    event = Event()
    host = settings.SITE_URL.split("://")[-1].strip("/") if settings.SITE_URL else "essor"
    event.add("uid", f"{booking.uid}@{host}")
    event.add("dtstamp", booking.created_at)
    event.add("dtstart", local_datetime(booking.starts_at))
    event.add("dtend", local_datetime(booking.ends_at))
    event.add("summary", summary)
    event.add("location", location)
    return event


def _ics_response(calendar: Calendar, filename: str) -> HttpResponse:
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@public_page("tierslieu", "directory")
def space_calendar(request, slug, pk):
    """The space's busy times, without anyone's name (public)."""
    place = _public_place(request, slug)
    space = get_object_or_404(Space, pk=pk, place=place)
    calendar = _calendar(f"{space.name} — {place.name}")
    since = timezone.now() - datetime.timedelta(days=31)
    for booking in Booking.objects.filter(
        space=space, status=Booking.Status.CONFIRMED, ends_at__gte=since
    ).order_by("starts_at"):
        calendar.add_component(_event(booking, f"{space.name} : réservé", place.name))
    return _ics_response(calendar, f"{place.slug}-{space.pk}.ics")


def member_calendar(request, token):
    """A member's own bookings; the secret address is the key (calendar apps do not log in)."""
    member = get_object_or_404(Member.objects.select_related("place"), calendar_token=token)
    calendar = _calendar(f"Mes réservations — {member.place.name}")
    since = timezone.now() - datetime.timedelta(days=31)
    for booking in (
        Booking.objects.filter(member=member, status=Booking.Status.CONFIRMED, ends_at__gte=since)
        .select_related("space")
        .order_by("starts_at")
    ):
        calendar.add_component(_event(booking, booking.space.name, member.place.name))
    return _ics_response(calendar, "mes-reservations.ics")


# --- members ---------------------------------------------------------------------------------


@login_required
def mine(request):
    memberships = list(selectors.memberships(request.user))
    rows = [
        {
            "member": member,
            "upcoming": list(selectors.member_bookings(member)[:50]),
            "invoices": list(selectors.member_invoices(member)[:24]),
        }
        for member in memberships
    ]
    return render(
        request,
        "tierslieu/mine.html",
        {"rows": rows, "managed": list(access.managed_places(request.user))},
    )


@login_required
@require_POST
def book(request, slug, pk):
    place = _place(slug)
    space = get_object_or_404(Space, pk=pk, place=place)
    space.place = place
    manager = access.manages_place(place, request.user)
    member = selectors.member_of(request.user, place)
    if not manager and member is None:
        raise PermissionDenied("Seuls les membres du lieu réservent en ligne.")
    form = (forms.OutsiderBookingForm if manager else forms.BookingForm)(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        wanted = data["starts_at"]  # a refused field leaves cleaned_data
        outcome = run_service(
            form,
            services.book,
            space=space,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            actor=request.user,
            member=None if manager else member,
            outsider_name=data.get("outsider_name", ""),
            outsider_email=data.get("outsider_email", ""),
        )
        if outcome:
            booking = outcome.result
            messages.success(
                request,
                f"« {space.name} » est réservé le {local_datetime(booking.starts_at):%d/%m/%Y} "
                f"de {local_datetime(booking.starts_at):%H:%M} à "
                f"{local_datetime(booking.ends_at):%H:%M}.",
            )
            return redirect("tierslieu:mine" if not manager else "tierslieu:manage", *(
                [] if not manager else [place.slug]
            ))  # fmt: skip
        if form.has_error("starts_at", code=services.TAKEN):
            # Someone booked first: back to the month's grid, which shows the slot taken.
            for message in form.errors["starts_at"]:
                messages.error(request, message)
            day = local_datetime(wanted)
            url = reverse("tierslieu:availability", args=[place.slug, space.pk])
            return HttpResponseSeeOther(f"{url}?mois={day:%Y-%m}")
    return _grid_page(request, place, space, form=form, member=member, manager=manager, status=400)


@login_required
@require_POST
def cancel(request, pk):
    booking = get_object_or_404(Booking.objects.select_related("place", "member", "space"), pk=pk)
    manager = access.manages_place(booking.place, request.user)
    if not manager and (booking.member is None or booking.member.user_id != request.user.pk):
        raise PermissionDenied("Vous ne pouvez annuler que vos propres réservations.")
    form = forms.CancelForm(request.POST)
    form.is_valid()
    try:
        services.cancel_booking(
            booking=booking,
            actor=request.user,
            waive_fee=manager and form.cleaned_data.get("waive_fee", False),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        fee = booking.cancellation_fee
        messages.success(
            request,
            "Réservation annulée"
            + (f" ; des frais d'annulation tardive de {fee} € HT seront facturés." if fee else "."),
        )
    if manager:
        return redirect("tierslieu:manage", booking.place.slug)
    return redirect("tierslieu:mine")


@login_required
def solidarity_request(request, slug):
    place = _place(slug)
    member = selectors.member_of(request.user, place)
    if member is None:
        raise PermissionDenied("Seuls les membres du lieu demandent le tarif solidaire.")
    form = forms.SolidarityRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(
            form,
            services.request_solidarity_price,
            member=member,
            actor=request.user,
            profile=form.cleaned_data["profile"],
            proof=form.cleaned_data["proof"],
        )
        if outcome:
            messages.success(request, "Votre demande est transmise au gestionnaire du lieu.")
            return redirect("tierslieu:mine")
    return render(request, "tierslieu/solidarity_request.html", {"place": place, "form": form})


def _invoice_for(request, pk) -> tuple[Invoice, bool]:
    invoice = get_object_or_404(
        Invoice.objects.select_related("place", "member", "corrects", "place__organisation"), pk=pk
    )
    manager = access.manages_place(invoice.place, request.user)
    own = invoice.member is not None and invoice.member.user_id == request.user.pk
    if not manager and not own:
        raise PermissionDenied("Vous n'avez pas accès à cette facture.")
    if manager and not own and invoice.member_id:
        audit.record(actor=request.user, action="tierslieu.invoice.read", target=invoice)
    return invoice, manager


@login_required
def invoice(request, pk):
    invoice, manager = _invoice_for(request, pk)
    return render(
        request,
        "tierslieu/invoice.html",
        {
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "payments": list(invoice.payments.all()),
            "credit_notes": list(invoice.credit_notes.all()),
            "manager": manager,
            "credit_form": forms.CreditNoteForm() if manager else None,
            "payment_form": forms.PaymentForm() if manager else None,
        },
    )


@login_required
def invoice_pdf(request, pk):
    invoice, _ = _invoice_for(request, pk)
    return pdf_response(f"{invoice.number}.pdf", einvoice.facturx_pdf(invoice))


# --- managers --------------------------------------------------------------------------------


@login_required
def manage(request, slug):
    place = _managed_place(request, slug)
    day = timezone.localdate()
    raw = request.GET.get("jour", "")
    if raw:
        try:
            day = datetime.date.fromisoformat(raw)
        except ValueError:
            messages.error(request, "Date illisible : voici les réservations du jour.")
        else:
            if not params.MIN_YEAR <= day.year <= params.MAX_YEAR:
                messages.error(
                    request,
                    f"Indiquez une date entre {params.MIN_YEAR} et {params.MAX_YEAR} : voici les "
                    "réservations du jour.",
                )
                day = timezone.localdate()
    return render(
        request,
        "tierslieu/manage.html",
        {
            "place": place,
            "day": day,
            "bookings": list(selectors.place_bookings(place, day)),
            "members": list(selectors.place_members(place)),
            "grants": list(selectors.grants_to_review(place)),
            "spaces": selectors.tree(selectors.place_spaces(place)),
            "chain_problems": selectors.chain_problems(place),
        },
    )


@login_required
def invoices(request, slug):
    place = _managed_place(request, slug)
    year = timezone.localdate().year
    return render(
        request,
        "tierslieu/invoices.html",
        {
            "place": place,
            "invoices": list(selectors.invoices(place)[:200]),
            "year": year,
            "form": forms.InvoiceMonthForm(members=Member.objects.filter(place=place)),
        },
    )


@login_required
def invoices_csv(request, slug, year):
    place = _managed_place(request, slug)
    return csv_response(
        f"factures-{place.slug}-{year}.csv",
        selectors.ACCOUNTING_HEADERS,
        selectors.accounting_rows(place, year),
    )


@login_required
def invoice_month(request, slug):
    place = _managed_place(request, slug)
    form = forms.InvoiceMonthForm(request.POST or None, members=Member.objects.filter(place=place))
    if request.method == "POST" and form.is_valid():
        month = form.cleaned_data["month"]
        outcome = run_service(
            form,
            services.invoice_member_month,
            member=form.cleaned_data["member"],
            actor=request.user,
            year=month.year,
            month=month.month,
        )
        if outcome:
            messages.success(request, f"Facture {outcome.result.number} émise.")
            return redirect("tierslieu:invoice", outcome.result.pk)
    return render(request, "tierslieu/invoice_month.html", {"place": place, "form": form})


@login_required
@require_POST
def credit_note(request, pk):
    invoice, manager = _invoice_for(request, pk)
    if not manager:
        raise PermissionDenied("Seuls les gestionnaires émettent un avoir.")
    form = forms.CreditNoteForm(request.POST)
    if form.is_valid():
        outcome = run_service(
            form,
            services.issue_credit_note,
            invoice=invoice,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        if outcome:
            messages.success(request, f"Avoir {outcome.result.number} émis.")
            return redirect("tierslieu:invoice", outcome.result.pk)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("tierslieu:invoice", invoice.pk)


@login_required
@require_POST
def payment(request, pk):
    invoice, manager = _invoice_for(request, pk)
    if not manager:
        raise PermissionDenied("Seuls les gestionnaires enregistrent un paiement.")
    form = forms.PaymentForm(request.POST)
    if form.is_valid():
        outcome = run_service(
            form,
            services.record_payment,
            invoice=invoice,
            actor=request.user,
            paid_on=form.cleaned_data["paid_on"],
            amount=form.cleaned_data["amount"],
        )
        if outcome:
            messages.success(request, "Paiement enregistré.")
            return redirect("tierslieu:invoice", invoice.pk)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("tierslieu:invoice", invoice.pk)


@login_required
def review_grant(request, pk):
    grant = get_object_or_404(
        SolidarityGrant.objects.select_related("member", "member__place"), pk=pk
    )
    place = grant.member.place
    if not access.manages_place(place, request.user):
        raise PermissionDenied("Seuls les gestionnaires du lieu examinent les demandes.")
    form = forms.GrantReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["decision"] == "grant":
            outcome = run_service(
                form,
                services.grant_solidarity_price,
                grant=grant,
                actor=request.user,
                valid_until=data["valid_until"],
            )
        else:
            outcome = run_service(
                form,
                services.refuse_solidarity_price,
                grant=grant,
                actor=request.user,
                reason=data["reason"],
            )
        if outcome:
            messages.success(request, "Décision enregistrée.")
            return redirect("tierslieu:manage", place.slug)
    return render(
        request, "tierslieu/review_grant.html", {"grant": grant, "place": place, "form": form}
    )


@login_required
def grant_proof(request, pk):
    """The proof a member sent, for the managers who review it (each reading is logged)."""
    grant = get_object_or_404(SolidarityGrant.objects.select_related("member__place"), pk=pk)
    if not access.manages_place(grant.member.place, request.user):
        raise PermissionDenied("Seuls les gestionnaires du lieu consultent les justificatifs.")
    audit.record(actor=request.user, action="tierslieu.proof.read", target=grant)
    return FileResponse(grant.proof.open("rb"), as_attachment=True)
