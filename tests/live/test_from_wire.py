"""The wire desk's "Add to live blog": the live blog's form with the report's source."""

from __future__ import annotations

import datetime

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.utils import timezone

from dateline.wire.formats import parse
from dateline.wire.ingest import ingest
from dateline.wire.models import WireItem
from tests.live.helpers import make_live_blog
from tests.wire.conftest import fixture
from tests.wire.helpers import make_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", password=None)
    client.force_login(boss)
    return client


@pytest.fixture
def item(home) -> WireItem:
    provider = make_provider(
        "Northwind Press", short_name="NP", format="rss", read_at="Northwind Press wire"
    )
    ingest(provider, parse(fixture("northwind.rss"), "rss"))
    return WireItem.objects.filter(provider=provider).order_by("pk").first()


def test_the_desk_offers_open_live_blogs_only(staff, world, item) -> None:
    blog = make_live_blog(world)
    make_live_blog(world, "Summit: live", live_until=timezone.now() - datetime.timedelta(minutes=1))
    page = BeautifulSoup(staff.get("/admin/wire/desk/").content, "html.parser")
    form = page.select_one(f'tr[data-item="{item.pk}"] form[data-add-to-live]')
    assert form["action"] == "/admin/live/from-wire/"
    assert [o["value"] for o in form.select("option")] == [str(blog.pk)]


def test_no_open_live_blog_no_button(staff, world, item) -> None:
    assert "data-add-to-live" not in staff.get("/admin/wire/desk/").content.decode()


def test_it_fills_in_the_reports_attribution(staff, world, item) -> None:
    blog = make_live_blog(world)
    response = staff.get(f"/admin/live/from-wire/?item={item.pk}&blog={blog.pk}")
    assert response["Location"] == f"/admin/live/{blog.pk}/?wire={item.pk}"
    response = staff.get(response["Location"])
    form = response.context["form"]
    assert form.initial["outlet"] == "Northwind Press"
    assert form.initial["outlet_short"] == "NP"
    assert form.initial["read_at"] == "Northwind Press wire"
    assert form.initial["url"] == item.url
    assert form.initial["kind"] == "report"
    assert item.headline in response.content.decode()


def test_an_embargoed_report_is_not_filled_in(staff, world, item) -> None:
    blog = make_live_blog(world)
    item.embargoed_until = timezone.now() + datetime.timedelta(hours=1)
    item.save()
    response = staff.get(f"/admin/live/{blog.pk}/?wire={item.pk}")
    assert "outlet" not in response.context["form"].initial
    assert "embargoed until" in response.content.decode()
