"""Demo data of the village module: this year's Village des solidarités, its call open, three
zones and 42 stands on the plan, a published grid, and 40 structures of the directory at every
step of the call (most accepted or confirmed, with their stand)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from essor.village.models import (
    Animation,
    Edition,
    ExhibitorApplication,
    ReviewCriterion,
    ReviewMark,
    Route,
    RouteStop,
    Stand,
    Zone,
)

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
        f"Village des solidarités : 1 édition, {len(zones)} zones, {len(stands)} stands, "
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


def remove() -> None:
    ExhibitorApplication.objects.all().delete()
    Edition.objects.all().delete()
