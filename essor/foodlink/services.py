"""Writes of the foodlink module (keyword-only, atomic, audited)."""

import csv
import datetime
import hashlib
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from essor.accounts.models import Role
from essor.accounts.selectors import people_of
from essor.core import amounts, audit, csvfiles, workflow
from essor.core.exports import write_csv
from essor.core.formats import (
    euros,
    local_date,
    long_date,
    long_datetime,
    plural,
    round_half_up,
    with_article,
)
from essor.core.formats import quantity as format_quantity
from essor.core.notifications import notify
from essor.foodlink import selectors
from essor.foodlink.egalim import BILAN_COLUMNS, egalim_group
from essor.foodlink.models import (
    CERTIFICATION_CODES,
    EGALIM_CHARACTERISTICS,
    Award,
    BuyerProfile,
    Characteristic,
    Consultation,
    ConsultationAlert,
    Family,
    Offer,
    ProducerCertification,
    ProducerProduct,
    ProducerProfile,
    ProducerRevision,
    Purchase,
    PurchaseImport,
    months_to_mask,
    responses_are_over,
)
from essor.territory.models import Commune

S = Consultation.Status
OFFER_PRICE_DIGITS = Offer._meta.get_field("unit_price").max_digits
PURCHASE_PRICE_DIGITS = Purchase._meta.get_field("price_ht").max_digits


class FoodlinkError(ValidationError):
    """A refused action, with a French message for the person who tried it."""


# --- Notifications (core.notifications) ------------------------------------------------


def _members(organisation_ids):
    return people_of(organisation_ids, [Role.ORGANISATION_ADMIN, Role.ORGANISATION_MEMBER])


# --- Producers ----------------------------------------------------------------------------

