"""The growth chart's SVG (growth_chart.html): its scale, its lines, and the admin's language."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string
from django.utils import translation
from lxml import etree

from dateline.lib.charts import nice_step
from dateline.newsletter.admin_data import Growth, GrowthDay
from dateline.newsletter.admin_views.growth import growth_chart

FIRST = datetime.date(2026, 10, 3)


def growth(counts: list[tuple[int, int, int]]) -> Growth:
    days = [GrowthDay(FIRST + datetime.timedelta(days=i), *c) for i, c in enumerate(counts)]
    closed = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    return Growth(days=days, asked=0, confirmed=0, window_hours=48, closed_before=closed)


def svg(chart_growth: Growth) -> etree._Element:
    html = render_to_string(
        "newsletter/admin/growth_chart.html", {"chart": growth_chart(chart_growth)}
    )
    return etree.fromstring(html.encode())


def test_gridlines_fall_on_round_numbers():
    assert [nice_step(top) for top in (0, 3, 9, 40, 130, 2600)] == [1, 1, 5, 10, 50, 1000]


def test_one_line_a_series_with_a_point_a_day_and_a_key():
    tree = svg(growth([(i % 7, i % 3, i % 2) for i in range(90)]))
    lines = list(tree.iter("{*}polyline"))
    assert len(lines) == 3
    assert all(len(line.get("points").split()) == 90 for line in lines)
    # Told apart by more than colour: two of the three are dashed.
    assert [bool(line.get("stroke-dasharray")) for line in lines] == [False, True, True]
    labels = [t.text for t in tree.iter("{*}text")]
    assert {"Signups", "Confirmations", "Unsubscribes"} <= set(labels)
    # A date every second week counted back from the last day, which is labelled.
    assert "31 Dec" in labels and "17 Dec" in labels


def test_the_title_and_description_say_what_it_shows():
    tree = svg(growth([(2, 1, 0), (3, 1, 1)]))
    assert tree.get("role") == "img"
    assert tree.findtext("{*}title") == "Subscribers per day, 3 Oct 2026 to 4 Oct 2026"
    assert tree.findtext("{*}desc").startswith("5 signups, 2 confirmations and 1 unsubscribes")


def test_coordinates_keep_a_point_in_any_language_and_dates_follow_it():
    with translation.override("de"):
        tree = svg(growth([(1, 0, 0)] * 80))
    for line in tree.iter("{*}polyline"):
        for point in line.get("points").split():
            x, y = point.split(",")
            float(x), float(y)
    for gridline in tree.iter("{*}line"):
        float(gridline.get("y1"))
    assert "Dez" in tree.findtext("{*}title")
