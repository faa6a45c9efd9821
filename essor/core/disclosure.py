"""Statistical secrecy for counts of people: no count of 1 to 4 people may be read, nor worked
out, from the figures Essor publishes.

Secrecy is applied to a whole set of *linked* figures at once (`LinkedFigures`): every figure
that a page, a download or another filter of the same page publishes, and every published sum
that links them (a row and its total, a column and its margin, a table by kind and the same
table for one kind, a commune and the whole territory…). `protect()`:

1. hides every small count (1 to 4): primary suppression;
2. plays the curious reader: for every published sum, a figure that is its only unknown is
   worked out (total − visible parts, or the parts added up for a hidden total); so are unknown
   parts that can only be 1 each (a hidden figure is at least 1, since zeros are shown). This is
   repeated with what has been learnt until nothing new comes — for the public, and for each
   *insider* who knows some figures exactly (an SIAE's staff know their own SIAE's);
3. when a hidden figure (or a small count never published, such as the men when the women and
   the total are shown) is worked out, hides one more published figure of the sum that gave it
   away (complementary suppression: the one sharing the most sums with the figure to protect,
   then the smallest positive one), then plays 2 again — so that no hidden figure is ever the
   only unknown of a published sum;
4. finally checks by Gaussian elimination (modulo a large prime) over the published sums around
   each small count, for the public and each insider, that no small count is determined by any
   combination of them (x + y, x + z and y + z give x), hiding one more figure of such a system
   and going back to 2 when one is.

The result depends on the figures only (the same data gives the same hidden cells), so that every
page, filter and file shows the same pattern. Zeros are always shown: « nobody » discloses no one.
A hidden cell is `None`, shown « s » (`HIDDEN_MARK`, as INSEE writes secret cells) on pages, charts
and XLSX files, an empty cell in CSV and null in JSON: not « < 5 », since a cell hidden to protect
another one may hold more people.

Why not a package: the Python tools found (acro) apply primary suppression to one table;
τ-Argus wrappers (piargus, pytauargus) need the τ-Argus program or a native solver with
process-wide state, unsuited to a web process; sdcMicro, sdcTable and GaussSuppression are R.
"""

from collections import deque
from collections.abc import Hashable, Iterable, Sequence
from decimal import Decimal

from essor.core.formats import percentage

# How a hidden cell reads, and what it means (pages show the legend beside their tables).
HIDDEN_MARK = "s"
HIDDEN_LEGEND = (
    "s : secret statistique (effectif de 1 à 4 personnes, ou masqué pour qu'un tel effectif ne "
    "puisse pas être retrouvé par différence)."
)
SMALL_CELL_THRESHOLD = 5
PUBLIC = None  # the point of view of someone who knows only the published figures


def is_small(count: int | None, threshold: int = SMALL_CELL_THRESHOLD) -> bool:
    return count is not None and 0 < count < threshold


