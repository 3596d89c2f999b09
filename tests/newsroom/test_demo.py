import datetime
import html
import io
import random
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.models import Page, Site

from dateline.newsroom.demo.loader import ADMIN_PASSWORD, ADMIN_USERNAME, LEAD_PHOTO_SPECS
from dateline.newsroom.demo.stories import EVENTS, SCHEDULED
from dateline.newsroom.demo.writer import plan_article
from dateline.newsroom.models import (
    ArticleCorrection,
    ArticlePage,
    Author,
    HomePage,
    Photo,
    PhotoRendition,
    SectionPage,
)

# Seven articles: one live story in each of the six sections, and the scheduled one.
ARTICLES = 7


@pytest.fixture
def run_demo(db, settings):
    # The demo login is hashed once per run; the production hasher would cost most of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def run(**options):
        out = io.StringIO()
        call_command("demo", articles=ARTICLES, stdout=out, no_color=True, **options)
        return out.getvalue()

    return run


def test_it_fills_an_empty_newsroom_readers_can_browse(run_demo, client):
    output = run_demo()

    home = HomePage.objects.get()
    site = Site.objects.get(is_default_site=True)
    assert site.root_page_id == home.pk
    assert (site.hostname, site.port) == ("127.0.0.1", 8000)
    assert not Page.objects.filter(depth=2).exclude(pk=home.pk).exists(), "welcome page left"
    assert SectionPage.objects.live().count() == 6

    live = list(ArticlePage.objects.live())
    assert len(live) == ARTICLES - 1
    assert {a.get_parent().pk for a in live} == set(
        SectionPage.objects.values_list("pk", flat=True)
    )
    for article in live:
        assert article.authors, article.title
        assert article.sources_list, article.title
        assert article.published_at is not None
        assert article.lead_image is not None and article.lead_image.credit
        assert article.lead_image.description.startswith("Abstract demo image")
        made = set(article.lead_image.renditions.values_list("filter_spec", flat=True))
        assert made >= set(LEAD_PHOTO_SPECS), article.title
        assert 3 <= len(article.body) <= 6
    assert Author.objects.filter(kind=Author.Kind.ORGANISATION).exists()
    assert any(block.block_type == "photo" for a in live for block in a.body)
    # Each section leads with its top story, so the freshest front page has some.
    assert any(a.priority == ArticlePage.Priority.TOP for a in live)
    dates = [a.published_at for a in sorted(live, key=lambda a: a.pk)]
    assert dates == sorted(dates, reverse=True), "the first stories written are the newest"

    corrected = ArticlePage.objects.get(corrections__isnull=False)
    correction = ArticleCorrection.objects.get(page=corrected)
    assert corrected.published_at < correction.noted_at

    scheduled = ArticlePage.objects.get(live=False)
    assert scheduled.status_string == "scheduled"
    assert scheduled.go_live_at > scheduled.latest_revision.created_at
    assert scheduled.latest_revision.approved_go_live_at == scheduled.go_live_at
    assert scheduled.published_at is None

    assert Photo.objects.count() == ARTICLES + 1  # and one inline photo
    assert ADMIN_PASSWORD in output and "demo only" in output
    assert client.login(username=ADMIN_USERNAME, password=ADMIN_PASSWORD)
    client.logout()

    front = client.get("/")
    assert front.status_code == 200
    assert html.escape(live[0].title) in front.content.decode()
    assert html.escape(scheduled.title) not in front.content.decode()

    page = client.get(corrected.url).content.decode()
    source = corrected.sources_list[0]
    assert html.escape(f"{source.outlet_name}") in page
    assert html.escape(corrected.lead_image.credit) in page
    assert 'class="corrections"' in page


def test_a_comment_waits_in_the_moderation_queue(run_demo, client):
    from dateline.comments.models import Comment

    run_demo()
    [comment] = Comment.objects.filter(status=Comment.Status.HELD)
    assert comment.article.live and comment.thread_id == comment.pk
    assert "<strong>new timetable</strong>" in comment.body_html
    # Held: not on the reader's page until a moderator approves it.
    assert comment.name not in client.get(comment.article.url).content.decode()


def test_the_scheduled_story_goes_live_when_its_time_comes(run_demo):
    run_demo()
    scheduled = ArticlePage.objects.get(live=False)

    with time_machine.travel(scheduled.go_live_at + datetime.timedelta(minutes=1), tick=False):
        call_command("publish_scheduled", verbosity=0)

    scheduled.refresh_from_db()
    assert scheduled.live
    assert scheduled.published_at >= scheduled.go_live_at


def test_it_leaves_a_newsroom_with_articles_alone(run_demo):
    run_demo()
    counts = (ArticlePage.objects.count(), Photo.objects.count(), PhotoRendition.objects.count())

    output = run_demo(if_empty=True)
    assert "already has" in output
    with pytest.raises(CommandError, match="already has"):
        run_demo()

    assert counts == (
        ArticlePage.objects.count(),
        Photo.objects.count(),
        PhotoRendition.objects.count(),
    )
    assert get_user_model().objects.count() == 1


def test_every_story_names_its_sources_in_the_text():
    published_at = datetime.datetime(2026, 11, 27, 9, 30, tzinfo=datetime.UTC)
    for number, event in enumerate((*EVENTS, SCHEDULED)):
        plan = plan_article(
            event,
            number=number,
            published_at=published_at,
            rng=random.Random(number),
            with_inline_photo=number % 3 == 0,
        )
        prose = " ".join(b["value"] for b in plan.body if b["type"] == "paragraph")
        text = html.unescape(re.sub(r"<[^>]+>", " ", prose))
        assert "{" not in text and "on Friday" in text, event.headline
        for source in plan.sources:
            if source.kind == "photo":
                assert plan.photo_credit == f"Photo from {source.outlet_short}"
            else:
                assert source.name in text, (event.headline, source.outlet)
            assert source.url.startswith(("https://example.org/", "https://example.com/"))
        assert 3 <= len(plan.body) <= 6, event.headline
        assert 1 <= len(plan.authors) <= 2


@pytest.mark.django_db
def test_the_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused in production"):
        call_command("demo")
    with pytest.raises(CommandError, match="refused in production"):
        call_command("demo", if_empty=True)
    assert not get_user_model().objects.exists()


def test_the_demo_admin_changes_its_password_on_the_account_page(run_demo, client):
    """What the console tells the operator to do first, through Wagtail's Account page."""
    from wagtail.test.utils.form_data import querydict_from_html

    run_demo()
    assert client.login(username=ADMIN_USERNAME, password=ADMIN_PASSWORD)
    form = querydict_from_html(client.get("/admin/account/").content.decode(), form_id=None)
    form["password-old_password"] = ADMIN_PASSWORD
    form["password-new_password1"] = form["password-new_password2"] = "harbour-lights-at-dusk-42"

    response = client.post("/admin/account/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    assert client.login(username=ADMIN_USERNAME, password="harbour-lights-at-dusk-42")
