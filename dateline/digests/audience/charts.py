"""The Audience area's charts as geometry for inline SVG templates (audience/line_chart.html,
audience/bar_chart.html): no chart library, and a table beside each gives every number.

The pattern is the newsletter growth chart's (newsletter/admin_views/growth.py):
coordinates formatted here with a point for the decimal, whatever language the
admin speaks, and lines told apart by dash patterns as well as colour.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from dateline.newsletter.admin_views.growth import nice_step

# Colour and dash pattern of each series in turn.
STYLES = (
    ("#2b6cb0", ""),
    ("#2f855a", "7 4"),
    ("#c53030", "2 3"),
    ("#6b46c1", "10 3 2 3"),
    ("#b7791f", "1 4"),
    ("#2c7a7b", "12 4"),
)
KEYS_PER_ROW = 5


@dataclass
class Line:
    label: str
    colour: str
    dash: str
    points: str  # "x,y x,y ...", for the polyline
    dots: list[tuple[str, str]]  # each point, drawn when there are few
    key_x: int
    key_y: int
    total: int


@dataclass
class LineChart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    left: int
    right_edge: int
    plot_bottom: int
    tick_bottom: int
    date_y: int
    gridlines: list[tuple[str, str, int]]  # (y, its label's y, value)
    ticks: list[tuple[str, datetime.date, str]]  # (x, day, text-anchor)
    lines: list[Line]


def line_chart(
    chart_id: str,
    title: str,
    desc: str,
    days: list[datetime.date],
    series: list[tuple[str, list[int]]],
) -> LineChart:
    """A line per (label, values a day) over ``days``."""
    width, height = 960, 300
    key_rows = max(1, math.ceil(len(series) / KEYS_PER_ROW))
    left, right, top, bottom = 48, 16, 24 + 18 * key_rows, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max((v for _, values in series for v in values), default=0)
    step = nice_step(highest)
    y_max = max(step * math.ceil(highest / step), step)

    def x(index: int) -> float:
        return left + index * plot_w / max(len(days) - 1, 1)

    def y(value: int) -> float:
        return top + plot_h - value * plot_h / y_max

    gridlines = [(f"{y(v):.1f}", f"{y(v) + 4:.1f}", v) for v in range(0, y_max + 1, step)]
    # Every day of a week, every week of a month, every second week beyond; counted back
    # from the last day so that today is labelled.
    every = 1 if len(days) <= 10 else 7 if len(days) <= 45 else 14
    ticks = [
        (f"{x(i):.1f}", days[i], "end" if i == len(days) - 1 and len(days) > 1 else "middle")
        for i in range(len(days) - 1, -1, -every)
    ]
    lines = []
    for number, (label, values) in enumerate(series):
        colour, dash = STYLES[number % len(STYLES)]
        coordinates = [(f"{x(i):.1f}", f"{y(v):.1f}") for i, v in enumerate(values)]
        lines.append(
            Line(
                label=label,
                colour=colour,
                dash=dash,
                points=" ".join(f"{cx},{cy}" for cx, cy in coordinates),
                dots=coordinates if len(days) <= 31 else [],
                key_x=left + (number % KEYS_PER_ROW) * 180,
                key_y=14 + 18 * (number // KEYS_PER_ROW),
                total=sum(values),
            )
        )
    return LineChart(
        id=chart_id,
        title=title,
        desc=desc,
        width=width,
        height=height,
        left=left,
        right_edge=width - right,
        plot_bottom=top + plot_h,
        tick_bottom=top + plot_h + 4,
        date_y=height - 12,
        gridlines=gridlines,
        ticks=ticks,
        lines=lines,
    )


@dataclass
class Bar:
    label: str
    value_text: str
    y: str
    text_y: str
    width: str


@dataclass
class BarChart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]


def bar_chart(
    chart_id: str, title: str, desc: str, items: list[tuple[str, float, str]]
) -> BarChart:
    """Horizontal bars, one per (label, value, value as text), longest for the largest."""
    width, label_width, bar_height, gap = 960, 360, 20, 8
    room = width - label_width - 90
    top = max((value for _, value, _ in items), default=0) or 1
    bars = [
        Bar(
            label=label,
            value_text=text,
            y=f"{i * (bar_height + gap):.1f}",
            text_y=f"{i * (bar_height + gap) + bar_height - 5:.1f}",
            width=f"{value * room / top:.1f}",
        )
        for i, (label, value, text) in enumerate(items)
    ]
    return BarChart(
        id=chart_id,
        title=title,
        desc=desc,
        width=width,
        height=max(len(items) * (bar_height + gap), bar_height),
        label_width=label_width,
        bar_height=bar_height,
        bars=bars,
    )
