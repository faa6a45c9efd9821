"""Statistical secrecy for counts of people: no published cell may reveal fewer than 5 people.

Primary suppression hides every count from 1 to `threshold - 1`. Secondary suppression then hides
the next smallest count whenever exactly one cell of a row of categories is hidden while its total
is published (otherwise total minus the others gives it back). Zeros are shown: "nobody" discloses
no one. A hidden cell is `None`, rendered « < 5 » by the `secret` template filter.
"""

from collections.abc import Sequence
from decimal import Decimal

from essor.core.formats import percentage

SMALL_CELL_THRESHOLD = 5


def is_small(count: int | None, threshold: int = SMALL_CELL_THRESHOLD) -> bool:
    return count is not None and 0 < count < threshold


def suppress_counts(
    counts: Sequence[int], *, threshold: int = SMALL_CELL_THRESHOLD, total_published: bool = True
) -> list[int | None]:
    """One group of categories (summing to a published total): small cells hidden, and enough
    others that no hidden one can be recomputed from the total."""
    result: list[int | None] = [None if is_small(count, threshold) else count for count in counts]
    hidden = [index for index, value in enumerate(result) if value is None]
    if total_published and len(hidden) == 1:
        candidates = [
            (count, index)
            for index, count in enumerate(counts)
            if result[index] is not None and count > 0
        ]
        if candidates:
            result[min(candidates)[1]] = None
    return result


def suppress_total(total: int, *, threshold: int = SMALL_CELL_THRESHOLD) -> int | None:
    return None if is_small(total, threshold) else total


def share(
    part: int | None, whole: int | None, *, threshold: int = SMALL_CELL_THRESHOLD
) -> Decimal | None:
    """A percentage (one decimal, rounded half up) of people, hidden when the part or the whole
    is a small count: a share of a small group would give the count back."""
    if part is None or whole is None or whole == 0:
        return None
    if is_small(part, threshold) or is_small(whole, threshold):
        return None
    return percentage(part, whole, 1)
