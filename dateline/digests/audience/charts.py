"""The Audience area's charts: line charts from dateline.lib.charts, and horizontal bars
here (audience/bar_chart.html), drawn the same way: inline SVG, no chart library, and a
table beside each gives every number.
"""

from __future__ import annotations

from dataclasses import dataclass


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
