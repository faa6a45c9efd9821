"""Reads of the foodlink module: who may see what, matching, EGalim figures, the procurement guard,
the public guide."""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from essor.accounts.memberships import memberships_of_user
from essor.core.amounts import line_amount
from essor.core.formats import percentage, round_half_up, to_decimal
from essor.core.indicators import IndicatorTable
from essor.core.permissions import is_agency_member
from essor.foodlink.egalim import BILAN_AMOUNTS, FAIR_TRADE, bilan_amounts
from essor.foodlink.models import (
    CERTIFICATION_CODES,
    BuyerProfile,
    Consultation,
    EgalimGroup,
    Family,
    Offer,
    ProducerCertification,
    ProducerProduct,
    ProducerProfile,
    ProducerRevision,
    Purchase,
    months_to_mask,
)
from essor.territory.geo import distance_km

KM_PER_DEGREE_LATITUDE = 111.2
# The boxes only preselect (the exact great-circle distance decides): 10 % wider, so that the
# approximations (flat degrees, the place's latitude for the longitude) never leave anyone out.
BOX_MARGIN = 1.1
BIO_TARGET = Decimal("20")
EGALIM_TARGET = Decimal("50")
GUARD_WARNING_SHARE = Decimal("0.8")


# --- Who is who ---------------------------------------------------------------------------


def _member_organisation_ids(user) -> set[int]:
    return memberships_of_user(user).member_organisation_ids


def producers_of(user):
    """The producer profiles a person works for (members or admins of the producer)."""
    return ProducerProfile.objects.filter(organisation_id__in=_member_organisation_ids(user))


def buyers_of(user):
    """The canteens a person manages (members of the buyer organisation)."""
    return BuyerProfile.objects.filter(organisation_id__in=_member_organisation_ids(user))


def is_producer_member(user, producer: ProducerProfile) -> bool:
    return producer.organisation_id in _member_organisation_ids(user)


def is_buyer_member(user, buyer: BuyerProfile) -> bool:
    return buyer.organisation_id in _member_organisation_ids(user)


def can_manage_buyer(user, buyer: BuyerProfile) -> bool:
    return is_agency_member(user) or is_buyer_member(user, buyer)


def can_edit_producer(user, producer: ProducerProfile) -> bool:
    return is_agency_member(user) or is_producer_member(user, producer)


def visible_consultations(user):
    """Buyers see their own, producers those they were alerted to, the agency all."""
    queryset = Consultation.objects.select_related("buyer")
    if is_agency_member(user):
        return queryset
    organisations = _member_organisation_ids(user)
    return queryset.filter(
        Q(buyer__organisation_id__in=organisations)
        | Q(alerts__producer__organisation_id__in=organisations)
    ).distinct()


def can_see_consultation(user, consultation: Consultation) -> bool:
    if is_agency_member(user) or is_buyer_member(user, consultation.buyer):
        return True
    organisations = _member_organisation_ids(user)
    return consultation.alerts.filter(producer__organisation_id__in=organisations).exists()


def alerted_producer_for(user, consultation: Consultation) -> ProducerProfile | None:
    """The producer (of this person) alerted to the consultation, if any."""
    alert = (
        consultation.alerts.filter(producer__organisation_id__in=_member_organisation_ids(user))
        .select_related("producer__organisation")
        .first()
    )
    return alert.producer if alert else None


def consultation_offers(consultation: Consultation):
    """Offers compared side by side, with the producer's distance to the delivery place."""
    from essor.foodlink.models import ConsultationAlert

    distance = ConsultationAlert.objects.filter(
        consultation=consultation, producer=OuterRef("producer")
    ).values("distance_km")[:1]
    return (
        consultation.offers.select_related("producer__organisation")
        .annotate(distance_km=Subquery(distance))
        .order_by("unit_price", "created_at")
    )


def visible_purchases(user):
    queryset = Purchase.objects.select_related("buyer")
    if is_agency_member(user):
        return queryset
    return queryset.filter(buyer__organisation_id__in=_member_organisation_ids(user))


def pending_revisions():
    return ProducerRevision.objects.filter(status=ProducerRevision.Status.PENDING).select_related(
        "producer__organisation", "proposed_by"
    )


# --- Matching -----------------------------------------------------------------------------


