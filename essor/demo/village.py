"""Demo data of the village module: this year's Village des solidarités, its call open, three
zones and 42 stands on the plan, a published grid, and 40 structures of the directory at every
step of the call (most accepted or confirmed, with their stand)."""

import datetime
import hashlib
import secrets
from decimal import Decimal

from django.utils import timezone

from essor.village.models import (
    Animation,
    Draw,
    DrawEntry,
    Edition,
    ExhibitorApplication,
    Passport,
    Question,
    ReviewCriterion,
    ReviewMark,
    Route,
    RouteStop,
    Stamp,
    Stand,
    StandKey,
    Zone,
    new_passport_code,
)
from essor.village.services import draw_order

Status = ExhibitorApplication.Status
ZONES = (
    ("Manger local", "Circuits courts, épiceries solidaires, jardins partagés", "#dff0d8"),
    ("Réemploi et climat", "Ressourceries, réparation, mobilité douce", "#fcefd4"),
    ("Solidarités et emploi", "Insertion, aide à domicile, accès aux droits", "#e1e6f7"),
)
CRITERIA = (
    ("Diversité des secteurs", "Un secteur peu représenté parmi les exposants retenus.", 3),
    ("Première participation", "La structure n'a jamais exposé au Village.", 2),
    ("Quartier prioritaire", "La structure agit dans un quartier prioritaire de la ville.", 2),
)
ANIMATIONS = (
    (
        "Atelier de réparation de vélos",
        "Les visiteurs réparent une crevaison avec nos mécaniciens.",
    ),
    ("Dégustation de légumes oubliés", "Panais, topinambours et rutabagas, cuisinés sur place."),
    ("Quiz du réemploi", "Deviner la seconde vie de dix objets de la ressourcerie."),
    ("Jeu de l'oie de l'emploi", "Un parcours pour découvrir les métiers de l'insertion."),
    ("Fresque du climat express", "Une version courte de la fresque, en famille."),
)
# (status, how many), in the order the structures are drawn.
STEPS = (
    (Status.CONFIRMED, 24),
    (Status.ACCEPTED, 6),
    (Status.SUBMITTED, 4),
    (Status.WAITING_LIST, 3),
    (Status.REJECTED, 2),
    (Status.DRAFT, 1),
)
STANDS_PER_ROW = 7


def load(ctx) -> str:
    past = _past_edition(ctx)
    upcoming = _upcoming_edition(ctx)
    return f"{past} ; {upcoming}"