class LinkedFigures:
    """Counts of people identified by any hashable key, and the sums that link them.

    `add(key, value)` a figure; `published=False` for a figure that is never shown but can be
    worked out (the men when the women and the total are shown): it is protected when small.
    `known_to` names the insiders who know the figure exactly. `add_sum(total, parts)` says that
    `total` = the sum of `parts`. After `protect()`, `shown(key)` is the value or None (hidden).
    """

    def __init__(self, threshold: int = SMALL_CELL_THRESHOLD):
        self.threshold = threshold
        self._values: dict[Hashable, int] = {}
        self._published: dict[Hashable, bool] = {}
        self._known_to: dict[Hashable, frozenset] = {}
        self._sums: list[tuple[Hashable, tuple[Hashable, ...]]] = []
        self._sum_set: set[tuple[Hashable, frozenset]] = set()
        self._forced: set[Hashable] = set()
        self.hidden: set[Hashable] = set()

    # Building ------------------------------------------------------------------------------

    def add(
        self,
        key: Hashable,
        value: int,
        *,
        published: bool = True,
        known_to: Iterable[Hashable] = (),
    ) -> None:
        if value < 0:
            raise ValueError(f"Effectif négatif pour {key!r} : {value}")
        if key in self._values:
            if self._values[key] != value:
                raise ValueError(f"Deux valeurs pour {key!r} : {self._values[key]} et {value}")
            self._published[key] = self._published[key] or published
            self._known_to[key] = self._known_to[key] | frozenset(known_to)
            return
        self._values[key] = value
        self._published[key] = published
        self._known_to[key] = frozenset(known_to)

    def add_sum(self, total: Hashable, parts: Sequence[Hashable]) -> None:
        parts = tuple(dict.fromkeys(part for part in parts if part != total))
        if not parts or (len(parts) == 1 and parts[0] == total):
            return
        for key in (total, *parts):
            if key not in self._values:
                raise KeyError(f"Figure inconnue dans une somme : {key!r}")
        if self._values[total] != sum(self._values[part] for part in parts):
            raise ValueError(f"La somme {total!r} ne vaut pas celle de ses parties")
        signature = (total, frozenset(parts))
        if signature not in self._sum_set:
            self._sum_set.add(signature)
            self._sums.append((total, parts))

    def hide(self, key: Hashable) -> None:
        """Hides a figure whatever its value (the caller's own reason)."""
        self._forced.add(key)

    # Reading -------------------------------------------------------------------------------

    def __iter__(self):
        return iter(list(self._values))

    def sums(self) -> list[tuple[Hashable, tuple[Hashable, ...]]]:
        return list(self._sums)

    def value(self, key: Hashable) -> int:
        return self._values[key]

    def __contains__(self, key: Hashable) -> bool:
        return key in self._values

    def shown(self, key: Hashable) -> int | None:
        """The published value, or None when it is hidden or never published."""
        if not self._published[key] or key in self.hidden:
            return None
        return self._values[key]

    # Protection ----------------------------------------------------------------------------

    def _small(self, key) -> bool:
        return is_small(self._values[key], self.threshold)

    def protect(self) -> set[Hashable]:
        """Hides what must be hidden; returns the hidden published figures."""
        self._relations = [
            ((total, -1), *((part, 1) for part in parts)) for total, parts in self._sums
        ]
        self._relations_of: dict[Hashable, list[int]] = {}
        for index, relation in enumerate(self._relations):
            for key, _ in relation:
                self._relations_of.setdefault(key, []).append(index)
        self._order = {key: position for position, key in enumerate(self._values)}
        self.hidden = {
            key
            for key, published in self._published.items()
            if published and (self._small(key) or key in self._forced)
        }
        insiders = list(dict.fromkeys(who for known in self._known_to.values() for who in known))
        while True:
            public_unknown, learnt = self._closure(PUBLIC)
            if self._fix(PUBLIC, learnt):
                continue
            unknown_to = {PUBLIC: public_unknown}
            fixed = False
            for insider in insiders:
                unknown_to[insider], learnt = self._closure(insider, public_unknown)
                if self._fix(insider, learnt):
                    fixed = True
                    break
            if fixed or self._fix_by_elimination(unknown_to):
                continue
            return set(self.hidden)

    def _unknown_to(self, who) -> set[Hashable]:
        return {
            key
            for key, published in self._published.items()
            if (not published or key in self.hidden) and who not in self._known_to[key]
        }

    def _lower_bound(self, key) -> int:
        # A hidden published figure is at least 1 (zeros are shown); one never shown may be 0.
        return 1 if self._published[key] else 0

    def _closure(self, who, start: set | None = None) -> tuple[set, dict]:
        """What `who` works out by subtractions from the published figures (and, for an
        insider, their own): {figure: the index of the sum that gave it}."""
        if start is None:
            unknown = self._unknown_to(who)
            queue = deque(range(len(self._relations)))
        else:
            own = {key for key in start if who in self._known_to[key]}
            unknown = start - own
            queue = deque(dict.fromkeys(i for key in own for i in self._relations_of.get(key, ())))
        learnt: dict[Hashable, int] = {}
        queued = set(queue)
        while queue:
            index = queue.popleft()
            queued.discard(index)
            missing = [(key, sign) for key, sign in self._relations[index] if key in unknown]
            if not missing:
                continue
            if len(missing) == 1:
                found = [missing[0][0]]
            elif all(sign > 0 for _, sign in missing) and sum(
                self._values[key] for key, _ in missing
            ) == sum(self._lower_bound(key) for key, _ in missing):
                found = [key for key, _ in missing]  # every unknown part is at its minimum
            else:
                continue
            for key in found:
                unknown.discard(key)
                learnt[key] = index
                for other in self._relations_of.get(key, ()):
                    if other not in queued:
                        queued.add(other)
                        queue.append(other)
        return unknown, learnt

    def _candidates(self, who, relation_index: int) -> list[Hashable]:
        return [
            key
            for key, _ in self._relations[relation_index]
            if self._published[key]
            and key not in self.hidden
            and self._values[key] > 0
            and who not in self._known_to[key]
        ]

    def _choose(self, candidates: list[Hashable], near: Hashable | None = None) -> Hashable:
        """The figure to hide: first one that shares the most sums with the figure to protect
        (it protects it in each of them at once), then the smallest, then the first added."""
        around = set(self._relations_of.get(near, ())) if near is not None else set()

        def cost(key):
            shared = len(around.intersection(self._relations_of.get(key, ())))
            return (-shared, self._values[key], self._order[key])

        return min(candidates, key=cost)

    def _protected(self, key, who) -> bool:
        """Whether `who` must not be able to work the figure out: every hidden figure (so that
        the figures hidden to protect a small count stay unknown too), and a small count never
        published."""
        if who in self._known_to[key]:
            return False
        return key in self.hidden if self._published[key] else self._small(key)

    def _fix(self, who, learnt: dict) -> bool:
        """Hides one more figure for the hidden figures that `who` could work out.

        A figure worked out from a sum that has a published figure left is fixed there and
        then; one worked out only from other worked-out figures waits for the next pass (the
        fixes of this pass may already have cut its chain), unless nothing else was fixed."""
        changed = False
        fixed_relations: set[int] = set()
        deferred = []
        for key, index in learnt.items():
            if not self._protected(key, who) or index in fixed_relations:
                continue
            candidates = self._candidates(who, index)
            if candidates:
                self.hidden.add(self._choose(candidates, key))
                fixed_relations.add(index)
                changed = True
            else:
                deferred.append(index)
        if changed:
            return True
        for index in deferred:
            # The sums that gave away the known figures of that sum, nearest first.
            seen, frontier = {index}, [index]
            while frontier:
                following = []
                for i in frontier:
                    for member, _ in self._relations[i]:
                        origin = learnt.get(member)
                        if origin is not None and origin not in seen:
                            seen.add(origin)
                            following.append(origin)
                candidates = [c for i in following for c in self._candidates(who, i)]
                if candidates:
                    self.hidden.add(self._choose(candidates))
                    return True
                frontier = following
            # No published positive figure behind it: it is made of the insider's own people
            # and zeros only, which discloses no one else.
        return False

    def _fix_by_elimination(self, unknown_to: dict) -> bool:
        """Exact check: no small figure is determined by any combination of published sums,
        for the public and for each insider (`unknown_to`: what each one could not work out by
        subtractions). Only the parts of the system around a small unknown are solved."""
        public = unknown_to[PUBLIC]
        components = _components(
            [{key: sign for key, sign in relation if key in public} for relation in self._relations]
        )
        for who, unknown in unknown_to.items():
            own = public - unknown  # what an insider knows beyond the public
            for rows in components:
                keys = {key for row in rows for key in row}
                if who is not PUBLIC and not keys & own:
                    continue  # the insider's own figures play no part here
                small = {key for key in keys - own if self._small(key)}
                if not small:
                    continue
                reduced = [{k: v for k, v in row.items() if k not in own} for row in rows]
                for key in sorted(determined(reduced) & small, key=self._order.__getitem__):
                    if self._hide_near(who, key, keys - own):
                        return True
        return False

    def _hide_near(self, who, key, unknown: set) -> bool:
        """Hides the best published figure of a sum around `key`, or around its unknowns."""
        candidates = [
            c for index in self._relations_of.get(key, ()) for c in self._candidates(who, index)
        ]
        if not candidates:
            neighbours = {
                member
                for index in self._relations_of.get(key, ())
                for member, _ in self._relations[index]
                if member in unknown
            }
            candidates = [
                c
                for member in neighbours
                for index in self._relations_of.get(member, ())
                for c in self._candidates(who, index)
            ]
        if not candidates:
            return False
        self.hidden.add(self._choose(candidates, key))
        return True


