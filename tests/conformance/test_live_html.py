"""The live blog page, live and as an archive, the banner, and the fronts with their strip
of open live blogs pass the Nu Html Checker."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from dateline.live.models import Banner, LivePost
from tests.conformance.validators import check_atom, run_vnu
from tests.factories import make_photo
from tests.live.helpers import make_live_blog, make_post

pytestmark = pytest.mark.django_db


def test_the_live_blog_passes_the_nu_html_checker(client: Client, world, tmp_path: Path) -> None:
    now = timezone.now()
    blog = make_live_blog(world, lead_image=make_photo())
    make_post(blog, "Evacuation routes are open.", minutes_ago=40, pinned=True, source=True)
    make_post(blog, "The storm makes landfall.", minutes_ago=20, key_event=True)
    LivePost.objects.create(
        blog=blog,
        body=[
            {"type": "quote", "value": {"text": "Stay indoors.", "speaker": "Ilse Maren"}},
            {"type": "photo", "value": {"image": make_photo("Sea wall").pk, "caption": ""}},
        ],
    )
    ended = make_live_blog(
        world,
        "Summit in Lisbon: live",
        live_from=now - datetime.timedelta(days=2),
        live_until=now - datetime.timedelta(days=1),
    )
    make_post(ended, "The summit closes.")
    empty = make_live_blog(world, "Election night: live")
    Banner.objects.create(
        text="Storm Odile makes landfall",
        link=blog.url,
        expires_at=now + datetime.timedelta(hours=1),
    )
    files = []
    pages = [("live", blog.url), ("live-ended", ended.url), ("live-empty", empty.url)]
    fronts = [("home-live-strip", "/"), ("section-live-strip", world.url)]
    for name, url in pages + fronts:
        response = client.get(url)
        assert response.status_code == 200
        assert b"breaking-banner" in response.content
        assert (b'class="live-strip"' in response.content) == ((name, url) in fronts)
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(response.content.decode())
    errors = run_vnu(files)
    report = "\n".join(
        f"{Path(e['url']).name}:{e.get('lastLine')}: {e['message']}\n    {e.get('extract', '')!r}"
        for e in errors
    )
    assert not errors, f"{len(errors)} errors from the Nu Html Checker:\n{report}"


def test_the_live_blog_feed_keeps_the_validators_rules(client: Client, world) -> None:
    import xml.etree.ElementTree as ET

    import feedparser

    blog = make_live_blog(world, "Ports & harbours: live")
    make_post(blog, "Fish & chips < 5 pounds, says the <harbour> master", source=True)
    make_post(blog, "A second post.", key_event=True)
    url = f"/live/{blog.pk}/atom.xml"
    body = client.get(url).content
    assert feedparser.parse(body).bozo == 0
    root = ET.fromstring(body)  # noqa: S314 - our own feed, just rendered
    assert check_atom(url, root) == []
