"""Per-reader engagement and opens: nothing about a reader unless the newsroom turns it on."""

from __future__ import annotations

import email
import email.policy
import io
import re

import pytest

from dateline.digests import clicks, engagement, render
from dateline.digests.models import (
    Delivery,
    DeliveryClick,
    DeliveryOpen,
    IssueOpens,
    LinkClicks,
    delivery_token,
)
from dateline.newsletter.models import NewsletterSettings
from tests.digests.helpers import make_issue, reader
from tests.factories import make_article

pytestmark = pytest.mark.django_db

COUNTED = re.compile(r"https?://[^\s\"']+/digests/c/[^\s\"'<>]+")
PIXEL = re.compile(r'<img src="(https?://[^"]+/digests/o/[^"]+)"')


@pytest.fixture(autouse=True)
def _fresh_tallies(settings):
    settings.CLICK_FLUSH_SECONDS = 3600
    for tally in (clicks.TALLY, engagement.READER_CLICKS, engagement.OPENS):
        tally.forget()
    yield
    for tally in (clicks.TALLY, engagement.READER_CLICKS, engagement.OPENS):
        tally.forget()


def switch(**values: bool) -> None:
    settings = NewsletterSettings.load()
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()


def flush() -> None:
    for tally in (clicks.TALLY, engagement.READER_CLICKS, engagement.OPENS):
        tally.flush()


def mails(world, *addresses: str, title: str = "Dam agreement signed", days_ago: int = 0):
    """The issue, and each reader's delivery and both parts as the engine would send them."""
    issue = make_issue([make_article(world, title)], days_ago=days_ago)
    group = render.render_group(issue, render.issue_stories(issue), None)
    assert group is not None
    sent = []
    for address in addresses:
        subscriber = reader(address)
        delivery = Delivery.objects.create(issue=issue, subscriber=subscriber, email=address)
        message = email.message_from_bytes(
            group.message_for(delivery, subscriber), policy=email.policy.default
        )
        html = message.get_body(preferencelist=("html",)).get_content()
        text = message.get_body(preferencelist=("plain",)).get_content()
        sent.append((delivery, html, text))
    return issue, group, sent


def path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_by_default_every_reader_gets_the_same_links_and_no_reader_row_is_written(client, world):
    _, group, sent = mails(world, "ana@example.org", "ben@example.org")
    assert b"@@DLREADER@@" not in b"".join(group.chunks)
    links = [sorted(set(COUNTED.findall(html))) for _, html, _ in sent]
    assert links[0] == links[1] and links[0]
    assert not PIXEL.search(sent[0][1])
    for url in links[0]:
        assert client.get(path(url)).status_code == 303
    # A reader's token added by hand is still no record of the reader.
    delivery = sent[0][0]
    response = client.get(f"{path(links[0][0])}{delivery.token}/")
    assert response.status_code == 303
    flush()
    assert sum(LinkClicks.objects.values_list("clicks", flat=True)) == len(links[0]) + 1
    assert not DeliveryClick.objects.exists()
    assert not DeliveryOpen.objects.exists()


def test_with_engagement_on_a_click_says_which_mail_it_came_from(client, world, settings):
    switch(reader_engagement=True)
    issue, _, sent = mails(world, "ana@example.org", "ben@example.org")
    (ana, ana_html, ana_text), (ben, ben_html, _) = sent
    [ana_link] = set(COUNTED.findall(ana_html))
    assert ana_link.endswith(f"/{ana.token}/")
    assert ana_link in ana_text  # the text part too
    assert ben.token in set(COUNTED.findall(ben_html)).pop()
    # The browser view and the admin's preview carry no reader and no placeholder.
    page = render.render_browser_html(issue)
    assert "@@DL" not in page and ana.token not in page

    response = client.get(path(ana_link))
    assert response.status_code == 303
    assert response["Location"] == f"{settings.BASE_URL}{issue.stories.get().article.url}"
    client.get(path(ana_link))
    flush()
    row = DeliveryClick.objects.get()
    assert (row.delivery_id, row.clicks) == (ana.pk, 2)
    assert LinkClicks.objects.get().clicks == 2  # the aggregate count as ever


def test_a_forged_or_foreign_reader_token_records_nobody_but_still_redirects(client, world):
    switch(reader_engagement=True)
    _, _, [(ana, html, _)] = mails(world, "ana@example.org")
    link = COUNTED.findall(html)[0]
    plain = link.removesuffix(f"{ana.token}/")
    other = make_issue([make_article(world, "Glacier survey published")], days_ago=1)
    stranger = Delivery.objects.create(issue=other, email="cy@example.org")
    for token in (f"{ana.pk}x{'0' * 20}", "nonsense", delivery_token(stranger.pk)):
        assert client.get(path(f"{plain}{token}/")).status_code == 303
    flush()
    assert not DeliveryClick.objects.exists()
    assert LinkClicks.objects.get().clicks == 3