PRIME = (1 << 61) - 1  # exact enough: a false « determined » only hides one figure more


def _components(rows: list[dict]) -> list[list[dict]]:
    """The equations grouped by the unknowns they share (equations without unknown dropped)."""
    parent: dict = {}

    def find(key):
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    rows = [row for row in rows if row]
    for row in rows:
        first, *others = row
        for other in others:
            parent[find(other)] = find(first)
    groups: dict = {}
    for row in rows:
        groups.setdefault(find(next(iter(row))), []).append(row)
    return list(groups.values())


def determined(rows: list[dict[Hashable, int]]) -> set[Hashable]:
    """The unknowns whose value a system of linear equations fixes (whatever the constants).

    Equations with an unknown found in no other equation say nothing about the rest: they are
    dropped first (repeatedly); the rest is put in reduced row echelon form (arithmetic modulo
    a large prime). An unknown is determined when its row has no other unknown left."""
    rows = [dict(row) for row in rows if row]
    while True:
        occurrences: dict[Hashable, int] = {}
        for row in rows:
            for key in row:
                occurrences[key] = occurrences.get(key, 0) + 1
        kept = [row for row in rows if all(occurrences[key] > 1 for key in row)]
        if len(kept) == len(rows):
            break
        rows = kept
    pivots: dict[Hashable, dict[Hashable, int]] = {}
    holding: dict[Hashable, set] = {}  # column -> the pivots whose row has it
    for source in rows:
        row = {key: value % PRIME for key, value in source.items()}
        for column in [key for key in row if key in pivots]:
            factor = row.get(column)
            if not factor:
                continue
            for key, value in pivots[column].items():
                updated = (row.get(key, 0) - factor * value) % PRIME
                if updated:
                    row[key] = updated
                else:
                    row.pop(key, None)
        if not row:
            continue
        column = next(iter(row))
        inverse = pow(row[column], PRIME - 2, PRIME)
        row = {key: value * inverse % PRIME for key, value in row.items()}
        for pivot in list(holding.get(column, ())):
            other = pivots[pivot]
            factor = other.get(column)
            if not factor:
                continue
            for key, value in row.items():
                updated = (other.get(key, 0) - factor * value) % PRIME
                if updated:
                    if key not in other:
                        holding.setdefault(key, set()).add(pivot)
                    other[key] = updated
                else:
                    other.pop(key, None)
                    holding.get(key, set()).discard(pivot)
        pivots[column] = row
        for key in row:
            holding.setdefault(key, set()).add(column)
    return {column for column, row in pivots.items() if len(row) == 1}


# One group of categories ------------------------------------------------------------------------


def suppress_counts(
    counts: Sequence[int], *, threshold: int = SMALL_CELL_THRESHOLD, total_published: bool = True
) -> list[int | None]:
    """One group of categories: small cells hidden and, when their total is published, enough
    others that no hidden one can be worked out from it."""
    figures = LinkedFigures(threshold)
    for index, count in enumerate(counts):
        figures.add(index, count)
    if total_published:
        figures.add("total", sum(counts))
        figures.add_sum("total", list(range(len(counts))))
    figures.protect()
    return [figures.shown(index) for index in range(len(counts))]


def suppress_total(total: int, *, threshold: int = SMALL_CELL_THRESHOLD) -> int | None:
    return None if is_small(total, threshold) else total


def share(
    part: int | None, whole: int | None, *, threshold: int = SMALL_CELL_THRESHOLD
) -> Decimal | None:
    """A percentage (one decimal, rounded half up) of people, published only when both counts
    are: a share with a hidden count, multiplied by the other, would give it back."""
    if part is None or whole is None or whole == 0:
        return None
    if is_small(part, threshold) or is_small(whole, threshold):
        return None
    return percentage(part, whole, 1)
