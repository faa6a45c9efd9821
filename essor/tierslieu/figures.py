"""What the third places do, for the observatory: occupancy of the spaces, members and the share of
solidarity prices, the crèche's places and AVIP share, suspended coffees. Counts of people go
through statistical secrecy (1 to 4 hidden)."""

import calendar
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth

from essor.core.disclosure import share, suppress_total
from essor.core.formats import month_abbreviations, round_half_up
from essor.core.indicators import Indicator, IndicatorTable
from essor.tierslieu import slots
from essor.tierslieu.creche_models import CafeEntry, CrecheApplication
from essor.tierslieu.models import Booking, Member, Place, Space, Subscription

AXIS = "Tiers-lieux"
SECRECY = "Un effectif de 1 à 4 est masqué (secret statistique)."


def _open_minutes(place: Place, year: int, month: int, hours, closures) -> int:
    total = 0
    for number in range(1, calendar.monthrange(year, month)[1] + 1):
        day = datetime.date(year, month, number)
        if slots.is_closed_on(day, closures):
            continue
        for period in hours:
            if period.weekday == day.weekday():
                total += slots.minutes_of(period.closes_at) - slots.minutes_of(period.opens_at)
    return total


def occupancy_table(year: int) -> IndicatorTable:
    """Booked hours over open hours, per bookable space and month (shared desks: per desk)."""
    start, end = slots.at(datetime.date(year, 1, 1), 0), slots.at(datetime.date(year + 1, 1, 1), 0)
    booked: dict[tuple[int, int], int] = defaultdict(int)
    for space_id, starts_at, ends_at in Booking.objects.filter(
        status=Booking.Status.CONFIRMED, starts_at__gte=start, starts_at__lt=end
    ).values_list("space_id", "starts_at", "ends_at"):
        month = slots.local(starts_at).month
        booked[(space_id, month)] += int((ends_at - starts_at).total_seconds() // 60)
    spaces = list(
        Space.objects.filter(is_bookable=True)
        .select_related("place")
        .prefetch_related("place__opening_hours", "place__closures")
        .order_by("place__name", "name")
    )
    rows, keys = [], []
    open_cache: dict[tuple[int, int], int] = {}
    for space in spaces:
        place = space.place
        hours, closures = list(place.opening_hours.all()), list(place.closures.all())
        row: list = [f"{place.name} — {space.name}"]
        for month in range(1, 13):
            if (place.pk, month) not in open_cache:
                open_cache[(place.pk, month)] = _open_minutes(place, year, month, hours, closures)
            available = open_cache[(place.pk, month)] * space.capacity
            used = booked.get((space.pk, month), 0)
            row.append(round_half_up(Decimal(100 * used) / available, 1) if available else None)
        rows.append(row)
        keys.append(f"{place.slug}/{space.pk}")
    return IndicatorTable(
        columns=["Espace", *[name.capitalize() for name in month_abbreviations()]],
        rows=rows,
        row_keys=keys,
        chart="none",
        note="Heures réservées (réservations confirmées) sur les heures d'ouverture du mois, en %, "
        "hors jours de fermeture ; un plateau de postes partagés compte autant d'heures que de "
        "postes.",
    )


def members_table(year: int) -> IndicatorTable:
    """Members of each place at the end of the year, and the share of solidarity prices."""
    end = datetime.date(year, 12, 31)
    places = list(Place.objects.order_by("name"))
    members = dict(
        Member.objects.filter(joined_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=end))
        .values("place")
        .annotate(n=Count("pk"))
        .values_list("place", "n")
    )
    sold = {
        row["member__place"]: row
        for row in Subscription.objects.filter(starts_on__year=year)
        .values("member__place")
        .annotate(n=Count("pk"), solidarity=Count("pk", filter=Q(is_solidarity=True)))
    }
    rows = []
    for place in places:
        count = suppress_total(members.get(place.pk, 0)) if members.get(place.pk) else 0
        subscriptions = sold.get(place.pk, {"n": 0, "solidarity": 0})
        rows.append(
            [
                place.name,
                count,
                subscriptions["n"],
                share(subscriptions["solidarity"], subscriptions["n"])
                if subscriptions["n"]
                else None,
            ]
        )
    return IndicatorTable(
        columns=[
            "Tiers-lieu",
            "Membres au 31 décembre",
            "Formules vendues",
            "Au tarif solidaire (%)",
        ],
        rows=rows,
        row_keys=[place.slug for place in places],
        note="Membres inscrits au 31 décembre ; formules (journée, carte, mois) vendues dans "
        f"l'année, et la part vendue au tarif solidaire. {SECRECY}",
    )