def window_months_mask(start: datetime.date, end: datetime.date) -> int:
    months = set()
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month) and len(months) < 12:
        months.add(month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months_to_mask(months)


def bounding_box(latitude: float, longitude: float, km: float) -> tuple[float, float, float, float]:
    delta_lat = km * BOX_MARGIN / KM_PER_DEGREE_LATITUDE
    cos = max(math.cos(math.radians(latitude)), 0.01)
    delta_lon = km * BOX_MARGIN / (KM_PER_DEGREE_LATITUDE * cos)
    return latitude - delta_lat, latitude + delta_lat, longitude - delta_lon, longitude + delta_lon


def matching_producers(
    *,
    family: str,
    latitude: float,
    longitude: float,
    max_distance_km: float,
    delivery_start: datetime.date,
    delivery_end: datetime.date,
    required_characteristics=(),
) -> list[dict]:
    """Published producers who deliver to the place (distance ≤ min(their radius, the maximum
    distance)), offer the family in a month of the delivery window, and hold every required
    certification valid on the last delivery day; best first (nearest, then most certified).

    One query: an indexed latitude/longitude box, then EXISTS on products and certifications;
    the exact great-circle distance is computed on the few rows left.
    """
    south, north, west, east = bounding_box(latitude, longitude, max_distance_km)
    mask = window_months_mask(delivery_start, delivery_end)
    products = ProducerProduct.objects.annotate(
        in_season=ExpressionWrapper(F("months_mask").bitand(mask), output_field=IntegerField())
    ).filter(producer=OuterRef("pk"), family=family, in_season__gt=0)
    valid_certifications = ProducerCertification.objects.filter(
        producer=OuterRef("pk"), expires_on__gte=delivery_end
    )
    # The producer's own radius must reach the place too: a box of that radius around the
    # place, checked with plain arithmetic before the subqueries.
    lat_per_km = BOX_MARGIN / KM_PER_DEGREE_LATITUDE
    lon_per_km = lat_per_km / max(math.cos(math.radians(latitude)), 0.01)
    queryset = ProducerProfile.objects.filter(
        is_published=True,
        latitude__range=(south, north),
        longitude__range=(west, east),
        latitude__gte=latitude - F("delivery_radius_km") * lat_per_km,
        latitude__lte=latitude + F("delivery_radius_km") * lat_per_km,
        longitude__gte=longitude - F("delivery_radius_km") * lon_per_km,
        longitude__lte=longitude + F("delivery_radius_km") * lon_per_km,
    ).filter(Exists(products))
    for code in required_characteristics:
        if code in CERTIFICATION_CODES:
            queryset = queryset.filter(Exists(valid_certifications.filter(code=code)))
    certification_count = (
        valid_certifications.order_by()
        .values("producer")
        .annotate(count=Count("pk"))
        .values("count")[:1]
    )
    rows = queryset.annotate(
        certification_count=Coalesce(Subquery(certification_count), Value(0))
    ).values(
        "pk",
        "organisation_id",
        "organisation__name",
        "latitude",
        "longitude",
        "delivery_radius_km",
        "certification_count",
    )
    matches = []
    for row in rows:
        distance = distance_km(latitude, longitude, row["latitude"], row["longitude"])
        if distance <= min(row["delivery_radius_km"], max_distance_km):
            row["distance_km"] = float(round_half_up(distance, 1))
            matches.append(row)
    matches.sort(
        key=lambda row: (row["distance_km"], -row["certification_count"], row["organisation__name"])
    )
    return matches


def matching_for(consultation: Consultation) -> list[dict]:
    return matching_producers(
        family=consultation.family,
        latitude=consultation.delivery_latitude,
        longitude=consultation.delivery_longitude,
        max_distance_km=consultation.max_distance_km,
        delivery_start=consultation.delivery_start,
        delivery_end=consultation.delivery_end,
        required_characteristics=consultation.required_characteristics,
    )


# --- EGalim -------------------------------------------------------------------------------


def _share(part: Decimal, total: Decimal) -> Decimal | None:
    if not total:
        return None
    return percentage(part, total, 1)


def _money_sum(condition: Q | None = None):
    return Coalesce(
        Sum("price_ht", filter=condition),
        Value(Decimal("0")),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


EGALIM_GROUPS = [
    EgalimGroup.BIO,
    EgalimGroup.SIQO,
    EgalimGroup.OTHER,
    EgalimGroup.EXTERNALITIES,
]


def egalim_dashboard(*, buyer_ids, year: int) -> dict:
    """Rates of a canteen (or several) for a calendar year, by family: one aggregate query,
    grouped by (family, EGalim group, local, short chain) on a covering index — at most a few
    hundred groups, added up here."""
    rows = (
        Purchase.objects.filter(buyer_id__in=buyer_ids, date__year=year)
        .order_by()
        .values_list("family", "egalim_group", "is_local", "is_short_chain")
        .annotate(amount=Sum("price_ht"), count=Count("pk"))
    )
    keys = ["total", "bio", "siqo", "other", "externalities", "local", "short_chain"]
    by_family: dict[str, dict] = {}
    for family, group, is_local, is_short_chain, amount, count in rows:
        amount = round_half_up(amount, 2)
        row = by_family.setdefault(family, {**dict.fromkeys(keys, Decimal("0")), "count": 0})
        row["total"] += amount
        row["count"] += count
        if group != EgalimGroup.NONE:
            row[group] += amount
        if is_local:
            row["local"] += amount
        if is_short_chain:
            row["short_chain"] += amount
    totals = dict.fromkeys(keys, Decimal("0"))
    totals["count"] = 0
    families = []
    for value, label in Family.choices:
        row = by_family.get(value)
        if row is None:
            continue
        egalim = row["bio"] + row["siqo"] + row["other"] + row["externalities"]
        families.append(
            {
                "code": value,
                "label": label,
                **row,
                "egalim": egalim,
                "bio_rate": _share(row["bio"], row["total"]),
                "egalim_rate": _share(egalim, row["total"]),
                "local_rate": _share(row["local"], row["total"]),
                "short_chain_rate": _share(row["short_chain"], row["total"]),
            }
        )
        for key in keys:
            totals[key] += row[key]
        totals["count"] += row["count"]
    totals["egalim"] = totals["bio"] + totals["siqo"] + totals["other"] + totals["externalities"]
    bio_rate = _share(totals["bio"], totals["total"])
    egalim_rate = _share(totals["egalim"], totals["total"])
    return {
        "year": year,
        "families": families,
        "totals": totals,
        "spend_by_family": {row["code"]: row["total"] for row in families},
        "bio_rate": bio_rate,
        "egalim_rate": egalim_rate,
        "siqo_rate": _share(totals["siqo"], totals["total"]),
        "local_rate": _share(totals["local"], totals["total"]),
        "short_chain_rate": _share(totals["short_chain"], totals["total"]),
        "bio_target": BIO_TARGET,
        "egalim_target": EGALIM_TARGET,
        "bio_reached": bio_rate is not None and bio_rate >= BIO_TARGET,
        "egalim_reached": egalim_rate is not None and egalim_rate >= EGALIM_TARGET,
    }


@dataclass(frozen=True)
class MacantineBilan:
    """A canteen's year as ma-cantine's « bilan simple »: its SIRET, the year of the purchases
    (not of the declaration) and the amounts HT of `egalim.BILAN_AMOUNTS`."""

    buyer_id: int
    siret: str
    year: int
    purchase_count: int
    amounts: dict[str, Decimal]

    def row(self) -> list:
        return [self.siret, self.year, *(self.amounts[column] for column in BILAN_AMOUNTS)]


def macantine_bilans(*, year: int, buyer_ids=None) -> list[MacantineBilan]:
    """The « bilan simple » of each canteen (all, or those of `buyer_ids`) with purchases in the
    calendar year, by SIRET: one aggregate query grouped by what the rule reads (family, group,
    fair trade, origin, short chain, local), the rule applied here (`egalim.bilan_amounts`).
    A canteen without purchases that year has no bilan: ma-cantine refuses a zero total."""
    purchases = Purchase.objects.filter(date__year=year)
    if buyer_ids is not None:
        purchases = purchases.filter(buyer_id__in=buyer_ids)
    rows = (
        purchases.order_by()
        # Of the characteristics, the rule reads fair trade only (beside the stored group):
        # grouping by that flag rather than by the whole list keeps the groups few. The codes are
        # a closed set and none contains another, so the quoted code in the list's JSON text is
        # the code in the list, on SQLite (no JSON containment there) and PostgreSQL alike.
        .annotate(
            fair_trade=ExpressionWrapper(
                Q(characteristics__icontains=f'"{FAIR_TRADE}"'), output_field=BooleanField()
            )
        )
        .values_list(
            "buyer_id",
            "buyer__siret",
            "family",
            "egalim_group",
            "fair_trade",
            "origin",
            "is_short_chain",
            "is_local",
        )
        .annotate(
            # Wider than a price: a year's total of many prices.
            amount=Sum("price_ht", output_field=DecimalField(max_digits=20, decimal_places=2)),
            count=Count("pk"),
        )
    )
    by_buyer: dict[tuple[int, str], list] = {}
    for buyer_id, siret, *facts, amount, count in rows:
        by_buyer.setdefault((buyer_id, siret), []).append((*facts, amount, count))
    return [
        MacantineBilan(
            buyer_id=buyer_id,
            siret=siret,
            year=year,
            purchase_count=sum(count for *_, count in groups),
            amounts=bilan_amounts([group[:-1] for group in groups], year=year),
        )
        for (buyer_id, siret), groups in sorted(by_buyer.items(), key=lambda item: item[0][1])
    ]


def macantine_bilan(*, buyer: BuyerProfile, year: int) -> MacantineBilan | None:
    """The canteen's « bilan simple » of the year; None when it has no purchase that year."""
    bilans = macantine_bilans(year=year, buyer_ids=[buyer.pk])
    return bilans[0] if bilans else None


def purchase_years(buyer_ids) -> list[int]:
    """The years with purchases, latest first (two index lookups, not a scan)."""
    bounds = Purchase.objects.filter(buyer_id__in=buyer_ids).aggregate(
        first=Min("date"), last=Max("date")
    )
    if bounds["first"] is None:
        return []
    return list(range(bounds["last"].year, bounds["first"].year - 1, -1))


# --- Procurement guard --------------------------------------------------------------------


def procurement_threshold() -> Decimal:
    return Decimal(str(getattr(settings, "ESSOR_FOODLINK_PROCUREMENT_THRESHOLD", Decimal("40000"))))


def committed_awards(*, buyer_id: int, year: int) -> dict[str, Decimal]:
    """Awarded offers not yet turned into purchases (awarded or ordered consultations), by
    family: each line rounded half up to the cent, as its purchase will be."""
    committed: dict[str, Decimal] = {}
    rows = Offer.objects.filter(
        consultation__buyer_id=buyer_id,
        consultation__status__in=[Consultation.Status.AWARDED, Consultation.Status.ORDERED],
        consultation__awarded_at__year=year,
        status=Offer.Status.RETAINED,
    ).values_list("consultation__family", "awarded_quantity", "unit_price")
    for family, quantity, unit_price in rows:
        committed[family] = committed.get(family, Decimal("0")) + line_amount(quantity, unit_price)
    return committed


def family_spend(*, buyer_id: int, year: int, purchases=None) -> dict[str, Decimal]:
    """Purchases of the year plus awarded offers not yet delivered, by family; `purchases`
    ({family: amount}) spares the purchase query when the caller already has the totals."""
    spend = dict.fromkeys(Family.values, Decimal("0"))
    if purchases is None:
        purchases = dict(
            Purchase.objects.filter(buyer_id=buyer_id, date__year=year)
            .order_by()
            .values_list("family")
            .annotate(amount=Sum("price_ht"))
        )
    for family, amount in purchases.items():
        spend[family] += to_decimal(amount)  # a float on SQLite: its written digits
    for family, amount in committed_awards(buyer_id=buyer_id, year=year).items():
        spend[family] += amount
    return spend


def guard_level(amount: Decimal, threshold: Decimal) -> str:
    if amount >= threshold:
        return "exceeded"
    if amount >= threshold * GUARD_WARNING_SHARE:
        return "warning"
    return "ok"


def procurement_guard(*, buyer_id: int, year: int, purchases=None) -> list[dict]:
    threshold = procurement_threshold()
    spend = family_spend(buyer_id=buyer_id, year=year, purchases=purchases)
    rows = []
    for value, label in Family.choices:
        amount = spend[value]
        rows.append(
            {
                "code": value,
                "label": label,
                "amount": amount,
                "share": _share(amount, threshold),
                "level": guard_level(amount, threshold),
                "remaining": max(threshold - amount, Decimal("0")),
            }
        )
    return rows


def award_guard(*, buyer_id: int, family: str, year: int, amount: Decimal) -> dict:
    """What an award of `amount` would do to the family's yearly spend."""
    threshold = procurement_threshold()
    before = family_spend(buyer_id=buyer_id, year=year)[family]
    after = before + amount
    return {
        "threshold": threshold,
        "before": before,
        "after": after,
        "crosses": before < threshold <= after,
        "level_after": guard_level(after, threshold),
    }


# --- Public guide -------------------------------------------------------------------------


def guide_producers(*, text="", family="", commune="", certification="", month=None, today=None):
    """Published producers matching the guide's filters (validated data only)."""
    today = today or datetime.date.today()
    queryset = ProducerProfile.objects.filter(is_published=True)
    if text:
        queryset = queryset.filter(
            Q(organisation__name__icontains=text) | Q(products__name__icontains=text)
        )
    if family:
        queryset = queryset.filter(products__family=family)
    if commune:
        queryset = queryset.filter(commune__insee_code=commune)
    if certification:
        queryset = queryset.filter(
            certifications__code=certification, certifications__expires_on__gte=today
        )
    if month:
        bit = 1 << (int(month) - 1)
        in_season = ProducerProduct.objects.annotate(
            in_season=ExpressionWrapper(F("months_mask").bitand(bit), output_field=IntegerField())
        ).filter(producer=OuterRef("pk"), in_season__gt=0)
        if family:
            in_season = in_season.filter(family=family)
        queryset = queryset.filter(Exists(in_season))
    return (
        queryset.distinct().select_related("organisation", "commune").order_by("organisation__name")
    )


def with_guide_details(queryset, *, today=None):
    from django.db.models import Prefetch

    today = today or datetime.date.today()
    return queryset.prefetch_related(
        "products",
        Prefetch(
            "certifications",
            queryset=ProducerCertification.objects.filter(expires_on__gte=today),
            to_attr="valid_certifications",
        ),
    )


def booklet_sections(*, today=None) -> tuple[list[dict], list]:
    """Producers by commune, then by family (a producer appears under each of its families)."""
    producers = list(
        with_guide_details(
            ProducerProfile.objects.filter(is_published=True)
            .select_related("organisation", "commune")
            .order_by("commune__name", "organisation__name"),
            today=today,
        )
    )
    producers = [producer for producer in producers if producer.products.all()]
    communes: dict[str, dict] = {}
    for producer in producers:
        section = communes.setdefault(
            producer.commune.name, {"commune": producer.commune.name, "families": {}}
        )
        for product in producer.products.all():
            family = section["families"].setdefault(product.family, [])
            if all(entry["producer"] is not producer for entry in family):
                family.append({"producer": producer, "anchor": False})
    for section in communes.values():
        # The index points at each producer's first appearance.
        seen = set()
        for code in Family.values:
            for entry in section["families"].get(code, []):
                if entry["producer"].pk not in seen:
                    seen.add(entry["producer"].pk)
                    entry["anchor"] = True
    labels = dict(Family.choices)
    sections = []
    for section in communes.values():
        sections.append(
            {
                "commune": section["commune"],
                "families": [
                    {"label": labels[code], "entries": section["families"][code]}
                    for code in Family.values
                    if code in section["families"]
                ],
            }
        )
    return sections, producers


# --- Observatory --------------------------------------------------------------------------


def egalim_rates_by_sector(year: int) -> IndicatorTable:
    rows = (
        Purchase.objects.filter(date__year=year)
        .order_by()
        .values("buyer__sector")
        .annotate(
            total=_money_sum(),
            bio=_money_sum(Q(egalim_group=EgalimGroup.BIO)),
            egalim=_money_sum(~Q(egalim_group=EgalimGroup.NONE)),
            canteens=Count("buyer", distinct=True),
        )
        .order_by("buyer__sector")
    )
    labels = dict(BuyerProfile.Sector.choices)
    table_rows, keys = [], []
    for row in rows:
        keys.append(row["buyer__sector"])
        table_rows.append(
            [
                labels.get(row["buyer__sector"], row["buyer__sector"]),
                row["canteens"],
                row["total"],
                _share(row["bio"], row["total"]),
                _share(row["egalim"], row["total"]),
            ]
        )
    return IndicatorTable(
        columns=["Secteur", "Cantines", "Achats (€ HT)", "Part bio (%)", "Part EGalim (%)"],
        rows=table_rows,
        row_keys=keys,
        note="Achats déclarés dans Essor sur l'année civile, prix hors taxes.",
    )


def producers_by_family(year: int) -> IndicatorTable:
    rows = (
        ProducerProduct.objects.filter(producer__is_published=True)
        .order_by()
        .values("family")
        .annotate(producers=Count("producer", distinct=True))
    )
    counts = {row["family"]: row["producers"] for row in rows}
    return IndicatorTable(
        columns=["Famille de produits", "Producteurs"],
        rows=[[label, counts.get(code, 0)] for code, label in Family.choices],
        row_keys=list(Family.values),
        note="Producteurs publiés dans le guide (situation actuelle).",
    )


def takes_part(user) -> bool:
    """« Mon espace »: producers, canteen managers and the agency see « Circuits courts »."""
    if is_agency_member(user):
        return True
    organisations = _member_organisation_ids(user)
    return bool(organisations) and (
        ProducerProfile.objects.filter(organisation_id__in=organisations).exists()
        or BuyerProfile.objects.filter(organisation_id__in=organisations).exists()
    )
