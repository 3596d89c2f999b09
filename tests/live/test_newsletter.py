"""A live blog in the newsletters: a story an editor adds to a digest, and an alert."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dateline.digests import additions, clicks, editorial, engine, issuemail, render, storykinds
from dateline.digests.models import DigestIssue, DigestStory
from dateline.live.models import LiveBlogPage
from dateline.newsletter import tokens
from dateline.newsletter.models import Newsletter
from tests.digests.helpers import make_issue, reader
from tests.factories import make_article, make_photo
from tests.live.helpers import make_live_blog

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _no_pooled_connections():
    """SMTP connections the engine pooled die with the test's server."""
    yield
    engine.POOL.close_all()


@pytest.fixture(autouse=True)
def _journal_dir(settings, tmp_path):
    settings.DIGEST_JOURNAL_DIR = tmp_path / "journals"


@pytest.fixture
def blog(world) -> LiveBlogPage:
    return make_live_blog(
        world, "Storm Odile: live", lead_image=make_photo(credit="Photo by Ida Sen")
    )


def draft(articles=()) -> DigestIssue:
    issue = make_issue(articles)
    later = timezone.now() + DAY
    DigestIssue.objects.filter(pk=issue.pk).update(slot_at=later, period_end=later)
    issue.refresh_from_db()
    return issue


def send(issue: DigestIssue) -> dict[str, int]:
    engine.approve(issue)
    issue.refresh_from_db()
    return engine.send_issue(issue, "w1")


def issue_page(issue: DigestIssue) -> str:
    return f"/admin/newsletter/digests/{issue.pk}/"


def alert_page(page) -> str:
    return f"/admin/newsletter/send/alert/{page.pk}/"


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def alerts() -> list[DigestIssue]:
    return list(DigestIssue.objects.filter(kind=DigestIssue.Kind.ALERT))


# A story of a digest --------------------------------------------------------------------


def test_a_digest_carries_a_live_blog_beside_articles(world, blog, mail_server):
    article = make_article(world, "Dam agreement signed", standfirst="Signed.", photo=True)
    reader("ana@example.org")
    issue = make_issue([article, blog])

    stories = render.issue_stories(issue)
    assert [type(s.article) for s in stories] == [type(article), LiveBlogPage]
    live = stories[1]
    assert (live.label, live.action, live.section_title) == ("Live", "Follow it live", "World News")
    assert live.photo_credit == "Photo by Ida Sen" and live.photo_url
    assert (stories[0].label, stories[0].action) == ("", "Read the story")

    assert send(issue) == {"sent": 1}
    [message] = mail_server.to("ana@example.org")
    text, page = mail_server.text(message), mail_server.html(message)
    for body in (text, page):
        assert "Storm Odile: live" in body and "The storm reached the coast at dawn." in body
        assert "Follow it live" in body and "Read the story" in body
    assert "LIVE - WORLD NEWS" in text
    assert "Live &middot; World News" in page or "Live · World News" in page
    assert "Photo by Ida Sen" in page


def test_a_live_blog_without_a_photo_or_section_words_renders(world, mail_server):
    bare = make_live_blog(world, "Count night: live")
    reader("ana@example.org")
    [story] = render.issue_stories(make_issue([bare]))
    assert (story.photo_url, story.photo_alt, story.photo_credit) == ("", "", "")
    assert send(make_issue([bare], days_ago=1)) == {"sent": 1}
    assert "Count night: live" in mail_server.html(mail_server.messages[0])


def test_the_stories_cost_one_query_per_page_type_not_per_story(world, blog):
    articles = [make_article(world, f"Story {i}") for i in range(3)]
    more = [make_live_blog(world, f"Blog {i}") for i in range(2)]
    issue = make_issue([*articles, blog, *more])
    render.issue_stories(issue)  # the photo's renditions made once, as for any issue
    with CaptureQueriesContext(connection) as queries:
        stories = render.issue_stories(issue)
    assert len(stories) == 6
    sql = [q["sql"] for q in queries if "newslettersettings" not in q["sql"]]  # the links'
    # The entries, the articles, the live blogs, the sections: nothing per story.
    assert len(sql) == 4


def test_selection_still_chooses_articles_only(world, blog):
    article = make_article(world, "Dam agreement signed")
    issue = draft()
    editorial.refresh(issue)
    assert [s.article_id for s in issue.stories.all()] == [article.pk]


def test_an_added_live_blog_goes_last_pinned_and_stays_after_a_refresh(world, blog):
    make_article(world, "Dam agreement signed", standfirst="Both sides signed at dawn.")
    make_article(world, "Ferry talks resume", standfirst="Crossings restart on Monday.")
    issue = draft()
    editorial.refresh(issue)

    story = additions.add_to_draft(issue, blog)
    assert (story.position, story.pinned) == (3, True)
    make_article(world, "Harbour reopens", standfirst="Cranes work again.")
    editorial.refresh(issue)
    rows = list(issue.stories.order_by("position"))
    assert len(rows) == 4 and blog.pk in [r.article_id for r in rows]
    assert DigestStory.objects.get(issue=issue, article_id=blog.pk).pinned
    # Dropped, then added again: restored, pinned and last.
    editorial.set_dropped(DigestStory.objects.get(issue=issue, article_id=blog.pk), True)
    story = additions.add_to_draft(issue, blog)
    assert (story.position, story.pinned, story.dropped) == (4, True, False)


