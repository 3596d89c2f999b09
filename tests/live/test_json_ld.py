"""schema.org LiveBlogPosting on a live blog's page."""

from __future__ import annotations

import datetime
import json

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from tests.factories import make_photo
from tests.live.helpers import make_live_blog, make_post

pytestmark = pytest.mark.django_db


def json_ld(client, blog) -> dict:
    page = BeautifulSoup(client.get(blog.url).content, "html.parser")
    (script,) = page.find_all("script", type="application/ld+json")
    return json.loads(script.string)


def test_it_is_a_live_blog_posting_with_its_updates(client, world, settings) -> None:
    settings.BASE_URL = "https://news.example.org"
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=2)
    end = start + datetime.timedelta(days=1)
    blog = make_live_blog(world, live_from=start, live_until=end, lead_image=make_photo())
    post = make_post(blog, "The storm makes landfall.", key_event=True)
    data = json_ld(client, blog)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "LiveBlogPosting"
    assert data["headline"] == blog.title
    assert data["description"] == blog.standfirst
    assert datetime.datetime.fromisoformat(data["coverageStartTime"]) == start
    assert datetime.datetime.fromisoformat(data["coverageEndTime"]) == end
    assert data["author"][0]["name"] == "Mara Velt"
    assert data["publisher"]["@type"] == "NewsMediaOrganization"
    assert data["image"][0]["@type"] == "ImageObject"
    (update,) = data["liveBlogUpdate"]
    assert update["@type"] == "BlogPosting"
    assert update["url"] == f"https://news.example.org{blog.url}#post-{post.pk}"
    assert update["headline"] == "The storm makes landfall."
    assert update["articleBody"] == "The storm makes landfall."
    assert update["author"] == {
        "@type": "Person",
        "name": "Mara Velt",
        "url": "https://news.example.org/authors/mara-velt/",
    }
    assert datetime.datetime.fromisoformat(update["datePublished"]) <= timezone.now()


def test_an_open_ended_blog_has_no_end_time(client, world) -> None:
    blog = make_live_blog(world)
    data = json_ld(client, blog)
    assert "coverageEndTime" not in data
    assert data["liveBlogUpdate"] == []
