"""A small server-rendered SVG bar chart (no JavaScript, no chart library).

Pure: takes (day, count) pairs, returns SVG markup with every text escaped.
Each bar carries a <title> (shown on hover / read by screen readers) and the
chart a role="img" with a text summary, so it is accessible without script.
"""

from __future__ import annotations

import datetime as dt
from html import escape

WIDTH = 640
HEIGHT = 180
PAD_LEFT = 36
PAD_BOTTOM = 24
PAD_TOP = 12


def day_series(
    counts: dict[dt.date, int], *, start: dt.date, end: dt.date
) -> list[tuple[dt.date, int]]:
    """Every day from start to end inclusive, with 0 where nothing was counted."""
    days = (end - start).days + 1
    return [
        (start + dt.timedelta(days=i), counts.get(start + dt.timedelta(days=i), 0))
        for i in range(max(days, 0))
    ]


def nice_max(value: int) -> int:
    """A round top for the axis: 1, 2, 5, 10, 20, 50 …, at least `value`."""
    top = 1
    while True:
        for step in (1, 2, 5):
            if top * step >= value:
                return top * step
        top *= 10


def bar_chart_svg(
    series: list[tuple[dt.date, int]],
    *,
    label: str,
    unit: str = "lượt quét",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """SVG markup of one bar per day; `label` names the chart for screen readers."""
    total = sum(count for _day, count in series)
    top = nice_max(max((count for _day, count in series), default=0))
    plot_w = width - PAD_LEFT - 4
    plot_h = height - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(len(series), 1)
    bar_w = max(slot * 0.75, 1.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(label)}: {total} {escape(unit)}" '
        'style="max-width:40rem;font:11px sans-serif">',
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP + plot_h}" x2="{width - 4}" '
        f'y2="{PAD_TOP + plot_h}" stroke="#77736a"/>',
        f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + 4}" text-anchor="end" '
        f'fill="#333">{top}</text>',
        f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + plot_h}" text-anchor="end" '
        'fill="#333">0</text>',
    ]
    for i, (day, count) in enumerate(series):
        bar_h = plot_h * count / top
        x = PAD_LEFT + i * slot + (slot - bar_w) / 2
        y = PAD_TOP + plot_h - bar_h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" '
            f'fill="#2d5016"><title>{day:%d/%m/%Y}: {count} {escape(unit)}</title>'
            "</rect>"
        )
    if series:
        first, last = series[0][0], series[-1][0]
        parts.append(
            f'<text x="{PAD_LEFT}" y="{height - 6}" fill="#333">{first:%d/%m}</text>'
        )
        parts.append(
            f'<text x="{width - 4}" y="{height - 6}" text-anchor="end" '
            f'fill="#333">{last:%d/%m}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