def creche_table(year: int) -> IndicatorTable:
    """Per crèche: places, applications of the year, places accepted, AVIP share of places."""
    places = list(Place.objects.filter(creche_places__gt=0).order_by("name"))
    stats = {
        row["place"]: row
        for row in CrecheApplication.objects.filter(submitted_at__year=year)
        .values("place")
        .annotate(
            applications=Count("pk"),
            accepted=Count("pk", filter=Q(status=CrecheApplication.Status.ACCEPTED)),
            avip=Count(
                "pk",
                filter=Q(status=CrecheApplication.Status.ACCEPTED, parent_looking_for_work=True),
            ),
        )
    }
    rows = []
    for place in places:
        found = stats.get(place.pk, {"applications": 0, "accepted": 0, "avip": 0})
        rows.append(
            [
                place.name,
                place.creche_places,
                suppress_total(found["applications"]) if found["applications"] else 0,
                suppress_total(found["accepted"]) if found["accepted"] else 0,
                share(found["avip"], place.creche_places) if found["accepted"] else None,
            ]
        )
    return IndicatorTable(
        columns=[
            "Crèche",
            "Places",
            "Demandes de l'année",
            "Places attribuées",
            "Places AVIP (% des places)",
        ],
        rows=rows,
        row_keys=[place.slug for place in places],
        note="Demandes déposées dans l'année et places acceptées parmi elles ; la part AVIP (enfants "
        f"de parents en recherche d'emploi) doit atteindre 20 % des places. {SECRECY}",
    )


def cafe_table(year: int) -> IndicatorTable:
    """Suspended coffees offered and served, month by month (no one is counted: coffees are)."""
    totals = defaultdict(int)
    for row in (
        CafeEntry.objects.filter(at__year=year)
        .annotate(month=ExtractMonth("at"))
        .values("month", "kind")
        .annotate(n=Sum("quantity"))
    ):
        totals[(row["month"], row["kind"])] += row["n"]
    names = month_abbreviations()
    return IndicatorTable(
        columns=["Mois", "Cafés offerts", "Cafés servis"],
        rows=[
            [
                names[month - 1].capitalize(),
                totals[(month, CafeEntry.Kind.OFFERED)],
                totals[(month, CafeEntry.Kind.SERVED)],
            ]
            for month in range(1, 13)
        ],
        row_keys=[f"{year}-{month:02d}" for month in range(1, 13)],
        note="Cafés suspendus offerts par les clients et servis à qui en demande, tous tiers-lieux "
        "confondus ; personne n'est nommé ni compté.",
    )


INDICATORS = [
    Indicator(
        key="tierslieu.occupancy",
        module="tierslieu",
        axis=AXIS,
        label="Occupation des espaces des tiers-lieux",
        compute=occupancy_table,
        unit="%",
        order=10,
    ),
    Indicator(
        key="tierslieu.members",
        module="tierslieu",
        axis=AXIS,
        label="Membres des tiers-lieux et tarifs solidaires",
        compute=members_table,
        order=20,
        tags=("personnes",),
    ),
    Indicator(
        key="tierslieu.creche",
        module="tierslieu",
        axis=AXIS,
        label="Crèches solidaires des tiers-lieux",
        compute=creche_table,
        order=30,
        tags=("personnes",),
    ),
    Indicator(
        key="tierslieu.cafe",
        module="tierslieu",
        axis=AXIS,
        label="Cafés suspendus",
        compute=cafe_table,
        unit="cafés",
        order=40,
    ),
]
