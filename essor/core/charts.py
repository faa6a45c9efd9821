"""Server-drawn SVG charts (no script, allowed by the CSP, printed by WeasyPrint).

A chart is decoration for sighted readers: it carries `role="img"` and a French summary, and the
page always shows the same figures in a data table right after it.
"""

from collections.abc import Sequence
from html import escape

from essor.core import formats
from essor.core.disclosure import HIDDEN_MARK

PALETTE = ("#1f5f99", "#b34d00", "#2e7d32", "#6a1b9a", "#ad1457", "#00695c", "#5d4037")
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 250
LABEL_CHARACTERS = 32  # what fits in LABEL_WIDTH at 12 px (the full label is in the table)
CHART_WIDTH = 640


def _number(value) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def bar_chart(
    labels: Sequence[str], values: Sequence, *, title: str, unit: str = "", places: int = 0
) -> str:
    """Horizontal bars, one per label; hidden (None) values are drawn as « s » with no bar."""
    numbers = [_number(value) for value in values]
    highest = max([n for n in numbers if n is not None] or [0]) or 1
    height = len(labels) * (BAR_HEIGHT + GAP) + GAP
    room = CHART_WIDTH - LABEL_WIDTH - 90
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, (label, value) in enumerate(zip(labels, numbers, strict=True)):
        top = GAP + index * (BAR_HEIGHT + GAP)
        middle = top + BAR_HEIGHT / 2 + 4
        short = label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{middle}" text-anchor="end" font-size="12" '
            f'fill="#1a1a1a">{escape(short)}</text>'
        )
        if value is None:
            text = HIDDEN_MARK
            width = 0
        else:
            width = max(1, room * value / highest) if value > 0 else 0
            text = formats.number(value, places) + (f" {unit}" if unit else "")
        color = PALETTE[0]
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{top}" width="{width:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{color}"/>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{middle}" font-size="12" '
            f'fill="#1a1a1a">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    x_labels: Sequence[str], series: dict[str, Sequence], *, title: str, unit: str = ""
) -> str:
    """Lines over time (years, months), one colour per series, with a legend."""
    width, height, left, bottom, top = CHART_WIDTH, 300, 60, 40, 20
    points = [[_number(v) for v in values] for values in series.values()]
    highest = max([v for line in points for v in line if v is not None] or [0]) or 1
    count = max(len(x_labels), 2)
    inner_w, inner_h = width - left - 20, height - top - bottom
    legend_h = 18 * len(series)
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height + legend_h}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{left}" y1="{top + inner_h}" x2="{left + inner_w}" y2="{top + inner_h}" '
        'stroke="#555"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11" fill="#1a1a1a">'
        f"{escape(formats.number(highest))}</text>",
        f'<text x="{left - 6}" y="{top + inner_h}" text-anchor="end" font-size="11" '
        'fill="#1a1a1a">0</text>',
    ]
    for index, label in enumerate(x_labels):
        x = left + inner_w * index / (count - 1)
        parts.append(
            f'<text x="{x:.1f}" y="{top + inner_h + 16}" text-anchor="middle" font-size="11" '
            f'fill="#1a1a1a">{escape(str(label))}</text>'
        )
    for number, (name, line) in enumerate(zip(series, points, strict=True)):
        color = PALETTE[number % len(PALETTE)]
        coordinates = [
            f"{left + inner_w * i / (count - 1):.1f},{top + inner_h * (1 - v / highest):.1f}"
            for i, v in enumerate(line)
            if v is not None
        ]
        if coordinates:
            parts.append(
                f'<polyline points="{" ".join(coordinates)}" fill="none" stroke="{color}" '
                'stroke-width="2.5"/>'
            )
        y = height + 18 * number + 4
        parts.append(f'<rect x="{left}" y="{y}" width="14" height="10" fill="{color}"/>')
        parts.append(
            f'<text x="{left + 20}" y="{y + 9}" font-size="12" fill="#1a1a1a">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