def test_turned_off_after_sending_clicks_from_that_mail_record_no_reader(client, world):
    switch(reader_engagement=True)
    _, _, [(_, html, _)] = mails(world, "ana@example.org")
    switch(reader_engagement=False)
    client.get(path(COUNTED.findall(html)[0]))
    flush()
    assert not DeliveryClick.objects.exists()
    assert LinkClicks.objects.get().clicks == 1


def test_opens_are_counted_per_issue_and_per_mail_only_with_engagement(client, world):
    switch(open_tracking=True)
    issue, _, [(ana, html, _)] = mails(world, "ana@example.org")
    [pixel] = PIXEL.findall(html)
    assert ana.token not in pixel
    response = client.get(path(pixel))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    client.head(path(pixel))  # not counted
    client.get(path(pixel).replace(f"/{issue.pk}/", "/999999/"))  # signature for another
    flush()
    assert IssueOpens.objects.get(issue=issue).opens == 1
    assert not DeliveryOpen.objects.exists()

    switch(open_tracking=True, reader_engagement=True)
    issue, _, [(ben, html, _)] = mails(
        world, "ben@example.org", title="Tram timetable revised", days_ago=2
    )
    [pixel] = PIXEL.findall(html)
    assert pixel.endswith(f"/{ben.token}/")
    client.get(path(pixel))
    flush()
    assert IssueOpens.objects.get(issue=issue).opens == 1
    assert DeliveryOpen.objects.get().delivery_id == ben.pk


def test_without_open_tracking_there_is_no_image(world):
    switch(reader_engagement=True)
    _, _, [(_, html, _)] = mails(world, "ana@example.org")
    assert not PIXEL.search(html)


def test_the_redirect_before_django_reads_the_reader_token(world):
    switch(reader_engagement=True)
    _, _, [(ana, html, _)] = mails(world, "ana@example.org")
    link = COUNTED.findall(html)[0]
    seen: list[str] = []
    app = clicks.ClickRedirectApp(lambda environ, start: seen.append("django") or [b""])
    statuses: list[str] = []
    environ = {"PATH_INFO": path(link), "REQUEST_METHOD": "GET"}
    app(environ, lambda status, headers: statuses.append(status))
    assert statuses == [clicks.STATUS] and not seen
    click = clicks.read_token(link.split("/c/")[1].split("/")[0])
    assert click is not None
    assert list(engagement.READER_CLICKS.pending()) == [
        engagement.ReaderClick(ana.issue_id, click.url, ana.token)
    ]


def sent_through_the_engine(world, mail_server, *addresses: str) -> dict[str, str]:
    """Each reader's HTML part, as the delivery engine handed it to a real SMTP server."""
    from django.core.management import call_command

    make_article(world, "Dam agreement signed")
    for address in addresses:
        reader(address)
    call_command("send_digests", "--now", stdout=io.StringIO())
    found = {}
    for address in addresses:
        [message] = mail_server.to(address)
        found[address] = message.get_body(preferencelist=("html",)).get_content()
    return found


@pytest.mark.parametrize("engaged", [False, True])
def test_the_engine_sends_reader_links_only_with_engagement_on(client, world, mail_server, engaged):
    switch(reader_engagement=engaged)
    html = sent_through_the_engine(world, mail_server, "ana@example.org", "ben@example.org")
    links = {address: set(COUNTED.findall(page)) for address, page in html.items()}
    deliveries = {d.email: d for d in Delivery.objects.all()}
    for address, found in links.items():
        assert len(found) == 1
        assert found.pop().endswith(f"/{deliveries[address].token}/") is engaged
    for page in html.values():
        assert "@@DL" not in page
        client.get(path(COUNTED.findall(page)[0]))
    flush()
    assert LinkClicks.objects.get().clicks == 2
    assert DeliveryClick.objects.count() == (2 if engaged else 0)


def test_erasing_a_reader_erases_their_clicks_and_opens(client, world):
    from dateline.newsletter.admin_data import erase

    switch(reader_engagement=True, open_tracking=True)
    _, _, [(ana, ana_html, _), (ben, ben_html, _)] = mails(
        world, "ana@example.org", "ben@example.org"
    )
    for html in (ana_html, ben_html):
        client.get(path(COUNTED.findall(html)[0]))
        client.get(path(PIXEL.findall(html)[0]))
    flush()
    assert DeliveryClick.objects.count() == DeliveryOpen.objects.count() == 2
    assert ana.subscriber is not None
    erase(ana.subscriber)
    assert list(DeliveryClick.objects.values_list("delivery_id", flat=True)) == [ben.pk]
    assert list(DeliveryOpen.objects.values_list("delivery_id", flat=True)) == [ben.pk]
    assert LinkClicks.objects.get().clicks == 2  # the aggregate stays