def _upcoming_edition(ctx) -> str:
    rng = ctx.rng
    starts_on = ctx.today + datetime.timedelta(days=75)
    edition = Edition.objects.create(
        name=f"Village des solidarités {starts_on.year}",
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=1),
        place="Place Jean-Bart, Dunkerque",
        opening_hours="10 h – 18 h",
        call_closes_on=ctx.today + datetime.timedelta(days=30),
        is_published=True,
        plan_width=60,
        plan_height=40,
    )
    zones = [
        Zone.objects.create(edition=edition, name=name, theme=theme, colour=colour, position=i)
        for i, (name, theme, colour) in enumerate(ZONES)
    ]
    stands = []
    for index in range(42):
        zone = zones[index // 14]
        row, column = divmod(index % 14, STANDS_PER_ROW)
        stands.append(
            Stand(
                edition=edition,
                zone=zone,
                number=index + 1,
                area=Decimal(rng.choice(("9", "9", "12", "18"))),
                has_power=rng.random() < 0.6,
                has_water=rng.random() < 0.2,
                step_free=rng.random() < 0.9,
                x=2 + column * 8,
                y=2 + (index // 14) * 13 + row * 5,
                width=6,
                depth=4,
            )
        )
    stands = Stand.objects.bulk_create(stands)
    StandKey.objects.bulk_create(StandKey(stand=stand) for stand in stands)
    criteria = [
        ReviewCriterion.objects.create(
            edition=edition, label=label, help_text=help_text, weight=weight, position=i
        )
        for i, (label, help_text, weight) in enumerate(CRITERIA)
    ]
    # The demo structure of the organisation accounts is left free to apply from the interface.
    candidates = [s for s in ctx.structures if s != ctx.organisations.get("structure")]
    exhibitors = rng.sample(candidates, sum(count for _, count in STEPS))
    free = list(stands)
    rng.shuffle(free)
    applications = []
    for status, count in STEPS:
        for _ in range(count):
            organisation = exhibitors.pop()
            title, animation = rng.choice(ANIMATIONS)
            placed = status in (Status.ACCEPTED, Status.CONFIRMED)
            applications.append(
                ExhibitorApplication(
                    edition=edition,
                    organisation=organisation,
                    status=status,
                    contact_name=organisation.name[:150],
                    contact_email=f"village@{organisation.siren}.demo.essor.fr",
                    animation_title=title,
                    animation=animation,
                    preferred_zone=rng.choice(zones),
                    needs_power=False,
                    first_participation=rng.random() < 0.4,
                    priority_neighbourhood=rng.random() < 0.3,
                    stand=free.pop() if placed else None,
                    reason="Places complètes dans la zone demandée."
                    if status in (Status.WAITING_LIST, Status.REJECTED)
                    else "",
                )
            )
    applications = ExhibitorApplication.objects.bulk_create(applications)
    ReviewMark.objects.bulk_create(
        ReviewMark(application=application, criterion=criterion, mark=rng.randint(0, 3))
        for application in applications
        if application.status != Status.DRAFT
        for criterion in criteria
    )
    animations = _programme(edition, applications, rng)
    _routes(edition, zones)
    return (
        f"Village des solidarités à venir : {len(zones)} zones, {len(stands)} stands, "
        f"{len(applications)} candidatures d'exposants, {animations} animations au programme"
    )


def _programme(edition, applications, rng) -> int:
    """Each placed exhibitor's animation on its stand, on one of the two days, on the hour."""
    animations = []
    for application in applications:
        if application.stand is None:
            continue
        day = edition.starts_on + datetime.timedelta(days=rng.randint(0, 1))
        hour = rng.randint(10, 16)
        starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
        animations.append(
            Animation(
                edition=edition,
                stand=application.stand,
                title=application.animation_title,
                description=application.animation,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(minutes=45),
            )
        )
    opening = timezone.make_aware(datetime.datetime.combine(edition.starts_on, datetime.time(10)))
    animations.append(
        Animation(
            edition=edition,
            title="Ouverture du Village par les élus",
            audience="Tout public",
            starts_at=opening,
            ends_at=opening + datetime.timedelta(minutes=30),
        )
    )
    return len(Animation.objects.bulk_create(animations))


def _routes(edition, zones) -> None:
    for zone in zones[:2]:
        route = Route.objects.create(
            edition=edition,
            name=f"Parcours « {zone.name} »",
            description=f"Cinq stands pour découvrir : {zone.theme.lower()}.",
        )
        RouteStop.objects.bulk_create(
            RouteStop(route=route, stand=stand, position=index)
            for index, stand in enumerate(zone.stands.order_by("number")[:5], start=1)
        )


PASSPORTS = 500
# Visitors come more around noon and mid-afternoon: weights of the hours 10 h to 17 h.
HOURS = (10, 11, 12, 13, 14, 15, 16, 17)
HOUR_WEIGHTS = (6, 10, 14, 8, 12, 16, 12, 6)


def _past_edition(ctx) -> str:
    """Last year's Village, held: its exhibitors on their stands, 500 passports and their stamps
    and answers, the draw done and its contacts erased since."""
    rng = ctx.rng
    starts_on = datetime.date(ctx.today.year - 1, 6, 13)
    edition = Edition.objects.create(
        name=f"Village des solidarités {starts_on.year}",
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=1),
        place="Place Jean-Bart, Dunkerque",
        opening_hours="10 h – 18 h",
        call_closes_on=starts_on - datetime.timedelta(days=45),
        is_published=True,
    )
    zones = [
        Zone.objects.create(edition=edition, name=name, theme=theme, colour=colour, position=i)
        for i, (name, theme, colour) in enumerate(ZONES)
    ]
    stands = Stand.objects.bulk_create(
        Stand(
            edition=edition,
            zone=zones[index // 10],
            number=index + 1,
            area=Decimal("9"),
            has_power=True,
            x=2 + (index % 10) * 5,
            y=2 + (index // 10) * 12,
            width=4,
            depth=4,
        )
        for index in range(30)
    )
    StandKey.objects.bulk_create(StandKey(stand=stand) for stand in stands)
    candidates = [s for s in ctx.structures if s != ctx.organisations.get("structure")]
    exhibitors = rng.sample(candidates, len(stands))
    ExhibitorApplication.objects.bulk_create(
        ExhibitorApplication(
            edition=edition,
            organisation=organisation,
            status=Status.CONFIRMED,
            contact_name=organisation.name[:150],
            contact_email=f"village@{organisation.siren}.demo.essor.fr",
            animation_title=rng.choice(ANIMATIONS)[0],
            animation="",
            stand=stand,
        )
        for organisation, stand in zip(exhibitors, stands, strict=True)
    )
    Question.objects.bulk_create(
        Question(
            stand=stand,
            text="Depuis combien de temps la structure existe-t-elle ?",
            choice_1="Moins de 5 ans",
            choice_2="De 5 à 20 ans",
            choice_3="Plus de 20 ans",
            correct=rng.randint(1, 3),
        )
        for stand in stands
    )
    opening = timezone.make_aware(datetime.datetime.combine(starts_on, datetime.time(10)))
    passports = Passport.objects.bulk_create(
        Passport(edition=edition, code=new_passport_code(), created_at=opening)
        for _ in range(PASSPORTS)
    )
    stamps = []
    for passport in passports:
        day = starts_on + datetime.timedelta(days=rng.randint(0, 1))
        hour = rng.choices(HOURS, HOUR_WEIGHTS)[0]
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
        for stand in rng.sample(stands, rng.randint(1, 14)):
            moment += datetime.timedelta(minutes=rng.randint(3, 12))
            answer = rng.randint(1, 3)
            stamps.append(
                Stamp(
                    passport=passport,
                    stand=stand,
                    stamped_at=moment,
                    answer=answer,
                    is_right=answer == stand.question.correct,
                )
            )
    Stamp.objects.bulk_create(stamps)
    _held_draw(edition, passports, stamps, rng)
    return (
        f"Village des solidarités passé : {len(stands)} exposants, {len(passports)} passeports, "
        f"{len(stamps)} tampons, tirage fait"
    )


def _held_draw(edition, passports, stamps, rng) -> None:
    counts = {}
    for stamp in stamps:
        counts[stamp.passport_id] = counts.get(stamp.passport_id, 0) + 1
    draw = Draw.objects.create(edition=edition, prizes=5, stamps_needed=6)
    eligible = [p for p in passports if counts.get(p.pk, 0) >= draw.stamps_needed]
    entered = rng.sample(eligible, len(eligible) * 2 // 3)
    held_on = timezone.make_aware(datetime.datetime.combine(edition.ends_on, datetime.time(17, 30)))
    DrawEntry.objects.bulk_create(
        DrawEntry(
            passport=passport,
            consent_on=held_on,
            erased_on=edition.ends_on + datetime.timedelta(days=31),
        )
        for passport in entered
    )
    draw.seed = secrets.token_hex(32)
    draw.seed_hash = hashlib.sha256(draw.seed.encode()).hexdigest()
    draw.entries_frozen_at = held_on
    draw.drawn_at = held_on + datetime.timedelta(minutes=10)
    draw.winners = draw_order(draw.seed, [p.code for p in entered])[: draw.prizes]
    draw.save()


def remove() -> None:
    ExhibitorApplication.objects.all().delete()
    Edition.objects.all().delete()
