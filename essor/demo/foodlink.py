"""Demo data of the foodlink module: 60 producers (the CUD and the Pays des Moulins de Flandre),
15 canteens, consultations in every state, two years of purchases. Fictional names and
identifiers; everything hangs off organisations flagged `is_demo`, so `remove` is one delete."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from essor.accounts.models import Role
from essor.core.formats import with_article
from essor.core.models import Notification
from essor.demo import identifiers
from essor.directory.models import FactSource, Organisation
from essor.foodlink import selectors, services
from essor.foodlink.models import (
    ALL_MONTHS_MASK,
    Award,
    BuyerProfile,
    Consultation,
    ConsultationAlert,
    Offer,
    ProducerCertification,
    ProducerProduct,
    ProducerProfile,
    ProducerRevision,
    Purchase,
    months_to_mask,
)

PRODUCER_COUNT = 60
CANTEEN_COUNT = 15
S = Consultation.Status

FARM_KINDS = (
    ("Ferme", "6598"),
    ("GAEC", "6533"),
    ("EARL", "6598"),
    ("Maraîchers", "5499"),
    ("Verger", "6598"),
    ("Fromagerie", "5499"),
    ("Brasserie", "5499"),
    ("Fournil", "5499"),
    ("Pêcherie", "5499"),
)
FARM_NAMES = (
    "du Houtland",
    "des Moëres",
    "du Blootland",
    "de la Colme",
    "des Wateringues",
    "du Mont des Récollets",
    "de l'Yser",
    "du Kruysbeke",
    "des Quatre Vents",
    "du Vieux Moulin",
    "de la Becque",
    "des Trois Chênes",
    "du Pont Rouge",
    "de la Haute Digue",
    "du Clos Saint-Éloi",
)

# (family, product, months available)
CATALOGUE = {
    "FRUITS_ET_LEGUMES": [
        ("Pommes de terre", list(range(1, 13))),
        ("Carottes", [1, 2, 3, 7, 8, 9, 10, 11, 12]),
        ("Endives", [1, 2, 3, 4, 10, 11, 12]),
        ("Poireaux", [1, 2, 3, 9, 10, 11, 12]),
        ("Choux-fleurs", [6, 7, 8, 9, 10, 11]),
        ("Pommes", [1, 2, 3, 4, 9, 10, 11, 12]),
        ("Fraises", [5, 6, 7]),
        ("Tomates", [6, 7, 8, 9]),
    ],
    "PRODUITS_LAITIERS": [
        ("Lait cru", list(range(1, 13))),
        ("Yaourts fermiers", list(range(1, 13))),
        ("Fromage de Bergues", list(range(1, 13))),
        ("Beurre", list(range(1, 13))),
    ],
    "VIANDES_VOLAILLES": [
        ("Volailles fermières", list(range(1, 13))),
        ("Bœuf race flamande", list(range(1, 13))),
        ("Agneau", [3, 4, 5, 6, 7, 8, 9]),
    ],
    "CHARCUTERIE": [("Pâté flamand", list(range(1, 13)))],
    "PRODUITS_DE_LA_MER": [
        ("Harengs", [10, 11, 12, 1, 2]),
        ("Moules", [7, 8, 9, 10, 11, 12, 1]),
    ],
    "BOULANGERIE": [("Pain de campagne", list(range(1, 13))), ("Cramique", list(range(1, 13)))],
    "BOISSONS": [("Jus de pomme", list(range(1, 13))), ("Bière de garde", list(range(1, 13)))],
    "AUTRES": [("Miel", list(range(1, 13))), ("Œufs", list(range(1, 13)))],
}
# What a trade sells, {family: products} (None: the whole family): a bakery sells bread, not
# beef; an orchard fruit and its juice. Farms, GAEC and EARL sell what a farm produces.
SPECIALITIES = {
    "Fromagerie": {"PRODUITS_LAITIERS": None},
    "Brasserie": {"BOISSONS": ("Bière de garde",)},
    "Fournil": {"BOULANGERIE": None},
    "Pêcherie": {"PRODUITS_DE_LA_MER": None},
    "Verger": {"FRUITS_ET_LEGUMES": ("Pommes", "Fraises"), "BOISSONS": ("Jus de pomme",)},
    "Maraîchers": {"FRUITS_ET_LEGUMES": None},
}
FARM_FAMILIES = (
    "FRUITS_ET_LEGUMES",
    "PRODUITS_LAITIERS",
    "VIANDES_VOLAILLES",
    "CHARCUTERIE",
    "AUTRES",
)
# How a product is counted in a consultation (kg otherwise): milk and drinks in litres.
UNIT_OF_PRODUCT = {
    "Lait cru": Consultation.Unit.L,
    "Jus de pomme": Consultation.Unit.L,
    "Bière de garde": Consultation.Unit.L,
    "Yaourts fermiers": Consultation.Unit.PIECE,
    "Œufs": Consultation.Unit.PIECE,
}
# Unit prices (€ HT) of a consultation's products, per their unit; the family's price otherwise.
UNIT_PRICE_OF_PRODUCT = {
    "Lait cru": Decimal("1.10"),
    "Yaourts fermiers": Decimal("0.45"),
    "Fromage de Bergues": Decimal("16.50"),
    "Beurre": Decimal("11.00"),
}
CANTEENS = (
    ("Restaurant scolaire", BuyerProfile.Sector.SCHOOL, "direct"),
    ("Cuisine centrale", BuyerProfile.Sector.SCHOOL, "direct"),
    ("EHPAD Les Dunes", BuyerProfile.Sector.SOCIAL, "conceded"),
    ("Restaurant administratif", BuyerProfile.Sector.ADMINISTRATION, "conceded"),
    ("Collège", BuyerProfile.Sector.SCHOOL, "direct"),
)
UNIT_PRICES = {
    "FRUITS_ET_LEGUMES": Decimal("1.40"),
    "PRODUITS_LAITIERS": Decimal("0.45"),
    "VIANDES_VOLAILLES": Decimal("9.80"),
    "CHARCUTERIE": Decimal("12.50"),
    "PRODUITS_DE_LA_MER": Decimal("8.20"),
    "BOULANGERIE": Decimal("3.10"),
    "BOISSONS": Decimal("2.20"),
    "AUTRES": Decimal("6.00"),
}


def trade_catalogue(kind: str) -> dict[str, list]:
    """{family: [(product, months)]} that a producer of this trade (« Fournil », « Ferme »…)
    may sell."""
    speciality = SPECIALITIES.get(kind) or dict.fromkeys(FARM_FAMILIES)
    return {
        family: [entry for entry in CATALOGUE[family] if names is None or entry[0] in names]
        for family, names in speciality.items()
    }


def _organisations(ctx, sirens, names, legal_categories, activity):
    organisations = [
        Organisation(
            siren=siren,
            name=name,
            legal_category=legal_category,
            is_ess=False,
            is_active=True,
            activity=activity,
            is_demo=True,
            field_sources={"name": {"source": FactSource.DEMO, "date": ctx.today.isoformat()}},
        )
        for siren, name, legal_category in zip(sirens, names, legal_categories, strict=True)
    ]
    return Organisation.objects.bulk_create(organisations)


def _producers(ctx, sirens):
    rng = ctx.rng
    cud, partner = list(ctx.communes), list(ctx.partner_communes or ctx.communes)
    combinations = [(kind, place) for kind in FARM_KINDS for place in FARM_NAMES]
    chosen = rng.sample(combinations, PRODUCER_COUNT)  # 135 combinations: no duplicate name
    names = [f"{kind} {place}" for (kind, _), place in chosen]
    kinds = [kind for (kind, _), _ in chosen]
    categories = [category for (_, category), _ in chosen]
    organisations = _organisations(ctx, sirens, names, categories, "Production agricole locale")
    cud_territory = cud[0].territories.order_by("-is_main").first() if cud else None
    partner_territory = (
        partner[0].territories.exclude(pk=getattr(cud_territory, "pk", None)).first()
        if partner
        else None
    )
    producers = []
    for index, organisation in enumerate(organisations):
        in_partner = index % 12 >= 7  # 25 of 60 in the partner territory
        commune = rng.choice(partner if in_partner else cud)
        producers.append(
            ProducerProfile(
                organisation=organisation,
                territory=partner_territory if in_partner else cud_territory,
                commune=commune,
                address=f"{rng.randint(1, 90)} chemin du {rng.choice(['Moulin', 'Canal', 'Calvaire', 'Marais'])}",
                latitude=round(commune.latitude + rng.uniform(-0.02, 0.02), 6),
                longitude=round(commune.longitude + rng.uniform(-0.03, 0.03), 6),
                presentation=f"{organisation.name} : exploitation familiale, vente directe et "
                "livraison de la restauration collective.",
                delivery_radius_km=rng.choice([15, 25, 30, 40, 50, 60]),
                delivery_days=sorted(rng.sample(range(5), rng.randint(1, 3))),
                minimum_order=Decimal(rng.choice([0, 30, 50, 80, 100])),
                contact_name=f"{rng.choice(['Marie', 'Jean', 'Sophie', 'Luc', 'Anne', 'Pierre'])} "
                f"{rng.choice(['Vandewalle', 'Deconinck', 'Verstraete', 'Lefebvre', 'Maes', 'Dewulf'])}",
                contact_email=f"contact{index + 1}@ferme-demo.essor.fr",
                contact_phone=f"03 28 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                is_published=index not in (58, 59),
                validated_at=timezone.now() if index not in (58, 59) else None,
            )
        )
    ProducerProfile.objects.bulk_create(producers)
    products, certifications = [], []
    for producer, kind in zip(producers, kinds, strict=True):
        catalogue = trade_catalogue(kind)
        families = [rng.choice(list(catalogue))]
        if kind not in SPECIALITIES or len(catalogue) > 1:
            if rng.random() < 0.5:
                families.append(rng.choice(list(catalogue)))
            if "FRUITS_ET_LEGUMES" in catalogue and rng.random() < 0.4:
                families.append("FRUITS_ET_LEGUMES")
        seen = set()
        producer.demo_kind = kind
        producer.demo_families = set(families)
        for family in families:
            for name, months in rng.sample(catalogue[family], min(2, len(catalogue[family]))):
                if name not in seen:
                    seen.add(name)
                    products.append(
                        ProducerProduct(
                            producer=producer,
                            family=family,
                            name=name,
                            months_mask=months_to_mask(months) or ALL_MONTHS_MASK,
                        )
                    )
        for code in rng.sample(["BIO", "HVE", "LABEL_ROUGE", "IGP"], rng.choice([0, 1, 1, 2])):
            expired = rng.random() < 0.1
            certifications.append(
                ProducerCertification(
                    producer=producer,
                    code=code,
                    expires_on=ctx.today
                    + datetime.timedelta(
                        days=-rng.randint(10, 200) if expired else rng.randint(60, 700)
                    ),
                    certifier=rng.choice(["Ecocert", "Bureau Veritas", "Certipaq", "Qualisud"]),
                )
            )
    ProducerProduct.objects.bulk_create(products)
    ProducerCertification.objects.bulk_create(certifications)
    return producers


def _canteens(ctx, sirens):
    rng = ctx.rng
    communes = list(ctx.communes) + list(ctx.partner_communes)
    names, chosen = [], []
    for index in range(CANTEEN_COUNT):
        commune = communes[index % len(communes)]
        label, _, _ = CANTEENS[index % len(CANTEENS)]
        names.append(f"{label} {with_article(commune.name, 'de')}")
        chosen.append(commune)
    organisations = _organisations(
        ctx, sirens, names, ["7210"] * CANTEEN_COUNT, "Restauration collective"
    )
    buyers = []
    for index, (organisation, commune) in enumerate(zip(organisations, chosen, strict=True)):
        _, sector, mode = CANTEENS[index % len(CANTEENS)]
        buyers.append(
            BuyerProfile(
                organisation=organisation,
                name=organisation.name,
                siret=identifiers.siret(organisation.siren, 1),
                sector=sector,
                meals_per_day=rng.choice([80, 150, 240, 400, 900, 1800]),
                management_mode=mode,
                delivery_address=f"{rng.randint(1, 60)} rue de l'École, {commune.name}",
                commune=commune,
                latitude=commune.latitude,
                longitude=commune.longitude,
            )
        )
    return BuyerProfile.objects.bulk_create(buyers)


def _consultations(ctx, buyers, producers, manager):
    """Consultations in every state, for the demo canteen and a few others."""
    rng, today, now = ctx.rng, ctx.today, timezone.now()
    by_pk = {producer.pk: producer for producer in producers}
    plans = []
    for index, buyer in enumerate(buyers[:6]):
        for status in S.values:
            if index and rng.random() < 0.5:
                continue
            plans.append((buyer, status))
    consultations, alerts, offers, awards, purchases = [], [], [], [], []
    for number, (buyer, status) in enumerate(plans):
        family = rng.choice(["FRUITS_ET_LEGUMES", "PRODUITS_LAITIERS", "VIANDES_VOLAILLES"])
        product = rng.choice(CATALOGUE[family])[0]
        past = status in (S.CLOSED, S.AWARDED, S.ORDERED, S.DELIVERED, S.UNSUCCESSFUL)
        if status == S.DELIVERED:
            start = today - datetime.timedelta(days=rng.randint(10, 60))
        elif past:
            start = today + datetime.timedelta(days=rng.randint(3, 10))
        else:
            start = today + datetime.timedelta(days=rng.randint(15, 40))
        deadline = (
            now - datetime.timedelta(days=rng.randint(1, 5))
            if past or status == S.CANCELLED
            else now + datetime.timedelta(days=rng.randint(3, 10))
        )
        if status == S.DELIVERED:
            deadline = timezone.make_aware(
                datetime.datetime.combine(start - datetime.timedelta(days=5), datetime.time(12))
            )
        quantity = Decimal(rng.choice([50, 80, 120, 200, 300]))
        consultations.append(
            Consultation(
                buyer=buyer,
                title=f"{product} — {buyer.name}",
                family=family,
                product=product,
                quantity=quantity,
                unit=UNIT_OF_PRODUCT.get(product, Consultation.Unit.KG),
                delivery_start=start,
                delivery_end=start + datetime.timedelta(days=rng.randint(0, 5)),
                delivery_address=buyer.delivery_address,
                delivery_latitude=buyer.latitude,
                delivery_longitude=buyer.longitude,
                required_characteristics=["BIO"] if number % 5 == 0 else [],
                max_distance_km=rng.choice([30, 50, 80]),
                deadline=deadline,
                status=status,
                created_by=manager,
                published_at=None if status == S.DRAFT else deadline - datetime.timedelta(days=10),
                awarded_at=deadline + datetime.timedelta(hours=20)
                if status in (S.AWARDED, S.ORDERED, S.DELIVERED)
                else None,
                awarded_by=manager if status in (S.AWARDED, S.ORDERED, S.DELIVERED) else None,
            )
        )
    Consultation.objects.bulk_create(consultations)
    for consultation in consultations:
        if consultation.status == S.DRAFT:
            continue
        matches = selectors.matching_for(consultation)[:8]
        for rank, match in enumerate(matches, start=1):
            alerts.append(
                ConsultationAlert(
                    consultation=consultation,
                    producer_id=match["pk"],
                    distance_km=match["distance_km"],
                    rank=rank,
                )
            )
        if consultation.status in (S.DRAFT, S.CANCELLED) or not matches:
            continue
        if consultation.status == S.UNSUCCESSFUL:
            continue
        responders = matches[: rng.randint(1, min(3, len(matches)))]
        remaining = consultation.quantity
        base = UNIT_PRICE_OF_PRODUCT.get(consultation.product, UNIT_PRICES[consultation.family])
        awarded = consultation.status in (S.AWARDED, S.ORDERED, S.DELIVERED)
        consultation_offers = []
        for position, match in enumerate(responders):
            producer = by_pk[match["pk"]]
            offered = (
                consultation.quantity
                if position == 0
                else (consultation.quantity / 2).quantize(Decimal("1"))
            )
            granted = None
            if awarded and remaining > 0 and position < 2:
                granted = min(
                    offered,
                    remaining
                    if position
                    else (consultation.quantity * Decimal("0.6")).quantize(Decimal("1")),
                )
                remaining -= granted
            offer = Offer(
                consultation=consultation,
                producer=producer,
                unit_price=(base * Decimal(str(rng.uniform(0.85, 1.25)))).quantize(Decimal("0.01")),
                quantity=offered,
                characteristics=consultation.required_characteristics
                or rng.choice([[], ["HVE"], ["FERMIER"]]),
                comment=rng.choice(
                    ["", "Livraison le mardi matin.", "Produits lavés et calibrés."]
                ),
                status=(Offer.Status.RETAINED if granted else Offer.Status.NOT_RETAINED)
                if awarded
                else Offer.Status.SUBMITTED,
                awarded_quantity=granted,
            )
            consultation_offers.append(offer)
        offers.extend(consultation_offers)
        consultation._demo_offers = consultation_offers
    ConsultationAlert.objects.bulk_create(alerts)
    Offer.objects.bulk_create(offers)
    for consultation in consultations:
        retained = [o for o in getattr(consultation, "_demo_offers", []) if o.awarded_quantity]
        if consultation.status not in (S.AWARDED, S.ORDERED, S.DELIVERED):
            continue
        if not retained:
            # No producer answered: the consultation stays closed.
            Consultation.objects.filter(pk=consultation.pk).update(
                status=S.CLOSED, awarded_at=None, awarded_by=None
            )
            continue
        awards.append(
            Award(
                consultation=consultation,
                decided_by=manager,
                total_amount=sum((o.awarded_amount for o in retained), Decimal("0")),
            )
        )
        if consultation.status == S.DELIVERED:
            for offer in retained:
                egalim = [c for c in offer.characteristics if c != "FRANCE"]
                purchases.append(
                    Purchase(
                        buyer=consultation.buyer,
                        description=consultation.product,
                        supplier=offer.producer.organisation.name,
                        producer=offer.producer,
                        date=consultation.delivery_end,
                        price_ht=offer.awarded_amount,
                        family=consultation.family,
                        characteristics=egalim,
                        egalim_group=services.egalim_group(egalim),
                        origin="FRANCE",
                        is_short_chain=True,
                        is_local=True,
                        local_definition="KM",
                        source=Purchase.Source.AWARD,
                        offer=offer,
                    )
                )
    Award.objects.bulk_create(awards)
    Purchase.objects.bulk_create(purchases)
    return len(consultations)


def _purchases(ctx, buyers, producers):
    """Two calendar years of purchases (last year and this year to date), EGalim rates that vary
    from one canteen to another."""
    rng, today = ctx.rng, ctx.today
    suppliers = ["Grossiste du Littoral", "Centrale d'achat régionale", "Épicerie de gros Flandre"]
    rows = []
    families = list(CATALOGUE)
    sellers_of = {
        family: [producer for producer in producers if family in producer.demo_families]
        for family in families
    }
    for buyer in buyers:
        bio_share = rng.uniform(0.08, 0.3)
        quality_share = rng.uniform(0.15, 0.35)
        local_share = rng.uniform(0.1, 0.4)
        for year in (today.year - 1, today.year):
            end = today if year == today.year else datetime.date(year, 12, 31)
            start = datetime.date(year, 1, 1)
            span = (end - start).days
            count = max(10, int(120 * (span + 1) / 365))
            for _ in range(count):
                family = rng.choice(families)
                draw = rng.random()
                if draw < bio_share:
                    codes = ["BIO"]
                elif draw < bio_share + quality_share:
                    codes = [rng.choice(["LABEL_ROUGE", "AOCAOP", "IGP", "HVE", "FERMIER"])]
                elif draw < bio_share + quality_share + 0.05:
                    codes = ["EXTERNALITES"]
                else:
                    codes = []
                # A local purchase is bought from a producer who sells that family.
                sellers = sellers_of[family]
                local = bool(sellers) and rng.random() < local_share
                producer = rng.choice(sellers) if local else None
                rows.append(
                    Purchase(
                        buyer=buyer,
                        description=rng.choice(CATALOGUE[family])[0],
                        supplier=producer.organisation.name if producer else rng.choice(suppliers),
                        producer=producer,
                        date=start + datetime.timedelta(days=rng.randint(0, span)),
                        price_ht=(UNIT_PRICES[family] * rng.randint(10, 120)).quantize(
                            Decimal("0.01")
                        ),
                        family=family,
                        characteristics=codes,
                        egalim_group=services.egalim_group(codes),
                        origin="FRANCE" if local or rng.random() < 0.6 else "EUROPE",
                        is_short_chain=local and rng.random() < 0.7,
                        is_local=local,
                        local_definition="KM" if local else "",
                        local_definition_km=rng.choice([20, 40, 60]) if local else None,
                        source=Purchase.Source.MANUAL,
                    )
                )
    Purchase.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def load(ctx) -> str:
    taken = set(Organisation.objects.exclude(siren=None).values_list("siren", flat=True))
    sirens = identifiers.draw_sirens(ctx.rng, PRODUCER_COUNT + CANTEEN_COUNT, exclude=taken)
    producers = _producers(ctx, sirens[:PRODUCER_COUNT])
    buyers = _canteens(ctx, sirens[PRODUCER_COUNT:])
    farmer = ctx.demo_user(
        "producteur",
        "Paul Verlinde (producteur)",
        producers[0].organisation,
        Role.ORGANISATION_ADMIN,
    )
    manager = ctx.demo_user(
        "cantine", "Claire Vandamme (cantine)", buyers[0].organisation, Role.ORGANISATION_ADMIN
    )
    # A pending edit of a producer for the agency to validate: a product of its own trade.
    pending = producers[58]
    family, catalogue = next(iter(trade_catalogue(pending.demo_kind).items()))
    name, months = catalogue[-1]
    ProducerRevision.objects.create(
        producer=pending,
        proposed_by=farmer,
        data={
            "profile": {"presentation": "Nouvelle présentation proposée par le producteur."},
            "products": [{"family": family, "name": name, "months": months}],
            "certifications": [],
        },
    )
    consultation_count = _consultations(ctx, buyers, producers, manager)
    # The demo producer's alerts, as it would have received them.
    Notification.objects.bulk_create(
        Notification(
            user=farmer,
            message=f"Nouvelle consultation {with_article(alert.consultation.buyer, 'de')} : "
            f"{alert.consultation.product}.",
            url=reverse("foodlink:consultation_detail", kwargs={"pk": alert.consultation_id}),
        )
        for alert in ConsultationAlert.objects.filter(producer=producers[0]).select_related(
            "consultation__buyer"
        )
    )
    purchase_count = _purchases(ctx, buyers, producers)
    return (
        f"Circuits courts : {len(producers)} producteurs, {len(buyers)} cantines, "
        f"{consultation_count} consultations, {purchase_count} achats sur deux ans."
    )


def remove() -> None:
    demo = Organisation.objects.filter(is_demo=True)
    Purchase.objects.filter(buyer__organisation__in=demo).delete()
    Consultation.objects.filter(buyer__organisation__in=demo).delete()
    BuyerProfile.objects.filter(organisation__in=demo).delete()
    ProducerProfile.objects.filter(organisation__in=demo).delete()