def test_only_a_published_live_blog_joins_only_a_draft_digest(world, blog):
    article = make_article(world, "Dam agreement signed")
    issue = draft([article])
    with pytest.raises(additions.NotAddable):
        additions.add_to_draft(issue, article)  # articles come by selection
    unpublished = make_live_blog(world, "Quiet night: live")
    unpublished.unpublish()
    with pytest.raises(additions.NotAddable):
        additions.add_to_draft(issue, unpublished)
    DigestIssue.objects.filter(pk=issue.pk).update(status=DigestIssue.Status.APPROVED)
    with pytest.raises(additions.NotAddable):
        additions.add_to_draft(issue, blog)


def test_the_choice_lists_live_blogs_live_now_or_recently(world, blog):
    now = timezone.now()
    ended = make_live_blog(world, "Vote count: live", live_from=now - 3 * DAY, live_until=now - DAY)
    make_live_blog(world, "Old storm: live", live_from=now - 40 * DAY, live_until=now - 30 * DAY)
    make_live_blog(world, "Tomorrow: live", live_from=now + DAY)
    issue = draft([make_article(world)])
    [(kind, pages)] = additions.addable(issue)
    assert kind.noun == "live blog"
    assert [p.title for p in pages] == [blog.title, ended.title]
    additions.add_to_draft(issue, blog)
    assert [p.title for p in additions.addable(issue)[0][1]] == [ended.title]


def test_an_editor_adds_a_live_blog_from_the_issue_page(staff, world, blog):
    issue = draft([make_article(world, "Dam agreement signed")])
    text = text_of(staff.get(issue_page(issue)))
    assert "Add a live blog" in text and f'<option value="{blog.pk}">Storm Odile: live' in text
    response = staff.post(f"{issue_page(issue)}add/", {"page": blog.pk}, follow=True)
    assert "Added and pinned: “Storm Odile: live”" in text_of(response)
    assert [s.article_id for s in issue.stories.order_by("position")][-1] == blog.pk
    # In the table now, and no longer offered.
    text = text_of(staff.get(issue_page(issue)))
    assert 'data-story="Storm Odile: live"' in text and "Add a live blog" not in text
    assert '<span class="w-status w-status--primary">Live</span>' in text
    # An article's id is refused with a message, nothing added.
    other = make_article(world, "Not by hand")
    response = staff.post(f"{issue_page(issue)}add/", {"page": other.pk}, follow=True)
    assert "Not done:" in text_of(response) and not issue.stories.filter(article=other).exists()


def test_a_digest_led_by_a_live_blog_takes_its_words(world, blog):
    issue = make_issue([blog, make_article(world)])
    group = issuemail.preview_group(issue)
    assert group is not None
    assert group.subject == "Storm Odile: live"
    assert "The storm reached the coast at dawn. And 1 more story." in group.html


# An alert --------------------------------------------------------------------------------


def test_the_alert_button_is_on_a_live_blogs_page(staff, world, blog):
    assert alert_page(blog) in staff.get(f"/admin/pages/{blog.pk}/edit/").content.decode()
    hidden = make_live_blog(world, "Not yet: live")
    hidden.unpublish()
    assert alert_page(hidden) not in staff.get(f"/admin/pages/{hidden.pk}/edit/").content.decode()
    assert staff.get(alert_page(hidden)).status_code == 404
    assert staff.get(alert_page(world)).status_code == 404  # a section is no story


def test_a_live_blog_alert_says_live_and_links_to_the_blog(
    staff, blog, mail_server, django_capture_on_commit_callbacks
):
    alerts_list = Newsletter.alerts()
    ana = reader("ana@example.org", newsletters=[alerts_list])
    text = text_of(staff.get(alert_page(blog)))
    assert 'value="Live: Storm Odile: live"' in text
    assert 'value="The storm reached the coast at dawn."' in text
    assert "Follow it live" in text

    fields = {
        "subject": "Live: Storm Odile: live",
        "preheader": "The storm reached the coast at dawn.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(alert_page(blog), {**fields, "action": "confirm"}, follow=True)
    assert "Sending: 1 reader queued" in text_of(response)
    [issue] = alerts()
    assert issue.subject == "" and [s.article_id for s in issue.stories.all()] == [blog.pk]
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.SENT

    [message] = mail_server.to("ana@example.org")
    assert message["Subject"] == "Live: Storm Odile: live"
    body, page = mail_server.text(message), mail_server.html(message)
    assert "LIVE\r\nStorm Odile: live" in body and "Follow it live: " in body
    assert "Live &middot; Breaking news" in page or "Live · Breaking news" in page
    # The story link is counted and leads to the live blog.
    links = tokens.Links.from_settings(newsletter="breaking-news", issue=issue.pk)
    assert links.manage_url(links.manage_token(ana)) in body
    assert "/digests/c/" in page
    counted = [clicks.read_token(t) for t in re.findall(r"/digests/c/([^/\"?]+)", page)]
    assert any(c and c.story_id == blog.pk and c.url.endswith(blog.url) for c in counted)

    # Sent once: the page warns the editor before a second one.
    assert "This live blog went out as an alert on" in text_of(staff.get(alert_page(blog)))


def test_a_live_blog_alert_counts_against_the_days_cap(staff, world, blog):
    from dateline.newsletter.models import NewsletterSettings

    settings = NewsletterSettings.load()
    settings.alerts_per_day = 1
    settings.save()
    staff.post(alert_page(make_article(world, "Dam deal")), {"action": "confirm"})
    response = staff.post(alert_page(blog), {"action": "confirm"}, follow=True)
    assert "The day's limit of 1 alert is reached" in text_of(response)
    assert len(alerts()) == 1


def test_the_registration_comes_from_live_not_the_digests():
    [kind] = [k for k in storykinds.KINDS.values() if k.model is LiveBlogPage]
    assert (kind.label, kind.noun) == ("Live", "live blog")
