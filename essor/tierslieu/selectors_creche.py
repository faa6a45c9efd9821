"""Reads of the crèche and the café: grids, waiting lists, a family's file with its rank, the
commission's anonymised files, the AVIP share, the public coffee counter."""

import dataclasses
import datetime

from django.db.models import Count, Q
from django.utils import timezone

from essor.tierslieu.creche_models import (
    AgeGroup,
    CafeTally,
    CommissionSession,
    CrecheApplication,
    CrecheGrid,
)
from essor.tierslieu.services_creche import AVIP_MINIMUM_PERCENT

Status = CrecheApplication.Status


def published_grids(place):
    return (
        CrecheGrid.objects.filter(place=place, published_at__isnull=False)
        .prefetch_related("criteria")
        .order_by("-year")
    )


def grids(place):
    return CrecheGrid.objects.filter(place=place).prefetch_related("criteria").order_by("-year")


def rank_in_waiting_list(application: CrecheApplication) -> int | None:
    """1 for the first of its age group's waiting list; None when not waiting."""
    if application.status != Status.WAITING:
        return None
    ahead = CrecheApplication.objects.filter(
        place_id=application.place_id, status=Status.WAITING, age_group=application.age_group
    ).filter(
        Q(score__gt=application.score)
        | Q(score=application.score, submitted_at__lt=application.submitted_at)
        | Q(score=application.score, submitted_at=application.submitted_at, pk__lt=application.pk)
    )
    return ahead.count() + 1


def family_applications(user):
    return CrecheApplication.objects.filter(applicant=user).select_related("place", "grid")


def waiting_lists(place) -> dict[str, list[CrecheApplication]]:
    lists = {group: [] for group in AgeGroup.values}
    for application in CrecheApplication.objects.filter(
        place=place, status=Status.WAITING
    ).order_by("-score", "submitted_at", "pk"):
        lists[application.age_group].append(application)
    return lists


def sessions(place):
    return CommissionSession.objects.filter(place=place).annotate(offer_count=Count("offers"))


def sits_in(session: CommissionSession, user) -> bool:
    return user.is_authenticated and session.commission_members.filter(pk=user.pk).exists()


@dataclasses.dataclass(frozen=True)
class AvipShare:
    places: int
    accepted: int
    avip: int

    @property
    def percent(self) -> float | None:
        return None if not self.places else round(100 * self.avip / self.places, 1)

    @property
    def below(self) -> bool:
        return bool(self.places) and self.avip * 100 < AVIP_MINIMUM_PERCENT * self.places

    @property
    def minimum(self) -> int:
        return AVIP_MINIMUM_PERCENT


def avip_share(place, today: datetime.date | None = None) -> AvipShare:
    """Places held by children of parents looking for work, over the crèche's places. A place is
    held from its acceptance until the child's fourth year (three years after the start at most)."""
    today = today or timezone.localdate()
    held = CrecheApplication.objects.filter(
        place=place,
        status=Status.ACCEPTED,
        wanted_start__gt=today.replace(year=today.year - 3)
        if not (today.month == 2 and today.day == 29)
        else today.replace(year=today.year - 3, day=28),
    ).aggregate(
        accepted=Count("pk"),
        avip=Count("pk", filter=Q(parent_looking_for_work=True)),
    )
    return AvipShare(places=place.creche_places, accepted=held["accepted"], avip=held["avip"])


def cafe_counter(place) -> CafeTally:
    return CafeTally.objects.filter(place=place).first() or CafeTally(place=place)
