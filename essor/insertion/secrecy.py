"""Statistical secrecy of the insertion figures: one pattern per year for every figure that any
user can see, whatever the page, the filter or the file.

The counts of a year are gathered once by SIAE and commune of residence (`YearCounts`). Every
*group* of SIAE that some page can show is listed: the territory, each kind, each SIAE, the SIAE
of each funder's instructors (their scope) and that scope by kind. Each group's figures (people,
entries, profile, exits by category, barriers by support, people trained) are linked figures of
`core.disclosure`, with every sum that links them: the categories and their totals, the kinds and
the territory, the SIAE and their kind, a scope and its SIAE and kinds. The figures by commune of
residence are published for the territory and for each kind only, linked to their total through
the communes and the people without a commune (never published). The staff of an SIAE know their
own SIAE's figures: they are the insiders `core.disclosure` protects the other SIAE from.

The pattern depends on the counts only; it is kept in the cache under a digest of them, so
that the pages of the same data do not compute it again.
"""

import datetime
import hashlib
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q, Sum

from essor.accounts.models import Role
from essor.core.disclosure import LinkedFigures
from essor.insertion.models import (
    COUNTED_EXIT_CATEGORIES,
    DYNAMIC_EXIT_CATEGORIES,
    LOW_QUALIFICATION,
    Barrier,
    BarrierType,
    Exit,
    Participant,
    Sex,
    Siae,
    SupportKind,
    Training,
)

ALL_COMMUNES = "*"
STAFF_ROLES = (Role.ORGANISATION_ADMIN, Role.ORGANISATION_MEMBER)
FLAGS = ["rsa", "long_term", "qpv", "rqth", "low_qualification"]
CACHE_SECONDS = 24 * 3600


def profile_conditions(year: int) -> dict[str, Q]:
    return {
        "women": Q(sex=Sex.FEMALE),
        "under_26": Q(birth_year__gt=year - 26),
        "over_50": Q(birth_year__lte=year - 50),
        "rsa": Q(rsa=True),
        "long_term": Q(long_term_unemployed=True),
        "qpv": Q(qpv_resident=True),
        "rqth": Q(rqth=True),
        "low_qualification": Q(education_level__in=LOW_QUALIFICATION),
    }


def exit_key(category: str) -> str:
    return f"exit:{category}"


def barrier_key(slug: str, support: str | None = None) -> str:
    return f"barrier:{slug}" if support is None else f"barrier:{slug}:{support}"


