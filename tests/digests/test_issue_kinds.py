"""Issues of every kind through the one engine: who gets them, their headers and mail."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from wagtail.rich_text import RichText

from dateline.digests import engine, issuemail
from dateline.digests.models import Delivery, DigestIssue, DigestStory, WrittenIssue
from dateline.newsletter import tokens
from dateline.newsletter.models import Newsletter, Subscriber, Subscription
from tests.digests.helpers import make_issue, reader, subscribe
from tests.factories import make_article, make_photo

pytestmark = pytest.mark.django_db


def make_alert(article, **fields) -> DigestIssue:
    now = timezone.now()
    fields = {"slot_at": now, **fields}
    issue = DigestIssue.objects.create(
        kind=DigestIssue.Kind.ALERT,
        newsletter=Newsletter.alerts(),
        cadence="",
        period_start=now,
        period_end=now,
        **fields,
    )
    DigestStory.objects.create(issue=issue, article=article, position=1)
    return issue


def make_written(newsletter, body, **fields) -> DigestIssue:
    written = WrittenIssue.objects.create(
        title="Harbour week",
        newsletter=newsletter,
        subject="The harbour, this week",
        preheader="Ferries, tides and a new pier",
        body=body,
    )
    now = timezone.now()
    return DigestIssue.objects.create(
        kind=DigestIssue.Kind.EDITED,
        newsletter=newsletter,
        written=written,
        cadence="",
        slot_at=now,
        period_start=now,
        period_end=now,
        **fields,
    )


def send(issue: DigestIssue) -> dict[str, int]:
    engine.approve(issue)
    issue.refresh_from_db()
    return engine.send_issue(issue, "w1")


def recipients(issue: DigestIssue) -> set[str]:
    return set(Delivery.objects.filter(issue=issue).values_list("email", flat=True))


# Approval by newsletter --------------------------------------------------------------


def test_digest_goes_to_open_digest_subscriptions_of_its_cadence_only(world):
    issue = make_issue([make_article(world)])
    reader("ana@example.org")
    reader("ben@example.org", cadence="twice_weekly")
    left = reader("cy@example.org")
    Subscription.objects.filter(subscriber=left).update(left_at=timezone.now())
    # Active, on Breaking news only: not a digest reader.
    alerts_only = Subscriber.objects.create(
        email="dee@example.org", status=Subscriber.Status.ACTIVE, cadence="weekly"
    )
    subscribe([alerts_only], Newsletter.alerts())

    assert engine.approve(issue) == 1
    assert recipients(issue) == {"ana@example.org"}


def test_alert_goes_to_breaking_news_readers_of_every_cadence_whole(world, home):
    sport = make_article(world, "Dam agreement signed")
    alerts = Newsletter.alerts()
    from tests.factories import make_section

    other = make_section(home, "Sport")
    reader("ana@example.org", other, newsletters=[alerts])  # chose Sport only, for the digest
    reader("ben@example.org", cadence="twice_weekly", newsletters=[alerts])
    reader("cy@example.org")  # the digest only
    issue = make_alert(sport)

    assert engine.approve(issue) == 2
    assert recipients(issue) == {"ana@example.org", "ben@example.org"}
    # Sections are the digest's: an alert is the same mail for everyone.
    assert set(Delivery.objects.filter(issue=issue).values_list("sections_key", flat=True)) == {
        "all"
    }


def test_written_issue_to_the_digest_reaches_every_cadence(world):
    reader("ana@example.org")
    reader("ben@example.org", cadence="twice_weekly")
    issue = make_written(Newsletter.digest(), [("subhead", "Hello")])
    assert engine.approve(issue) == 2


def test_scheduled_issue_can_be_approved(world):
    reader("ana@example.org", newsletters=[Newsletter.alerts()])
    issue = make_alert(make_article(world), status=DigestIssue.Status.SCHEDULED)
    assert engine.approve(issue) == 1
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.APPROVED


# The mail of each kind ---------------------------------------------------------------


def test_alert_mail_headers_links_and_body(world, mail_server, settings):
    alerts = Newsletter.alerts()
    alerts.sender_name = "Ledger Alerts"
    alerts.save()
    article = make_article(
        world, "Dam agreement signed", standfirst="Both sides signed at dawn.", photo=True
    )
    ana = reader("ana@example.org", newsletters=[alerts])
    issue = make_alert(article)

    assert send(issue) == {"sent": 1}

    [message] = mail_server.to("ana@example.org")
    assert message["Subject"] == "Breaking: Dam agreement signed"
    assert message["From"] == "Ledger Alerts <newsroom@dateline.invalid>"
    assert "<breaking-news.dateline.invalid>" in message["List-Id"]
    links = tokens.Links.from_settings(newsletter="breaking-news", issue=issue.pk)
    token = links.manage_token(ana)
    assert f"<{links.unsubscribe_url(token)}>" in message["List-Unsubscribe"]
    assert "unsubscribe%20breaking-news" in message["List-Unsubscribe"]
    text, html = mail_server.text(message), mail_server.html(message)
    for body in (text, html):
        assert "Dam agreement signed" in body and "Both sides signed at dawn." in body
        assert links.unsubscribe_url(token) in body and links.manage_url(token) in body
        assert "/digests/c/" in body  # the story link is counted
    assert "Read the story" in html and "Photo from AP" in html and "<img" in html
    assert "Both sides signed at dawn." in html.split("<body")[1][:2000]  # the preheader


def test_alert_subject_and_preheader_are_the_editors_when_set(world):
    issue = make_alert(make_article(world), subject="Dam deal", preheader="Signed at dawn")
    group = issuemail.preview_group(issue)
    assert group is not None
    assert group.subject == "Dam deal" and "Signed at dawn" in group.html


def test_digest_keeps_the_digest_sender_and_list(world, mail_server, settings):
    reader("ana@example.org")
    issue = make_issue([make_article(world)])
    send(issue)
    [message] = mail_server.to("ana@example.org")
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert "<weekly.digest.dateline.invalid>" in message["List-Id"]
    assert f"/digest/{issue.pk}/>" in message["List-Unsubscribe"]


def test_digest_carries_a_story_that_went_out_as_an_alert(world, mail_server):
    article = make_article(world, "Dam agreement signed")
    reader("ana@example.org", newsletters=[Newsletter.alerts()])
    send(make_alert(article))
    digest = make_issue([article, make_article(world, "Tram timetable revised")])
    send(digest)
    [_alert, mail] = mail_server.to("ana@example.org")
    assert "Dam agreement signed" in mail_server.text(mail)


def test_digest_still_leaves_out_what_an_earlier_digest_gave(world, mail_server):
    article = make_article(world, "Dam agreement signed")
    reader("ana@example.org")
    send(make_issue([article], days_ago=3))
    later = make_issue([article, make_article(world, "Tram timetable revised")])
    send(later)
    [_, mail] = mail_server.to("ana@example.org")
    assert "Dam agreement signed" not in mail_server.text(mail)


def test_an_alert_sent_again_goes_to_every_reader(world, mail_server):
    article = make_article(world, "Dam agreement signed")
    reader("ana@example.org", newsletters=[Newsletter.alerts()])
    send(make_alert(article))
    assert send(make_alert(article)) == {"sent": 1}


def test_written_issue_mail_renders_every_block(world, mail_server, settings):
    story = make_article(world, "Dam agreement signed", standfirst="Signed.", photo=True)
    photo = make_photo(title="Pier", credit="Photo by Ida Sen")
    weekly = Newsletter.objects.create(name="Harbour weekly", slug="harbour")
    body = [
        (
            "paragraph",
            RichText(
                '<p>Hello <a href="https://example.org/tides">tides</a> and '
                f'<a linktype="page" id="{story.pk}">the dam</a>.</p>'
            ),
        ),
        ("subhead", "On the water"),
        ("story", {"story": story, "note": "Our pick"}),
        ("photo", {"image": photo, "caption": "The new pier"}),
        ("button", {"text": "See the timetable", "url": "https://example.org/timetable"}),
    ]
    ana = reader("ana@example.org", newsletters=[weekly])
    reader("ben@example.org")  # the digest only
    issue = make_written(weekly, body)

    assert send(issue) == {"sent": 1}

    [message] = mail_server.to("ana@example.org")
    assert message["Subject"] == "The harbour, this week"
    assert "<harbour.dateline.invalid>" in message["List-Id"]
    text, html = mail_server.text(message), mail_server.html(message)
    assert "Ferries, tides and a new pier" in html  # preheader
    for body_part in (text, html):
        for words in ("On the water", "Dam agreement signed", "Our pick", "See the timetable"):
            assert words.lower() in body_part.lower(), words
        assert "The new pier" in body_part and "Photo by Ida Sen" in body_part
        assert "/digests/c/" in body_part
    # Links are absolute and counted; the internal one too.
    assert 'href="/' not in html
    assert "https://example.org/tides" not in html  # behind the click redirect
    links = tokens.Links.from_settings(newsletter="harbour", issue=issue.pk)
    assert links.unsubscribe_url(links.manage_token(ana)) in text
    assert "Unsubscribe from Harbour weekly" in html
    assert "<img" in html and "The new pier" in html


def test_view_online_page_works_for_each_kind(world, client, settings):
    from dateline.digests import render

    article = make_article(world, "Dam agreement signed")
    alert = make_alert(article)
    written = make_written(Newsletter.digest(), [("subhead", "On the water")])
    digest = make_issue([article])
    for issue, words in (
        (alert, "Dam agreement signed"),
        (written, "On the water"),
        (digest, "Dam agreement"),
    ):
        response = client.get(render.view_url(issue).removeprefix(settings.BASE_URL))
        assert response.status_code == 200, issue.kind
        page = response.content.decode()
        assert words in page and "Unsubscribe" not in page


def test_scheduled_issue_is_not_sent_before_approval(world):
    issue = make_alert(
        make_article(world),
        status=DigestIssue.Status.SCHEDULED,
        slot_at=timezone.now() + datetime.timedelta(hours=2),
    )
    reader("ana@example.org", newsletters=[Newsletter.alerts()])
    assert engine.send_issue(issue, "w1") == {}
    assert not Delivery.objects.filter(issue=issue).exists()


def test_a_reader_who_left_the_newsletter_after_approval_gets_nothing(world, mail_server):
    alerts = Newsletter.alerts()
    ana = reader("ana@example.org", newsletters=[alerts])
    reader("bo@example.org", newsletters=[alerts])
    issue = make_alert(make_article(world))
    engine.approve(issue)
    # One-click unsubscribe from Breaking news: still a reader of the digest.
    Subscription.objects.filter(subscriber=ana, newsletter=alerts).update(left_at=timezone.now())
    issue.refresh_from_db()
    assert engine.send_issue(issue, "w1") == {"sent": 1, "suppressed": 1}
    assert [m["To"] for m in mail_server.messages] == ["bo@example.org"]
    left = Delivery.objects.get(issue=issue, subscriber=ana)
    assert (left.state, left.last_error) == (Delivery.State.SUPPRESSED, "left the newsletter")


def test_the_scheduler_leaves_a_draft_alert_or_written_issue_as_it_is(world):
    """Between an editor's confirmation and the approval a moment later the issue is a
    draft: a scheduler run then must neither change its content nor cancel it."""
    from dateline.digests import editorial

    article = make_article(world, "Dam agreement signed")
    make_article(world, "Tram timetable revised")  # the digest's selection would take it
    reader("ana@example.org", newsletters=[Newsletter.alerts()])
    alert = make_alert(article)
    written = make_written(Newsletter.digest(), [("subhead", "On the water")])
    assert editorial.release_due(hand_to_workers=False) == []
    for issue in (alert, written):
        issue.refresh_from_db()
        assert issue.status == DigestIssue.Status.DRAFT
    assert [s.article_id for s in alert.stories.all()] == [article.pk]
    # The editor's request then approves them as they are.
    editorial.approve(alert, hand_to_workers=False)
    editorial.approve(written, hand_to_workers=False)
    assert [s.article_id for s in alert.stories.all()] == [article.pk]
    assert Delivery.objects.filter(issue=written).count() == 1
