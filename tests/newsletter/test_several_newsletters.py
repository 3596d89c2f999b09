"""Several newsletters: choosing them at signup (page, box, API) and in the preference centre."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from dateline.newsletter import tokens
from dateline.newsletter.models import (
    ConsentRecord,
    ConsentText,
    Newsletter,
    Subscriber,
    Subscription,
    Suppression,
)
from dateline.newsletter.signup import confirm
from dateline.newsletter.tokens import new_confirmation_token
from tests.newsletter.helpers import consent, form_data, link_in, path_of, subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists() -> dict[str, Newsletter]:
    """The digest, Breaking news, a newsroom-made one, and one readers cannot choose."""
    return {
        "digest": Newsletter.digest(),
        "alerts": Newsletter.alerts(),
        "books": Newsletter.objects.create(
            name="Books of the month",
            slug="books",
            description="What our critics read.",
            cadence="Monthly",
            position=5,
        ),
        "staff": Newsletter.objects.create(
            name="Staff notes", slug="staff", choosable=False, position=9
        ),
    }


def ids(*newsletters: Newsletter) -> list[int]:
    return [n.pk for n in newsletters]


def confirm_by_mail(client: Client, mail_server, email: str) -> str:
    mail = mail_server.to(email)[-1]
    response = client.post(path_of(link_in(mail_server.text(mail))))
    assert response.status_code == 200
    return response.content.decode()


def open_slugs(who: Subscriber) -> set[str]:
    return set(
        Subscription.objects.filter(subscriber=who, left_at=None).values_list(
            "newsletter__slug", flat=True
        )
    )


# Signing up


def test_the_page_lists_choosable_newsletters_as_labelled_checkboxes(client, lists):
    html = client.get("/newsletter/").content.decode()
    fieldset = re.search(r'<fieldset class="field newsletters-choice".*?</fieldset>', html, re.S)
    assert fieldset is not None
    block = fieldset.group(0)
    assert "<legend>Newsletters</legend>" in block
    for key in ("digest", "alerts", "books"):
        newsletter = lists[key]
        box = re.search(
            rf'<input type="checkbox" name="newsletters" value="{newsletter.pk}"[^>]*>', block
        )
        assert box is not None, key
        # Ticked only when the newsroom preselected it: the digest.
        assert (" checked" in box.group(0)) == (key == "digest")
        assert f'<label for="newsletter-{newsletter.pk}">{newsletter.name}</label>' in block
    assert 'aria-describedby="newsletter-{}-about"'.format(lists["books"].pk) in block
    assert "What our critics read. Monthly." in block
    assert "Staff notes" not in html


def test_the_box_on_an_article_lists_them_too_and_follows_the_newsroom(client, world, lists):
    from tests.factories import make_article

    article = make_article(world)
    html = client.get(article.url).content.decode()
    assert f'id="nl-newsletter-{lists["books"].pk}"' in html
    # Hiding one is seen at once, though article pages are cached.
    lists["books"].choosable = False
    lists["books"].save()
    assert f'id="nl-newsletter-{lists["books"].pk}"' not in client.get(article.url).content.decode()


def test_choosing_none_is_a_clear_error_and_records_nothing(client, mail_server, lists):
    response = client.post("/newsletter/", form_data("reader@example.org", newsletters=[]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose at least one newsletter." in html
    assert 'aria-describedby="newsletters-error"' in html
    assert not Subscriber.objects.exists() and not ConsentRecord.objects.exists()
    assert mail_server.messages == []
    answer = client.post(
        "/newsletter/",
        form_data("reader@example.org", newsletters=[]),
        HTTP_ACCEPT="application/json",
    )
    assert answer.json()["errors"]["newsletters"] == ["Choose at least one newsletter."]


def test_a_newsletter_readers_cannot_choose_is_refused(client, mail_server, lists):
    data = form_data("reader@example.org", newsletters=ids(lists["staff"]))
    assert client.post("/newsletter/", data).status_code == 400
    assert not ConsentRecord.objects.exists()


def test_one_confirmation_opens_every_newsletter_chosen(client, mail_server, lists):
    data = form_data("reader@example.org", newsletters=ids(lists["alerts"], lists["books"]))
    assert client.post("/newsletter/", data).status_code == 303
    request = ConsentRecord.objects.get()
    assert sorted(request.newsletter_ids) == sorted(ids(lists["alerts"], lists["books"]))
    (mail,) = mail_server.to("reader@example.org")  # one mail for both
    assert "The newsletters asked for: Breaking news, Books of the month." in mail_server.text(mail)
    assert "Breaking news, Books of the month" in mail_server.html(mail)
    html = confirm_by_mail(client, mail_server, "reader@example.org")
    assert "Thank you. reader@example.org is subscribed." in html
    assert "Your newsletters: Breaking news, Books of the month." in html
    reader = Subscriber.objects.get()
    assert reader.is_active
    rows = Subscription.objects.filter(subscriber=reader)
    assert {s.newsletter.slug for s in rows} == {"breaking-news", "books"}
    for row in rows:
        assert (row.source, row.left_at) == ("signup", None)
        assert row.consent == request and row.consent_text == request.consent_text


def test_the_mails_name_the_newsletters_chosen_not_the_digests_cadence(
    client, mail_server, lists, django_capture_on_commit_callbacks
):
    # A reader who chose Breaking news and Books only was told the digest would bring
    # them "the important stories once a week", and was asked to confirm just that.
    data = form_data("reader@example.org", newsletters=ids(lists["alerts"], lists["books"]))
    client.post("/newsletter/", data)
    (request,) = mail_server.to("reader@example.org")
    assert "once a week" not in mail_server.text(request)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_by_mail(client, mail_server, "reader@example.org")
    _, welcome = mail_server.to("reader@example.org")
    for text in (mail_server.text(welcome), mail_server.html(welcome)):
        assert "Breaking news, Books of the month" in text
        assert "once a week" not in text and "important stories" not in text


def test_the_welcome_says_when_the_digest_comes(
    client, mail_server, lists, django_capture_on_commit_callbacks
):
    data = form_data("reader@example.org", newsletters=ids(lists["digest"], lists["alerts"]))
    client.post("/newsletter/", data)
    (request,) = mail_server.to("reader@example.org")
    assert "The newsletters asked for: The digest (once a week), Breaking news." in (
        mail_server.text(request)
    )
    with django_capture_on_commit_callbacks(execute=True):
        confirm_by_mail(client, mail_server, "reader@example.org")
    _, welcome = mail_server.to("reader@example.org")
    assert "The digest (once a week), Breaking news" in mail_server.text(welcome)


def test_a_request_from_before_there_were_several_confirms_the_digest(lists):
    token, digest = new_confirmation_token()
    reader = subscriber("old@example.org", status="pending")
    old = consent(
        "old@example.org",
        reader,
        token_hash=digest,
        token_expires_at=timezone.now() + datetime.timedelta(days=1),
        cadence="twice_weekly",
    )
    assert old.newsletter_ids == []
    confirm(token, ip=None)
    (row,) = Subscription.objects.filter(subscriber=reader)
    assert (row.newsletter, row.source, row.consent) == (lists["digest"], "signup", old)
    reader.refresh_from_db()
    assert reader.cadence == "twice_weekly"


def test_a_subscriber_asking_for_another_newsletter_confirms_it(client, mail_server, lists):
    reader = subscriber("reader@example.org", cadence="twice_weekly")
    data = form_data("reader@example.org", newsletters=ids(lists["alerts"]), cadence="weekly")
    client.post("/newsletter/", data)
    (mail,) = mail_server.to("reader@example.org")
    assert "Confirm" in mail["Subject"]
    assert open_slugs(reader) == {"digest"}  # nothing until they confirm
    confirm_by_mail(client, mail_server, "reader@example.org")
    assert open_slugs(reader) == {"digest", "breaking-news"}
    reader.refresh_from_db()
    # The form's cadence is the digest's, and the digest was not asked for.
    assert reader.cadence == "twice_weekly"


def test_a_subscriber_asking_for_what_they_have_is_told_by_mail(client, mail_server, lists):
    subscriber("reader@example.org", newsletters=[lists["digest"], lists["alerts"]])
    data = form_data("reader@example.org", newsletters=ids(lists["alerts"]))
    assert client.post("/newsletter/", data).status_code == 303
    (mail,) = mail_server.to("reader@example.org")
    assert "already" in mail["Subject"]
    assert not ConsentRecord.objects.exists()


# The JSON API


def test_the_api_describes_the_newsletters(client, lists):
    data = client.get("/newsletter/api/form").json()
    assert [n["slug"] for n in data["newsletters"]] == ["digest", "breaking-news", "books"]
    digest = data["newsletters"][0]
    assert digest == {
        "id": lists["digest"].pk,
        "slug": "digest",
        "name": "The digest",
        "description": lists["digest"].description,
        "cadence": lists["digest"].cadence,
        "preselected": True,
    }


def api_post(client: Client, body: dict) -> tuple[int, dict]:
    response = client.post(
        "/newsletter/api/subscribe", json.dumps(body), content_type="application/json"
    )
    return response.status_code, response.json()


def test_the_api_takes_newsletter_ids(client, mail_server, lists):
    body = form_data("reader@example.org", newsletters=ids(lists["books"]))
    status, answer = api_post(client, body)
    assert (status, answer["ok"]) == (200, True)
    assert ConsentRecord.objects.filter(newsletter_ids=ids(lists["books"])).exists()


def test_the_api_without_newsletters_means_the_preselected_ones(client, mail_server, lists):
    body = form_data("reader@example.org")
    del body["newsletters"]
    status, answer = api_post(client, body)
    assert (status, answer["ok"]) == (200, True)
    assert ConsentRecord.objects.get().newsletter_ids == ids(lists["digest"])


@pytest.mark.parametrize(
    ("newsletters", "error"),
    [
        ([], "Choose at least one newsletter."),
        ("digest", "Must be a list of newsletter ids, e.g. [1, 2]."),
        ([True], "Must be a list of newsletter ids, e.g. [1, 2]."),
    ],
)
def test_the_api_refuses_no_newsletter_or_a_wrong_type(
    client, mail_server, lists, newsletters, error
):
    status, answer = api_post(client, form_data("reader@example.org", newsletters=newsletters))
    assert status == 400
    assert answer["errors"]["newsletters"] == [error]
    assert not ConsentRecord.objects.exists()


# The preference centre


def manage_url(who: Subscriber) -> str:
    return f"/newsletter/manage/{tokens.manage_token(who)}/"


def preferences(*newsletters: Newsletter, **changes) -> dict:
    return {
        "newsletters": ids(*newsletters),
        "cadence": "weekly",
        "sections": [],
        "new_email": "",
        **changes,
    }


def test_the_preference_centre_ticks_the_newsletters_the_reader_is_on(client, lists):
    reader = subscriber("reader@example.org", newsletters=[lists["digest"], lists["staff"]])
    html = client.get(manage_url(reader)).content.decode()
    assert "<legend>Your newsletters</legend>" in html
    for key, ticked in (("digest", True), ("alerts", False), ("books", False), ("staff", True)):
        box = re.search(
            rf'<input type="checkbox" name="newsletters" value="{lists[key].pk}"[^>]*>', html
        )
        assert box is not None, key  # staff notes too: the reader is on it and may leave
        assert (" checked" in box.group(0)) == ticked, key
    assert "<h2>The digest</h2>" in html


def test_adding_and_dropping_needs_no_confirmation(client, mail_server, lists):
    reader = subscriber("reader@example.org")
    text = ConsentText.objects.create(version=7, text="Send me the newsletters I tick.")
    response = client.post(manage_url(reader), preferences(lists["alerts"], lists["books"]))
    assert response.status_code == 200 and "Saved." in response.content.decode()
    assert mail_server.messages == []
    assert open_slugs(reader) == {"breaking-news", "books"}
    added = Subscription.objects.get(subscriber=reader, newsletter=lists["books"])
    assert (added.source, added.consent_text, added.consent) == ("preference centre", text, None)
    dropped = Subscription.objects.get(subscriber=reader, newsletter=lists["digest"])
    assert dropped.left_at is not None and dropped.left_how == "preference centre"
    reader.refresh_from_db()
    assert reader.is_active and not Suppression.objects.exists()
    # Saving again changes nothing: one open row per newsletter.
    client.post(manage_url(reader), preferences(lists["alerts"], lists["books"]))
    assert Subscription.objects.filter(subscriber=reader).count() == 3


def test_dropping_every_newsletter_is_unsubscribing(client, lists):
    reader = subscriber("reader@example.org", newsletters=[lists["digest"], lists["alerts"]])
    consent("reader@example.org", reader, status="confirmed")
    response = client.post(manage_url(reader), preferences())
    assert "You are unsubscribed" in response.content.decode()
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
    assert Suppression.objects.get().reason == Suppression.Reason.UNSUBSCRIBED
    assert ConsentRecord.objects.get().status == ConsentRecord.Status.WITHDRAWN
    assert open_slugs(reader) == set()
    assert set(Subscription.objects.values_list("left_how", flat=True)) == {"preference centre"}


def test_an_unsubscribed_reader_cannot_come_back_without_confirming(client, lists):
    reader = subscriber("left@example.org", status="unsubscribed")
    html = client.get(manage_url(reader)).content.decode()
    assert "sign up again" in html and "Save preferences" not in html
    client.post(manage_url(reader), preferences(lists["digest"]))
    assert not Subscription.objects.exists()
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED


def test_the_newsroom_decides_what_comes_ticked(client, lists):
    lists["books"].preselected = True
    lists["books"].save()
    html = client.get("/newsletter/").content.decode()
    ticked = re.findall(r'name="newsletters" value="(\d+)"[^>]* checked', html)
    assert sorted(map(int, ticked)) == sorted(ids(lists["digest"], lists["books"]))
    assert client.get("/newsletter/api/form").json()["newsletters"][2]["preselected"] is True


def test_with_none_to_choose_a_signup_is_for_the_digest(client, mail_server, lists):
    Newsletter.objects.update(choosable=False)
    for newsletter in Newsletter.objects.all():
        newsletter.save()  # clears the cached list, as an edit in the admin does
    assert "newsletters-choice" not in client.get("/newsletter/").content.decode()
    data = form_data("reader@example.org")
    del data["newsletters"]
    assert client.post("/newsletter/", data).status_code == 303
    confirm_by_mail(client, mail_server, "reader@example.org")
    assert open_slugs(Subscriber.objects.get()) == {"digest"}


def test_the_test_helper_puts_active_readers_on_the_digest(lists):
    # Other tests rely on it once the delivery engine sends only to subscriptions.
    assert open_slugs(subscriber("active@example.org")) == {"digest"}
    assert open_slugs(subscriber("none@example.org", newsletters=[])) == set()
    assert open_slugs(subscriber("waiting@example.org", status="pending")) == set()
