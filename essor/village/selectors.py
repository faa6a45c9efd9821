"""Reads of the village module: each in a fixed number of queries, whatever the number of rows."""

import datetime
from dataclasses import dataclass

from django.db.models import F, Prefetch, Sum

from essor.core.permissions import administered_organisation_ids, is_agency_member
from essor.village.models import (
    MAX_EDITION_DAYS,
    MAX_MARK,
    Edition,
    ExhibitorApplication,
    ReviewCriterion,
    RouteStop,
    Stand,
)

Status = ExhibitorApplication.Status
# The exhibitors the public sees: those the agency accepted, once they hold a stand.
SHOWN_TO_THE_PUBLIC = (Status.ACCEPTED, Status.CONFIRMED)


def published_editions():
    return Edition.objects.filter(is_published=True)


def current_edition() -> Edition | None:
    """The latest published edition (the one the public pages show)."""
    return published_editions().order_by("-starts_on").first()


def editions_for(user):
    return Edition.objects.all() if is_agency_member(user) else published_editions()


def grid(edition: Edition) -> list[ReviewCriterion]:
    return list(edition.criteria.all())


def best_score(criteria: list[ReviewCriterion]) -> int:
    return sum(criterion.weight for criterion in criteria) * MAX_MARK


def applications_for_review(edition: Edition, status: str = ""):
    """The edition's applications (drafts excluded: the structure has not sent them), with their
    weighted score, best first."""
    applications = (
        edition.applications.exclude(status=Status.DRAFT)
        .select_related("organisation", "stand__zone", "preferred_zone")
        .annotate(score=Sum(F("marks__mark") * F("marks__criterion__weight")))
        .order_by(F("score").desc(nulls_last=True), "submitted_at", "id")
    )
    if status in Status.values:
        applications = applications.filter(status=status)
    return applications


def applications_of(user):
    """The applications of the structures this person administers, newest edition first."""
    return (
        ExhibitorApplication.objects.filter(organisation_id__in=administered_organisation_ids(user))
        .select_related("edition", "organisation", "stand__zone")
        .order_by("-edition__starts_on", "organisation__name")
    )


def marks_of(application: ExhibitorApplication) -> dict[int, int]:
    return dict(application.marks.values_list("criterion_id", "mark"))


def free_stands(edition: Edition):
    taken = ExhibitorApplication.objects.filter(edition=edition, stand__isnull=False).values(
        "stand_id"
    )
    return edition.stands.exclude(pk__in=taken).select_related("zone").order_by("number")


@dataclass(frozen=True)
class PlacedStand:
    stand: Stand
    exhibitor: str  # the structure's name, or "" for a free stand (or one not yet public)


def plan(edition: Edition, *, with_exhibitors: bool = True) -> list[PlacedStand]:
    """Every stand of the edition with its zone and, if shown, the exhibitor holding it."""
    shown = ExhibitorApplication.objects.filter(status__in=SHOWN_TO_THE_PUBLIC).select_related(
        "organisation"
    )
    stands = (
        edition.stands.select_related("zone", "key")
        .prefetch_related(Prefetch("applications", queryset=shown, to_attr="holders"))
        .order_by("zone__position", "zone__name", "number")
    )
    return [
        PlacedStand(
            stand=stand,
            exhibitor=stand.holders[0].organisation.name
            if with_exhibitors and stand.holders
            else "",
        )
        for stand in stands
    ]


def programme(edition: Edition):
    """The edition's animations in time order, with their stand, its zone and its exhibitor."""
    return edition.animations.select_related("stand__zone").order_by(
        "starts_at", "stand__number", "id"
    )


def routes(edition: Edition):
    stops = RouteStop.objects.select_related("stand__zone").order_by("position")
    return edition.routes.prefetch_related(Prefetch("stops", queryset=stops))


def days_of(edition: Edition) -> list:
    length = min((edition.ends_on - edition.starts_on).days + 1, MAX_EDITION_DAYS)
    return [edition.starts_on + datetime.timedelta(days=offset) for offset in range(length)]
