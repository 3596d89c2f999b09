"""Line charts as geometry for inline SVG templates (templates/charts/line_chart.html).

No chart library, and no JavaScript: the admin draws its charts server-side, and a
table beside each gives every number. Coordinates are formatted here with a point for
the decimal, whatever language the admin speaks; lines differ by dash pattern as well
as colour. Used by the newsletter growth page and the Audience area.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass


def nice_step(top: int, lines: int = 4) -> int:
    """A round gridline step (1, 2, 5, 10, 20, ...) giving about ``lines`` gridlines."""
    rough = max(top / lines, 1)
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5, 10):
        if factor * power >= rough:
            return int(factor * power)
    return int(10 * power)


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