PROFILE_FIELDS = (
    "address",
    "presentation",
    "delivery_radius_km",
    "delivery_days",
    "minimum_order",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def _check_certifications(certifications, *, today) -> None:
    errors = []
    for index, item in enumerate(certifications, start=1):
        if item["code"] not in CERTIFICATION_CODES:
            errors.append(f"Certification {index} : code « {item['code']} » inconnu.")
        elif datetime.date.fromisoformat(str(item["expires_on"])) < today:
            errors.append(
                f"Certification {index} ({Characteristic(item['code']).label}) : elle a expiré "
                f"le {long_date(datetime.date.fromisoformat(str(item['expires_on'])))} ; une "
                "certification expirée ne peut pas être déclarée."
            )
    codes = [item["code"] for item in certifications]
    if len(codes) != len(set(codes)):
        errors.append("Une même certification est déclarée deux fois.")
    if errors:
        raise FoodlinkError(errors)


def _check_products(products) -> None:
    errors = []
    for index, item in enumerate(products, start=1):
        if item["family"] not in Family.values:
            errors.append(f"Produit {index} : famille « {item['family']} » inconnue.")
        if not item.get("months"):
            errors.append(f"Produit {index} : indiquez au moins un mois de disponibilité.")
    if errors:
        raise FoodlinkError(errors)


MINIMUM_ORDER_DIGITS = ProducerProfile._meta.get_field("minimum_order").max_digits


def _rounded_profile(profile: dict) -> dict:
    """The proposed profile with its minimum order rounded half up to the cent, then checked."""
    if profile.get("minimum_order") in (None, ""):
        return profile
    try:
        minimum = amounts.to_cents(profile["minimum_order"])
    except InvalidOperation as error:
        raise FoodlinkError(
            {"minimum_order": f"« {profile['minimum_order']} » n'est pas un montant."}
        ) from error
    if minimum < 0:
        raise FoodlinkError({"minimum_order": "La commande minimale ne peut pas être négative."})
    if reason := amounts.too_large(minimum, MINIMUM_ORDER_DIGITS):
        raise FoodlinkError({"minimum_order": f"La commande minimale {reason}."})
    return {**profile, "minimum_order": str(minimum)}


def _apply_producer_data(producer: ProducerProfile, data: dict) -> None:
    profile = data.get("profile", {})
    code = profile.get("commune")
    if code and code != producer.commune.insee_code:
        commune = Commune.objects.filter(insee_code=code, latitude__isnull=False).first()
        if commune is None:
            raise FoodlinkError(f"Commune « {code} » inconnue.")
        producer.commune = commune
        producer.latitude, producer.longitude = commune.latitude, commune.longitude
        producer.territory = commune.territories.order_by("-is_main").first()
    for field in PROFILE_FIELDS:
        if field in profile:
            value = profile[field]
            if field == "minimum_order":
                value = amounts.to_cents(value)
            setattr(producer, field, value)
    producer.save()
    if "products" in data:
        producer.products.all().delete()
        ProducerProduct.objects.bulk_create(
            ProducerProduct(
                producer=producer,
                family=item["family"],
                name=item["name"],
                months_mask=months_to_mask(item["months"]),
            )
            for item in data["products"]
        )
    if "certifications" in data:
        producer.certifications.all().delete()
        ProducerCertification.objects.bulk_create(
            ProducerCertification(
                producer=producer,
                code=item["code"],
                expires_on=datetime.date.fromisoformat(str(item["expires_on"])),
                certifier=item.get("certifier", ""),
            )
            for item in data["certifications"]
        )


@transaction.atomic
def create_producer_profile(
    *, actor, organisation, commune, latitude=None, longitude=None, territory=None, **fields
) -> ProducerProfile:
    """The agency registers an organisation as a producer (not public until validated)."""
    if hasattr(organisation, "producer_profile"):
        raise FoodlinkError("Cette structure est déjà enregistrée comme producteur.")
    producer = ProducerProfile(
        organisation=organisation,
        commune=commune,
        territory=territory or commune.territories.order_by("-is_main").first(),
        latitude=latitude if latitude is not None else commune.latitude,
        longitude=longitude if longitude is not None else commune.longitude,
        **fields,
    )
    producer.full_clean()
    producer.save()
    audit.record(
        actor=actor,
        action="foodlink.producer.create",
        target=producer,
        message="Structure enregistrée comme producteur.",
    )
    return producer


@transaction.atomic
def propose_producer_changes(*, actor, producer: ProducerProfile, data: dict) -> ProducerRevision:
    """A producer's edit: kept as a pending revision (replacing a pending one) until the agency
    validates it; the public guide keeps showing the validated profile."""
    _check_products(data.get("products", []))
    _check_certifications(data.get("certifications", []), today=timezone.localdate())
    if "profile" in data:
        data = {**data, "profile": _rounded_profile(data["profile"])}
    producer = ProducerProfile.objects.select_for_update(of=("self",)).get(pk=producer.pk)
    revision = producer.revisions.filter(status=ProducerRevision.Status.PENDING).first()
    if revision is None:
        revision = ProducerRevision.objects.create(producer=producer, data=data, proposed_by=actor)
    else:
        revision.data, revision.proposed_by = data, actor
        revision.save(update_fields=["data", "proposed_by"])
    audit.record(
        actor=actor,
        action="foodlink.producer.propose",
        target=producer,
        message="Modification du profil proposée, en attente de validation par l'agence.",
    )
    return revision


@transaction.atomic
def review_producer_revision(
    *, actor, revision: ProducerRevision, approve: bool, comment: str = ""
) -> ProducerRevision:
    revision = ProducerRevision.objects.select_for_update(of=("self",)).get(pk=revision.pk)
    if revision.status != ProducerRevision.Status.PENDING:
        raise FoodlinkError("Cette modification a déjà été examinée.")
    if approve:
        _check_certifications(revision.data.get("certifications", []), today=timezone.localdate())
        producer = revision.producer
        _apply_producer_data(producer, revision.data)
        producer.is_published = True
        producer.validated_at = timezone.now()
        producer.save(update_fields=["is_published", "validated_at", "updated_at"])
    revision.reviewed_by, revision.reviewed_at = actor, timezone.now()
    revision.review_comment = comment
    workflow.perform(
        revision.approve if approve else revision.reject,
        actor=actor,
        reason=comment,
        audit_target=revision.producer,
    )
    notify(
        users=[revision.proposed_by],
        message=(
            f"Votre modification du profil {with_article(revision.producer, 'de')} a été "
            f"{'validée et publiée' if approve else 'refusée'}."
            + (f" Commentaire de l'agence : {comment}" if comment else "")
        ),
        url=reverse("foodlink:producer_edit", kwargs={"pk": revision.producer_id}),
    )
    return revision


# --- Buyers -------------------------------------------------------------------------------


@transaction.atomic
def create_buyer_profile(
    *, actor, organisation, commune, latitude=None, longitude=None, **fields
) -> BuyerProfile:
    if hasattr(organisation, "buyer_profile"):
        raise FoodlinkError("Cette structure a déjà une cantine enregistrée.")
    buyer = BuyerProfile(
        organisation=organisation,
        commune=commune,
        latitude=latitude if latitude is not None else commune.latitude,
        longitude=longitude if longitude is not None else commune.longitude,
        **fields,
    )
    buyer.full_clean()
    buyer.save()
    audit.record(
        actor=actor, action="foodlink.buyer.create", target=buyer, message="Cantine enregistrée."
    )
    return buyer


# --- Consultations ------------------------------------------------------------------------
#
# Each step of a consultation is a transition of `Consultation` (its table in the README) run by
# one service here through `workflow.perform`, which locks the row, checks the table, the
# actor's right and the reason, and writes the transition log and the audit entry.


def locked_consultations():
    """Consultations read to be changed: the row locked (with its canteen read, not locked)."""
    return Consultation.objects.select_for_update(of=("self",)).select_related("buyer")


def _locked(consultation: Consultation) -> Consultation:
    return locked_consultations().get(pk=consultation.pk)


def _consultation_url(consultation: Consultation) -> str:
    return reverse("foodlink:consultation_detail", kwargs={"pk": consultation.pk})


def check_consultation_data(data: dict, *, today) -> None:
    errors = {}
    if data["delivery_start"] < today:
        errors["delivery_start"] = "La période de livraison ne peut pas commencer dans le passé."
    if data["delivery_end"] < data["delivery_start"]:
        errors["delivery_end"] = "La fin de la période de livraison doit suivre son début."
    if not 5 <= data["max_distance_km"] <= 100:
        errors["max_distance_km"] = "La distance maximale doit être comprise entre 5 et 100 km."
    if data["quantity"] <= 0:
        errors["quantity"] = "La quantité demandée doit être positive."
    if data["family"] not in Family.values:
        errors["family"] = f"Famille de produits « {data['family']} » inconnue."
    unknown = [
        code
        for code in data.get("required_characteristics", [])
        if code not in Characteristic.values
    ]
    if unknown:
        errors["required_characteristics"] = (
            plural(len(unknown), "Caractéristique inconnue", "Caractéristiques inconnues")
            + " : "
            + ", ".join(unknown)
        )
    deadline = data["deadline"]
    if local_date(deadline) > data["delivery_end"]:
        errors["deadline"] = "La date limite de réponse doit précéder la fin de la livraison."
    if errors:
        raise FoodlinkError(errors)


@transaction.atomic
def create_consultation(*, actor, buyer: BuyerProfile, **data) -> Consultation:
    check_consultation_data(data, today=timezone.localdate())
    data.setdefault("delivery_address", buyer.delivery_address)
    data.setdefault("delivery_latitude", buyer.latitude)
    data.setdefault("delivery_longitude", buyer.longitude)
    consultation = Consultation.objects.create(buyer=buyer, created_by=actor, **data)
    audit.record(
        actor=actor,
        action="foodlink.consultation.create",
        target=consultation,
        message="Consultation créée (brouillon).",
    )
    return consultation


@transaction.atomic
def update_consultation(*, actor, consultation: Consultation, **data) -> Consultation:
    """A draft is corrected before publication (a published consultation is not changed: the
    producers answered what they were sent)."""
    consultation = _locked(consultation)
    if consultation.status != S.DRAFT:
        raise FoodlinkError("Seul un brouillon peut être modifié.")
    check_consultation_data(data, today=timezone.localdate())
    before = {field: getattr(consultation, field) for field in data}
    for field, value in data.items():
        setattr(consultation, field, value)
    consultation.save()
    audit.record(
        actor=actor,
        action="foodlink.consultation.update",
        target=consultation,
        changes=audit.diff(before, data),
        message="Brouillon modifié.",
    )
    return consultation


@transaction.atomic
def publish_consultation(*, actor, consultation: Consultation) -> int:
    """Publishes the consultation, alerts the matching producers (in Essor and by e-mail);
    returns how many producers were alerted."""
    consultation = _locked(consultation)
    if consultation.status == S.DRAFT and consultation.deadline <= timezone.now():
        raise FoodlinkError(
            "La date limite de réponse est dépassée : modifiez-la avant de publier."
        )
    if consultation.status == S.DRAFT and consultation.delivery_start < timezone.localdate():
        raise FoodlinkError(
            "La période de livraison a commencé : la consultation ne peut pas être publiée."
        )
    consultation.published_at = timezone.now()
    workflow.perform(consultation.publish, actor=actor)
    matches = selectors.matching_for(consultation)
    ConsultationAlert.objects.bulk_create(
        ConsultationAlert(
            consultation=consultation,
            producer_id=match["pk"],
            distance_km=match["distance_km"],
            rank=rank,
        )
        for rank, match in enumerate(matches, start=1)
    )
    notify(
        users=_members([match["organisation_id"] for match in matches]),
        message=(
            f"Nouvelle consultation {with_article(consultation.buyer, 'de')} : {consultation.product} "
            f"({format_quantity(consultation.quantity)} {consultation.get_unit_display()}), réponse "
            f"attendue avant le {long_datetime(consultation.deadline)}."
        ),
        url=_consultation_url(consultation),
        subject=f"Essor — consultation : {consultation.title}",
        category="foodlink.consultation",
    )
    return len(matches)


def _check_responses_are_over(consultation: Consultation) -> None:
    """The rule of `Consultation.close` (its condition), said in French before it refuses."""
    if consultation.status == S.PUBLISHED and not responses_are_over(consultation):
        raise FoodlinkError(
            "Les producteurs peuvent encore répondre jusqu'à la date limite "
            f"({long_datetime(consultation.deadline)}) : les réponses "
            "ne peuvent pas être closes avant."
        )


@transaction.atomic
def close_consultation(*, actor, consultation: Consultation, reason: str = "") -> Consultation:
    consultation = _locked(consultation)
    _check_responses_are_over(consultation)
    workflow.perform(consultation.close, actor=actor, reason=reason)
    return consultation


@transaction.atomic
def cancel_consultation(*, actor, consultation: Consultation, reason: str) -> Consultation:
    consultation = _locked(consultation)
    workflow.perform(consultation.cancel, actor=actor, reason=reason)
    notify(
        users=_members(consultation.alerts.values_list("producer__organisation_id", flat=True)),
        message=f"La consultation « {consultation.title} » a été annulée : {reason.strip()}",
        url=_consultation_url(consultation),
        subject=f"Essor — consultation annulée : {consultation.title}",
        category="foodlink.consultation",
    )
    return consultation


def _decide_offers(*, actor, offers, retained: dict) -> None:
    """Each submitted offer follows the decision: retained for its quantity, or not retained."""
    for offer in offers:
        if offer.pk in retained:
            offer.awarded_quantity = retained[offer.pk]
            workflow.perform(offer.retain, actor=actor)
        elif offer.status == Offer.Status.SUBMITTED:
            workflow.perform(offer.decline, actor=actor)


@transaction.atomic
def declare_unsuccessful(*, actor, consultation: Consultation, reason: str) -> Consultation:
    consultation = _locked(consultation)
    workflow.perform(consultation.declare_unsuccessful, actor=actor, reason=reason)
    offers = list(consultation.offers.select_related("producer").order_by("pk"))
    _decide_offers(actor=actor, offers=offers, retained={})
    notify(
        users=_members([offer.producer.organisation_id for offer in offers]),
        message=f"La consultation « {consultation.title} » est infructueuse : {reason.strip()}",
        url=_consultation_url(consultation),
        subject=f"Essor — consultation infructueuse : {consultation.title}",
        category="foodlink.award",
    )
    return consultation


# --- Offers -------------------------------------------------------------------------------


def _amount_errors(amount: Decimal | None, *, max_digits: int, label: str) -> str | None:
    """Why an amount (already rounded to the cent) is refused, or None."""
    if amount is None or amount <= 0:
        return (
            f"{label} doit être strictement positif (au moins 0,01 € une fois arrondi au centime)."
        )
    if reason := amounts.too_large(amount, max_digits):
        return f"{label} {reason}."
    return None


def _clean_offer(consultation, producer, *, unit_price, quantity, characteristics, now) -> None:
    errors = {}
    if consultation.status != S.PUBLISHED:
        raise FoodlinkError("Cette consultation n'accepte pas d'offre (elle n'est pas publiée).")
    if now >= consultation.deadline:
        raise FoodlinkError(
            "La date limite de réponse est passée "
            f"({long_datetime(consultation.deadline)}) : l'offre est refusée."
        )
    if not consultation.alerts.filter(producer=producer).exists():
        raise FoodlinkError("Ce producteur n'a pas été sollicité pour cette consultation.")
    if reason := _amount_errors(
        unit_price, max_digits=OFFER_PRICE_DIGITS, label="Le prix unitaire HT"
    ):
        errors["unit_price"] = reason
    if quantity is None or quantity <= 0:
        errors["quantity"] = "La quantité proposée doit être strictement positive."
    elif quantity > consultation.quantity:
        errors["quantity"] = (
            f"La quantité proposée dépasse la quantité demandée "
            f"({format_quantity(consultation.quantity)} {consultation.get_unit_display()})."
        )
    unknown = [code for code in characteristics if code not in Characteristic.values]
    if unknown:
        errors["characteristics"] = (
            plural(len(unknown), "Caractéristique inconnue", "Caractéristiques inconnues")
            + " : "
            + ", ".join(unknown)
        )
    else:
        valid = set(
            producer.certifications.filter(expires_on__gte=consultation.delivery_end).values_list(
                "code", flat=True
            )
        )
        missing = [c for c in characteristics if c in CERTIFICATION_CODES and c not in valid]
        if missing:
            errors["characteristics"] = (
                "Certification non détenue ou expirée à la date de livraison : "
                + ", ".join(Characteristic(code).label for code in missing)
                + "."
            )
    if errors:
        raise FoodlinkError(errors)


@transaction.atomic
def submit_offer(
    *,
    actor,
    consultation: Consultation,
    producer: ProducerProfile,
    unit_price: Decimal,
    quantity: Decimal,
    characteristics=(),
    comment: str = "",
) -> Offer:
    """A producer's offer (or its new version) before the deadline; the price is rounded half
    up to the cent before it is checked."""
    consultation = _locked(consultation)
    characteristics = list(dict.fromkeys(characteristics))
    unit_price = amounts.to_cents(unit_price) if unit_price is not None else None
    _clean_offer(
        consultation,
        producer,
        unit_price=unit_price,
        quantity=quantity,
        characteristics=characteristics,
        now=timezone.now(),
    )
    offer, created = Offer.objects.update_or_create(
        consultation=consultation,
        producer=producer,
        defaults={
            "unit_price": unit_price,
            "quantity": quantity,
            "characteristics": characteristics,
            "comment": comment,
            "submitted_by": actor,
        },
    )
    audit.record(
        actor=actor,
        action="foodlink.offer.submit" if created else "foodlink.offer.update",
        target=offer,
        changes={"unit_price": unit_price, "quantity": quantity},
        message="Offre déposée." if created else "Offre modifiée.",
    )
    notify(
        users=_members([consultation.buyer.organisation_id]),
        message=f"{producer} a {'déposé' if created else 'modifié'} une offre pour « {consultation.title} ».",
        url=_consultation_url(consultation),
    )
    return offer


# --- Award --------------------------------------------------------------------------------

AWARD_TOTAL_DIGITS = Award._meta.get_field("total_amount").max_digits


@dataclass
class AwardOutcome:
    award: Award
    retained: list
    guard: dict


def award_consultation(
    *,
    actor,
    consultation: Consultation,
    quantities: dict,
    reason: str = "",
    confirm_threshold: bool = False,
) -> AwardOutcome:
    """Awards one or several offers (partial quantities allowed). The consultation row is locked
    and `Award` is one-to-one with it: two simultaneous clicks award once, the second is refused."""
    try:
        with transaction.atomic():
            return _award(
                actor=actor,
                consultation=consultation,
                quantities=quantities,
                reason=reason,
                confirm_threshold=confirm_threshold,
            )
    except IntegrityError as error:
        raise FoodlinkError("Cette consultation a déjà été attribuée.") from error


def _chosen_quantities(consultation, offers: dict, quantities: dict) -> dict:
    """{offer id: awarded quantity} of the offers chosen; every wrong choice named."""
    chosen = {}
    errors = []
    for offer_id, quantity in quantities.items():
        if quantity in (None, "", 0, Decimal("0")):
            continue
        offer = offers.get(int(offer_id))
        if offer is None:
            errors.append("Une offre choisie n'appartient pas à cette consultation.")
            continue
        if quantity < 0:
            errors.append(
                f"Offre {with_article(offer.producer, 'de')} : la quantité attribuée doit être positive."
            )
        elif quantity > offer.quantity:
            errors.append(
                f"Offre {with_article(offer.producer, 'de')} : la quantité attribuée ({format_quantity(quantity)}) "
                f"dépasse la quantité proposée ({format_quantity(offer.quantity)})."
            )
        else:
            chosen[offer.pk] = quantity
    if not chosen and not errors:
        errors.append("Choisissez au moins une offre et la quantité attribuée.")
    total_quantity = sum(chosen.values(), Decimal("0"))
    if total_quantity > consultation.quantity:
        errors.append(
            f"Les quantités attribuées ({format_quantity(total_quantity)}) dépassent la quantité "
            f"demandée ({format_quantity(consultation.quantity)})."
        )
    if errors:
        raise FoodlinkError(errors)
    return chosen


def _award(*, actor, consultation, quantities, reason, confirm_threshold) -> AwardOutcome:
    consultation = _locked(consultation)
    if consultation.status in (S.AWARDED, S.ORDERED, S.DELIVERED):
        raise FoodlinkError("Cette consultation a déjà été attribuée.")
    if consultation.status == S.PUBLISHED and responses_are_over(consultation):
        workflow.perform(consultation.close, actor=actor, reason="Date limite de réponse atteinte.")
    if consultation.status != S.CLOSED:
        raise FoodlinkError(
            f"Une consultation « {consultation.get_status_display()} » ne peut pas être attribuée."
        )
    offers = {
        offer.pk: offer
        for offer in consultation.offers.select_related("producer__organisation").order_by("pk")
    }
    chosen = _chosen_quantities(consultation, offers, quantities)
    # Each line rounded half up to the cent, as its purchase will be; the total is their sum.
    amount = sum(
        (amounts.line_amount(quantity, offers[pk].unit_price) for pk, quantity in chosen.items()),
        Decimal("0"),
    )
    if reason_too_large := amounts.too_large(amount, AWARD_TOTAL_DIGITS):
        raise FoodlinkError(f"Le montant attribué ({euros(amount)} HT) {reason_too_large}.")
    now = timezone.now()
    guard = selectors.award_guard(
        buyer_id=consultation.buyer_id,
        family=consultation.family,
        year=local_date(now).year,
        amount=amount,
    )
    if guard["crosses"] and not confirm_threshold:
        raise FoodlinkError(
            f"Cette attribution porte les achats de l'année en « {consultation.get_family_display()} » "
            f"à {euros(guard['after'])} HT, au-delà du seuil de {euros(guard['threshold'], 0)} HT "
            "des marchés "
            "sans publicité : confirmez-la expressément après avoir vérifié la procédure."
        )
    retained = [offer for offer in offers.values() if offer.pk in chosen]
    consultation.awarded_at, consultation.awarded_by = now, actor
    workflow.perform(
        consultation.award_offers,
        actor=actor,
        reason=reason
        or f"Attribuée à {', '.join(str(offer.producer) for offer in retained)} ({euros(amount)} HT)."
        + (" Seuil des marchés sans publicité franchi (confirmé)." if guard["crosses"] else ""),
    )
    award = Award.objects.create(
        consultation=consultation,
        decided_by=actor,
        total_amount=amount,
        crosses_threshold=guard["crosses"],
        reason=reason,
    )
    _decide_offers(actor=actor, offers=offers.values(), retained=chosen)
    url = _consultation_url(consultation)
    for offer in retained:
        notify(
            users=_members([offer.producer.organisation_id]),
            message=(
                f"Votre offre pour « {consultation.title} » est retenue : "
                f"{format_quantity(offer.awarded_quantity)} {consultation.get_unit_display()} à "
                f"{euros(offer.unit_price)} HT l'unité. Le bon de commande va suivre."
            ),
            url=url,
            subject=f"Essor — offre retenue : {consultation.title}",
            category="foodlink.award",
        )
    others = [offer.producer.organisation_id for offer in offers.values() if offer.pk not in chosen]
    notify(
        users=_members(others),
        message=f"Votre offre pour « {consultation.title} » n'a pas été retenue. Merci de votre réponse.",
        url=url,
        subject=f"Essor — résultat de la consultation : {consultation.title}",
        category="foodlink.award",
    )
    return AwardOutcome(award=award, retained=retained, guard=guard)


@transaction.atomic
def issue_purchase_orders(*, actor, consultation: Consultation) -> Consultation:
    consultation = _locked(consultation)
    workflow.perform(consultation.order, actor=actor)
    for offer in consultation.offers.filter(status=Offer.Status.RETAINED).select_related(
        "producer"
    ):
        notify(
            users=_members([offer.producer.organisation_id]),
            message=f"Bon de commande {offer.order_number} émis pour « {consultation.title} ».",
            url=reverse("foodlink:purchase_order", kwargs={"pk": offer.pk}),
            subject=f"Essor — bon de commande {offer.order_number}",
            category="foodlink.award",
        )
    return consultation


@transaction.atomic
def confirm_delivery(*, actor, consultation: Consultation, delivered_on: datetime.date) -> list:
    """Delivery confirmed: each retained offer becomes a purchase (EGalim group from the offer)."""
    consultation = _locked(consultation)
    if delivered_on > timezone.localdate():
        raise FoodlinkError("La date de livraison ne peut pas être dans le futur.")
    workflow.perform(
        consultation.deliver,
        actor=actor,
        reason=f"Livraison confirmée le {long_date(delivered_on)}.",
    )
    distances = dict(consultation.alerts.values_list("producer_id", "distance_km"))
    purchases = []
    for offer in consultation.offers.filter(status=Offer.Status.RETAINED).select_related(
        "producer__organisation"
    ):
        egalim = [code for code in offer.characteristics if code in EGALIM_CHARACTERISTICS]
        distance = distances.get(offer.producer_id)
        purchases.append(
            Purchase(
                buyer=consultation.buyer,
                description=f"{consultation.product} ({format_quantity(offer.awarded_quantity)} "
                f"{consultation.get_unit_display()})",
                supplier=offer.producer.organisation.name,
                producer=offer.producer,
                date=delivered_on,
                price_ht=offer.awarded_amount,
                family=consultation.family,
                characteristics=egalim,
                egalim_group=egalim_group(egalim),
                origin=Purchase.Origin.FRANCE,
                is_short_chain=True,
                is_local=True,
                local_definition=Purchase.LocalDefinition.KM,
                local_definition_km=int(round_half_up(distance)) if distance is not None else None,
                source=Purchase.Source.AWARD,
                offer=offer,
                created_by=actor,
            )
        )
    Purchase.objects.bulk_create(purchases)
    return purchases


# --- Purchases ----------------------------------------------------------------------------


@transaction.atomic
def record_purchase(*, actor, buyer: BuyerProfile, **data) -> Purchase:
    characteristics = list(dict.fromkeys(data.pop("characteristics", [])))
    unknown = [code for code in characteristics if code not in EGALIM_CHARACTERISTICS]
    if unknown:
        raise FoodlinkError(
            {
                "characteristics": plural(
                    len(unknown), "Catégorie EGalim inconnue", "Catégories EGalim inconnues"
                )
                + " : "
                + ", ".join(unknown)
            }
        )
    price = data.pop("price_ht", None)
    try:
        price = amounts.to_cents(price) if price is not None else None
    except InvalidOperation as error:
        raise FoodlinkError({"price_ht": f"« {price} » n'est pas un montant."}) from error
    if reason := _amount_errors(price, max_digits=PURCHASE_PRICE_DIGITS, label="Le prix HT"):
        raise FoodlinkError({"price_ht": reason})
    purchase = Purchase(
        buyer=buyer,
        price_ht=price,
        characteristics=characteristics,
        egalim_group=egalim_group(characteristics),
        source=Purchase.Source.MANUAL,
        created_by=actor,
        **data,
    )
    purchase.full_clean()
    purchase.save()
    audit.record(
        actor=actor, action="foodlink.purchase.create", target=purchase, message="Achat saisi."
    )
    return purchase


IMPORT_COLUMNS = [
    "siret",
    "description",
    "fournisseur",
    "date",
    "prix_ht",
    "famille_produits",
    "categories_egalim",
    "origine",
    "est_circuit_court",
    "est_local",
    "definition_local",
    "definition_local_km",
]
TRUE_VALUES = {"OUI", "oui", "x"}
FALSE_VALUES = {"non", "NON", ""}


class PurchaseImportError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PurchaseImportError(
            ["Le fichier n'est pas encodé en UTF-8 : enregistrez-le en « CSV UTF-8 » et réessayez."]
        ) from error


def _parse_row(line: int, row: dict, buyers: dict, errors: list[str]) -> Purchase | None:
    def error(column: str, reason: str) -> None:
        errors.append(f"Ligne {line}, colonne « {column} » : {reason}")

    count = len(errors)
    siret = (row.get("siret") or "").strip().replace(" ", "")
    buyer = buyers.get(siret)
    if not siret:
        error("siret", "le SIRET de la cantine est obligatoire.")
    elif buyer is None:
        error("siret", f"aucune cantine que vous gérez n'a le SIRET « {siret} ».")
    description = (row.get("description") or "").strip()
    if not description:
        error("description", "la description de l'achat est obligatoire.")
    elif len(description) > 255:
        error("description", "la description dépasse 255 caractères.")
    raw_date = (row.get("date") or "").strip()
    date = None
    try:
        date = datetime.datetime.strptime(raw_date, "%Y-%m-%d").date()
    except ValueError:
        error("date", f"« {raw_date} » n'est pas une date au format AAAA-MM-JJ.")
    raw_price = (row.get("prix_ht") or "").strip()
    price = None
    try:
        price = amounts.to_cents(Decimal(raw_price))
    except InvalidOperation:
        error(
            "prix_ht",
            f"« {raw_price} » n'est pas un nombre (utilisez le point comme séparateur décimal).",
        )
    else:
        # Checked once rounded half up to the cent, as it will be stored.
        if price <= 0:
            rounded = " une fois arrondi au centime" if Decimal(raw_price) > 0 else ""
            error(
                "prix_ht", f"le prix HT doit être strictement positif{rounded} (« {raw_price} »)."
            )
            price = None
        elif reason := amounts.too_large(price, PURCHASE_PRICE_DIGITS):
            error("prix_ht", f"le prix HT {reason} (« {raw_price} »).")
            price = None
    family = (row.get("famille_produits") or "").strip()
    if family not in Family.values:
        error(
            "famille_produits",
            f"famille « {family} » inconnue (attendu : {', '.join(Family.values)})."
            if family
            else "la famille de produits est obligatoire.",
        )
    raw_categories = (row.get("categories_egalim") or "").strip()
    categories = [code.strip() for code in raw_categories.split(",")] if raw_categories else []
    unknown = [code for code in categories if code not in EGALIM_CHARACTERISTICS]
    if unknown:
        error(
            "categories_egalim",
            f"{plural(len(unknown), 'catégorie inconnue', 'catégories inconnues')} : {', '.join(unknown)}.",
        )
    origin = (row.get("origine") or "").strip()
    if origin not in ("", "FRANCE", "EUROPE"):
        error("origine", f"« {origin} » : une seule origine, FRANCE ou EUROPE.")
    flags = {}
    for column in ("est_circuit_court", "est_local"):
        value = (row.get(column) or "").strip()
        if value in TRUE_VALUES:
            flags[column] = True
        elif value in FALSE_VALUES:
            flags[column] = False
        else:
            error(column, f"« {value} » : attendu OUI, oui, x, non, NON ou vide.")
    definition = (row.get("definition_local") or "").strip()
    if definition not in Purchase.LocalDefinition.values:
        error(
            "definition_local",
            f"« {definition} » inconnue (attendu : PAT, COMMUNE, DEPARTEMENT, REGION ou KM).",
        )
    raw_km = (row.get("definition_local_km") or "").strip()
    km = None
    if raw_km:
        try:
            km = Decimal(raw_km)
            if not km.is_finite() or km < 0:
                raise InvalidOperation
            km = int(km.to_integral_value(rounding=ROUND_HALF_UP))
        except InvalidOperation:
            error("definition_local_km", f"« {raw_km} » n'est pas une distance en kilomètres.")
        else:
            if km > MAX_KM:
                error("definition_local_km", f"« {raw_km} » : la distance est trop grande.")
    if len(errors) > count:
        return None
    return Purchase(
        buyer=buyer,
        description=description,
        supplier=(row.get("fournisseur") or "").strip()[:255],
        date=date,
        price_ht=price,
        family=family,
        characteristics=list(dict.fromkeys(categories)),
        egalim_group=egalim_group(categories),
        origin=origin,
        is_short_chain=flags["est_circuit_court"],
        is_local=flags["est_local"],
        local_definition=definition,
        local_definition_km=km,
        source=Purchase.Source.IMPORT,
    )


# The largest distance the column holds on every database (a PostgreSQL integer).
MAX_KM = 2_147_483_647


def _previous_import(digest: str) -> PurchaseImport | None:
    return PurchaseImport.objects.filter(file_hash=digest).first()


def _already_imported(previous: PurchaseImport | None) -> PurchaseImportError:
    when = (
        f" le {long_datetime(previous.created_at)} ({previous.row_count} achats)"
        if previous is not None
        else ""
    )
    return PurchaseImportError(
        [f"Ce fichier a déjà été importé{when} : il n'est pas importé une seconde fois."]
    )


# What each constraint of `Purchase` checks: the CSV column and the constraint's own message.
_CONSTRAINT_COLUMNS = {
    "purchase_price_positive": "prix_ht",
    "purchase_family_known": "famille_produits",
    "purchase_egalim_group_known": "categories_egalim",
}


def _database_refusal(line: int, error: DatabaseError) -> str:
    """A line the database refused, in French: its line, the column and the reason when the
    refusal is one of `Purchase`'s constraints, else the database's own words."""
    text = str(error)
    for constraint in Purchase._meta.constraints:
        if constraint.name in text:
            column = _CONSTRAINT_COLUMNS.get(constraint.name)
            where = f"Ligne {line}, colonne « {column} »" if column else f"Ligne {line}"
            return f"{where} : {constraint.violation_error_message}"
    return f"Ligne {line} : la base de données refuse cet achat ({text.strip()})."


def _save_batch(*, actor, digest: str, filename: str, purchases: list) -> PurchaseImport:
    batch = PurchaseImport.objects.create(
        file_hash=digest, filename=filename[:255], row_count=len(purchases), imported_by=actor
    )
    for purchase in purchases:
        purchase.purchase_import = batch
        purchase.created_by = actor
    Purchase.objects.bulk_create(purchases, batch_size=1000)
    return batch


def _refused_lines(*, actor, digest: str, filename: str, lines: list) -> list[str]:
    """After a database refusal of the whole batch: each line inserted on its own (in a
    transaction rolled back at the end) to name the lines refused and why."""
    refused = []
    with transaction.atomic():
        batch = PurchaseImport.objects.create(
            file_hash=digest, filename=filename[:255], row_count=len(lines), imported_by=actor
        )
        for line, purchase in lines:
            purchase.purchase_import, purchase.created_by = batch, actor
            try:
                with transaction.atomic():
                    Purchase.objects.bulk_create([purchase])
            except (IntegrityError, DataError) as error:
                refused.append(_database_refusal(line, error))
        transaction.set_rollback(True)
    return refused


def import_purchases(*, actor, content: bytes, filename: str, buyers) -> PurchaseImport:
    """Imports a purchase CSV in the national format: all lines or none, one French message per
    wrong line and cell; the same file (SHA-256) is refused twice."""
    digest = hashlib.sha256(content).hexdigest()
    previous = _previous_import(digest)
    if previous is not None:
        raise _already_imported(previous)
    text = _decode(content)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fieldnames = csvfiles.header(reader)
    except csvfiles.UnreadableCsv as error:
        raise PurchaseImportError([error.message]) from None
    header = [name.strip() for name in (fieldnames or [])]
    missing = [column for column in IMPORT_COLUMNS if column not in header]
    if missing:
        raise PurchaseImportError(
            [
                f"Ligne 1 : {plural(len(missing), 'colonne manquante', 'colonnes manquantes')} : {', '.join(missing)}."
            ]
        )
    reader.fieldnames = header
    by_siret = {buyer.siret: buyer for buyer in buyers}
    errors: list[str] = []
    lines: list[tuple[int, Purchase]] = []
    try:
        for line, row in csvfiles.numbered_rows(reader):
            if None in row:
                errors.append(
                    f"Ligne {line} : trop de cellules ({len(header) + len(row[None])} pour {len(header)} colonnes)."
                )
                continue
            if not any((value or "").strip() for value in row.values()):
                continue
            purchase = _parse_row(line, row, by_siret, errors)
            if purchase is not None:
                lines.append((line, purchase))
    except csvfiles.UnreadableCsv as error:
        errors.append(error.message)
    if not lines and not errors:
        errors.append("Le fichier ne contient aucun achat.")
    if errors:
        raise PurchaseImportError(errors)
    purchases = [purchase for _, purchase in lines]
    try:
        with transaction.atomic():
            batch = _save_batch(actor=actor, digest=digest, filename=filename, purchases=purchases)
            audit.record(
                actor=actor,
                action="foodlink.purchase.import",
                target=batch,
                message=f"{len(purchases)} achats importés depuis {filename}.",
            )
    except (IntegrityError, DataError) as error:
        # Only the unique hash means « already imported » (the same file saved in the meantime);
        # any other refusal is a line's, named with its line, column and reason.
        previous = _previous_import(digest)
        if previous is not None:
            raise _already_imported(previous) from error
        for purchase in purchases:
            purchase.pk = None
        refused = _refused_lines(actor=actor, digest=digest, filename=filename, lines=lines)
        raise PurchaseImportError(
            refused or [f"La base de données refuse l'import ({str(error).strip()})."]
        ) from error
    return batch


def export_rows(purchases):
    """Rows of the national CSV format (`macantine-achats-siret.schema.json`), header excluded."""
    for purchase in purchases:
        yield [
            purchase.buyer.siret,
            purchase.description,
            purchase.supplier,
            purchase.date.isoformat(),
            round_half_up(purchase.price_ht, 2),
            purchase.family,
            ",".join(purchase.characteristics),
            purchase.origin,
            "OUI" if purchase.is_short_chain else "",
            "OUI" if purchase.is_local else "",
            purchase.local_definition if purchase.is_local else "",
            purchase.local_definition_km
            if purchase.is_local
            and purchase.local_definition == "KM"
            and purchase.local_definition_km is not None
            else "",
        ]


def write_export(stream, purchases) -> int:
    """The national format as ma-cantine reads it (comma, LF, no BOM), formula-safe like every
    export (core.exports): free text only can begin with = + - @, the coded columns cannot."""
    return write_csv(
        stream,
        IMPORT_COLUMNS,
        export_rows(purchases),
        delimiter=",",
        bom=False,
        lineterminator="\n",
    )


def write_macantine_bilans(stream, bilans) -> int:
    """ma-cantine's « bilan simple » (`macantine-bilans-simple-siret.schema.json`): the schema's
    header in its order, one row per SIRET, the year as four digits, amounts HT with a point and
    two decimals (the schema's numbers: no thousands separator); comma, LF, UTF-8 without BOM,
    like the purchases' file ma-cantine reads."""
    return write_csv(
        stream,
        BILAN_COLUMNS,
        (bilan.row() for bilan in bilans),
        delimiter=",",
        bom=False,
        lineterminator="\n",
    )