@dataclass
class YearCounts:
    """The year's counts of people by (SIAE, commune of residence), every SIAE included."""

    year: int
    cells: dict[tuple[int, int | None], Counter]
    training_hours: dict[tuple[int, int | None], object]
    kinds: dict[int, str]  # SIAE id -> kind
    barrier_slugs: list[str]
    scopes: list[frozenset]  # what the funders' instructors see (their SIAE, own and funded)
    insiders: list[frozenset]  # the SIAE whose people each staff member knows

    def values(self, siae_ids, commune=ALL_COMMUNES) -> dict[str, int]:
        """Every measure of a group of people (unsuppressed)."""
        memo = self.__dict__.setdefault("_values_memo", {})
        key = (frozenset(siae_ids), commune)
        if key not in memo:
            memo[key] = {
                name: value
                for name, value, _ in _measures(self.total(siae_ids, commune), self.barrier_slugs)
            }
        return memo[key]

    def communes(self) -> list[int | None]:
        return list(dict.fromkeys(commune for _, commune in self.cells))

    def total(self, siae_ids, commune=ALL_COMMUNES) -> Counter:
        by_place = self.__dict__.get("_by_place")
        if by_place is None:
            by_place = {}
            for (siae, place), counts in self.cells.items():
                by_place.setdefault((siae, place), Counter()).update(counts)
                by_place.setdefault((siae, ALL_COMMUNES), Counter()).update(counts)
            self._by_place = by_place
        result: Counter = Counter()
        for siae in siae_ids:
            result.update(by_place.get((siae, commune), ()))
        return result

    def hours_of_training(self, siae_ids, commune=ALL_COMMUNES):
        return sum(
            (
                hours
                for (siae, place), hours in self.training_hours.items()
                if siae in siae_ids and (commune == ALL_COMMUNES or place == commune)
            ),
            start=0,
        )

    def digest(self) -> str:
        parts = [
            str(self.year),
            repr(sorted((repr(key), sorted(counts.items())) for key, counts in self.cells.items())),
            repr(sorted(self.kinds.items())),
            repr(self.barrier_slugs),
            repr(sorted(sorted(scope) for scope in self.scopes)),
            repr(sorted(sorted(insider) for insider in self.insiders)),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


def year_counts(year: int) -> YearCounts:
    """Seven queries whatever the number of participants."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    siaes = list(Siae.objects.values_list("pk", "kind", "organisation_id"))
    kinds = {pk: kind for pk, kind, _ in siaes}
    cells: dict[tuple[int, int | None], Counter] = {}

    def cell(siae, commune) -> Counter:
        return cells.setdefault((siae, commune), Counter())

    employed = Q(entry_date__lte=end) & (Q(last_day__isnull=True) | Q(last_day__gte=start))
    conditions = profile_conditions(year)
    for row in (
        Participant.objects.filter(employed)
        .values("siae_id", "commune_id")
        .annotate(
            people=Count("pk"),
            entries=Count("pk", filter=Q(entry_date__gte=start)),
            **{name: Count("pk", filter=condition) for name, condition in conditions.items()},
        )
        .order_by()
    ):
        cell(row.pop("siae_id"), row.pop("commune_id")).update(row)
    for siae, commune, category, count in (
        Exit.objects.filter(date__gte=start, date__lte=end, category__in=COUNTED_EXIT_CATEGORIES)
        .values_list("participant__siae_id", "participant__commune_id", "category")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        cell(siae, commune)[exit_key(category)] += count
    barrier_types = list(BarrierType.objects.values_list("pk", "slug"))
    slug_of = dict(barrier_types)
    employed_through = Q(participant__entry_date__lte=end) & (
        Q(participant__last_day__isnull=True) | Q(participant__last_day__gte=start)
    )
    for siae, commune, type_id, support, count in (
        Barrier.objects.filter(employed_through)
        .values_list(
            "participant__siae_id", "participant__commune_id", "barrier_type_id", "support"
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        cell(siae, commune)[barrier_key(slug_of[type_id], support)] += count
    training_hours = {}
    for siae, commune, people, hours in (
        Training.objects.filter(start__gte=start, start__lte=end)
        .values_list("participant__siae_id", "participant__commune_id")
        .annotate(people=Count("participant", distinct=True), hours=Sum("hours"))
        .order_by()
    ):
        cell(siae, commune)["trained"] += people
        training_hours[(siae, commune)] = hours
    scopes, insiders = _scopes_and_insiders(siaes)
    return YearCounts(
        year=year,
        cells=cells,
        training_hours=training_hours,
        kinds=kinds,
        barrier_slugs=[slug for _, slug in barrier_types],
        scopes=scopes,
        insiders=insiders,
    )


def _scopes_and_insiders(siaes) -> tuple[list[frozenset], list[frozenset]]:
    from essor.accounts.models import Membership

    by_organisation: dict[int, set[int]] = {}
    for pk, _, organisation in siaes:
        by_organisation.setdefault(organisation, set()).add(pk)
    funded: dict[int, set[int]] = {}
    for siae, organisation in Siae.funders.through.objects.values_list(
        "siae_id", "organisation_id"
    ):
        funded.setdefault(organisation, set()).add(siae)
    own: dict[int, set[int]] = {}
    funds: dict[int, set[int]] = {}
    for user, organisation, role in Membership.objects.filter(
        role__in=[*STAFF_ROLES, Role.FUNDER_INSTRUCTOR]
    ).values_list("user_id", "organisation_id", "role"):
        if role == Role.FUNDER_INSTRUCTOR:
            funds.setdefault(user, set()).update(funded.get(organisation, ()))
        else:
            own.setdefault(user, set()).update(by_organisation.get(organisation, ()))
    scopes = {frozenset(siaes | own.get(user, set())) for user, siaes in funds.items()}
    insiders = {frozenset(siaes) for siaes in own.values() if siaes}
    return sorted(scopes - {frozenset()}, key=sorted), sorted(insiders, key=sorted)


# The linked figures of the year -------------------------------------------------------------


def _measures(counts: Counter, slugs: list[str]) -> list[tuple[str, int, bool]]:
    """(measure, value, published) of one group of people: the published figures and the
    complements that a reader can work out (never published, protected when small)."""
    people = counts["people"]
    exits = [counts[exit_key(c)] for c in COUNTED_EXIT_CATEGORIES]
    dynamic = sum(counts[exit_key(c)] for c in DYNAMIC_EXIT_CATEGORIES)
    result = [
        ("people", people, True),
        ("entries", counts["entries"], True),
        ("entries_no", people - counts["entries"], False),
        ("women", counts["women"], True),
        ("women_no", people - counts["women"], False),
        ("under_26", counts["under_26"], True),
        ("over_50", counts["over_50"], True),
        ("age_26_49", people - counts["under_26"] - counts["over_50"], False),
        *((flag, counts[flag], True) for flag in FLAGS),
        *((f"{flag}_no", people - counts[flag], False) for flag in FLAGS),
        *((exit_key(c), counts[exit_key(c)], True) for c in COUNTED_EXIT_CATEGORIES),
        ("exits", sum(exits), True),
        ("exits_dynamic", dynamic, True),
        ("trained", counts["trained"], True),
    ]
    for slug in slugs:
        parts = [counts[barrier_key(slug, support)] for support in SupportKind.values]
        result.append((barrier_key(slug), sum(parts), True))
        result += [
            (barrier_key(slug, support), part, True)
            for support, part in zip(SupportKind.values, parts, strict=True)
        ]
    return result


def _category_sums(slugs: list[str]) -> list[tuple[str, list[str]]]:
    """The sums inside one group of people."""
    counted = [exit_key(c) for c in COUNTED_EXIT_CATEGORIES]
    sums = [
        ("people", ["entries", "entries_no"]),
        ("people", ["women", "women_no"]),
        ("people", ["under_26", "age_26_49", "over_50"]),
        *(("people", [flag, f"{flag}_no"]) for flag in FLAGS),
        ("exits", counted),
        ("exits_dynamic", [exit_key(c) for c in DYNAMIC_EXIT_CATEGORIES]),
        ("exits", ["exits_dynamic", exit_key("other")]),
    ]
    for slug in slugs:
        sums.append(
            (barrier_key(slug), [barrier_key(slug, support) for support in SupportKind.values])
        )
    return sums


@dataclass
class Catalogue:
    everyone: frozenset
    kinds: dict[str, frozenset]
    groups: list[frozenset]  # at the level of the territory (every commune together)
    commune_groups: list[frozenset]  # also published by commune of residence

    def publishes(self, group: frozenset, commune) -> bool:
        if commune == ALL_COMMUNES:
            return group in self.groups
        return group in self.commune_groups


def catalogue(counts: YearCounts) -> Catalogue:
    everyone = frozenset(counts.kinds)
    kinds: dict[str, frozenset] = {}
    for siae, kind in sorted(counts.kinds.items()):
        kinds[kind] = kinds.get(kind, frozenset()) | {siae}
    groups = [everyone, *kinds.values(), *(frozenset([siae]) for siae in sorted(everyone))]
    for scope in counts.scopes:
        groups.append(scope)
        groups += [scope & members for members in kinds.values() if scope & members]
    groups = [group for group in dict.fromkeys(groups) if group]
    commune_groups = [group for group in dict.fromkeys([everyone, *kinds.values()]) if group]
    return Catalogue(everyone, kinds, groups, commune_groups)


def linked_figures(counts: YearCounts, published: Catalogue) -> LinkedFigures:
    figures = LinkedFigures()
    slugs = counts.barrier_slugs
    measures = [name for name, _, _ in _measures(Counter(), slugs)]
    communes = counts.communes()
    nodes = [(group, ALL_COMMUNES) for group in published.groups]
    nodes += [(group, commune) for group in published.commune_groups for commune in communes]
    for group, commune in nodes:
        knowing = [insider for insider in counts.insiders if group <= insider]
        for name, value, is_published in _measures(counts.total(group, commune), slugs):
            figures.add(
                (group, commune, name),
                value,
                # The people without a commune are in no commune's figures.
                published=is_published and commune is not None,
                known_to=knowing,
            )
        for total, parts in _category_sums(slugs):
            figures.add_sum((group, commune, total), [(group, commune, part) for part in parts])
    kinds = list(published.kinds.values())
    for name in measures:
        for group in published.groups:
            if len(group) > 1:
                figures.add_sum(
                    (group, ALL_COMMUNES, name),
                    [(frozenset([siae]), ALL_COMMUNES, name) for siae in sorted(group)],
                )
                by_kind = [group & members for members in kinds if group & members]
                figures.add_sum(
                    (group, ALL_COMMUNES, name), [(part, ALL_COMMUNES, name) for part in by_kind]
                )
        for group in published.commune_groups:
            figures.add_sum(
                (group, ALL_COMMUNES, name), [(group, commune, name) for commune in communes]
            )
        for commune in communes:
            figures.add_sum(
                (published.everyone, commune, name),
                [(members, commune, name) for members in kinds],
            )
    return figures


class ProtectedFigures:
    """The year's figures as published: `shown((group, commune, measure))` is the value, or
    None when it is hidden or never published."""

    def __init__(self, counts: YearCounts, hidden: set):
        self.counts = counts
        self.hidden = hidden
        self.unpublished = {
            name
            for name, _, published in _measures(Counter(), counts.barrier_slugs)
            if not published
        }

    def shown(self, key) -> int | None:
        group, commune, name = key
        if key in self.hidden or name in self.unpublished or commune is None:
            return None
        return self.counts.values(group, commune)[name]


def protected_figures(counts: YearCounts, published: Catalogue) -> ProtectedFigures:
    """The year's pattern, computed once for the same counts (kept in the cache)."""
    key = f"essor:insertion:secret:{counts.digest()}"
    hidden = cache.get(key)
    if hidden is None:
        hidden = linked_figures(counts, published).protect()
        cache.set(key, hidden, CACHE_SECONDS)
    return ProtectedFigures(counts, set(hidden))
