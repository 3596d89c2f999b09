import html

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection, send_mail
from django.urls import reverse

from dateline.lib.emailurl import OUTBOX_BACKEND
from dateline.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db

CONFIRM_URL = "http://127.0.0.1:8000/newsletter/confirm/?token=abc&list=daily"
EVIL_HTML = (
    "<!doctype html><html><head><title>x</title></head><body><p>Hello <b>Ada</b></p>"
    '<script>alert(1)</script><img src="x" onerror="alert(2)">'
    f'<a href="{html.escape(CONFIRM_URL)}">Confirm</a></body></html>'
)


@pytest.fixture(autouse=True)
def _outbox_backend(settings):
    settings.EMAIL_BACKEND = OUTBOX_BACKEND
    settings.DEV_OUTBOX = True


def send_confirmation(to: str = "ada@example.org", subject: str = "Confirm your subscription"):
    message = EmailMultiAlternatives(
        subject,
        f"Hello Ada,\n\nConfirm here: {CONFIRM_URL}.\n\n<script>alert(3)</script>",
        "Dateline <newsroom@dateline.invalid>",
        [to],
        bcc=["archive@example.org"],
        headers={"List-Unsubscribe": "<https://dateline.invalid/unsubscribe/ada/>"},
    )
    message.attach_alternative(EVIL_HTML, "text/html")
    message.send()
    return OutboxMessage.objects.get(subject=subject)


def assert_not_cached(response):
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control
    assert "public" not in cache_control
    assert "X-Cache" not in response


def test_the_list_shows_newest_first_with_subject_recipient_and_clear_button(client):
    send_mail("First alert", "one", None, ["first@example.org"])
    send_mail("Second alert", "two", None, ["second@example.org"])
    response = client.get("/dev/outbox/")
    assert response.status_code == 200
    assert_not_cached(response)
    page = response.content.decode()
    assert page.index("Second alert") < page.index("First alert")
    assert "second@example.org" in page
    assert "Clear outbox" in page
    assert 'name="csrfmiddlewaretoken"' in page
    newest = OutboxMessage.objects.first()
    assert newest is not None
    assert reverse("outbox:detail", args=[newest.pk]) in page
    # Repeat requests are answered by the view, never by the page cache.
    assert "X-Cache" not in client.get("/dev/outbox/")


def test_the_list_is_paginated(client):
    get_connection().send_messages(
        [EmailMessage(f"Story {n:03}", "body", None, ["a@example.org"]) for n in range(55)]
    )
    first = client.get("/dev/outbox/").content.decode()
    assert "55 messages" in first
    assert "Page 1 of 2" in first
    assert "Story 054" in first and "Story 004" not in first
    second = client.get("/dev/outbox/?page=2").content.decode()
    assert "Page 2 of 2" in second
    assert "Story 004" in second and "Story 054" not in second


def test_an_empty_outbox_says_so(client):
    page = client.get("/dev/outbox/").content.decode()
    assert "No mail yet" in page
    assert "Clear outbox" not in page


def test_the_detail_page_shows_headers_text_and_a_sandboxed_html_frame(client):
    stored = send_confirmation()
    response = client.get(f"/dev/outbox/{stored.pk}/")
    assert response.status_code == 200
    assert_not_cached(response)
    page = response.content.decode()
    assert "<h1>Confirm your subscription</h1>" in page
    for header in ("From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe"):
        assert f'<th scope="row">{header}</th>' in page
    assert html.escape(stored.message_id) in page
    assert "archive@example.org" in page  # the Bcc, known only from the envelope
    assert '<pre class="text">Hello Ada,' in page
    # The confirmation link in the text part can be clicked.
    assert f'<a href="{html.escape(CONFIRM_URL)}"' in page
    assert f'src="/dev/outbox/{stored.pk}/html/"' in page
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in page
    assert f'href="/dev/outbox/{stored.pk}/raw/"' in page


def test_mail_html_never_reaches_the_detail_pages_own_markup(client):
    stored = send_confirmation()
    response = client.get(f"/dev/outbox/{stored.pk}/")
    page = response.content.decode()
    assert "<script" not in page
    assert "alert(1)" not in page
    assert "onerror" not in page
    assert "<b>Ada</b>" not in page
    # The text part's own markup is shown as text.
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy


def test_the_html_part_is_served_sandboxed_without_scripts(client):
    stored = send_confirmation()
    response = client.get(f"/dev/outbox/{stored.pk}/html/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox ")
    assert "default-src 'none'" in policy
    assert "img-src * data:" in policy
    assert "style-src 'unsafe-inline'" in policy
    assert "script-src" not in policy
    assert "allow-scripts" not in policy and "allow-same-origin" not in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Referrer-Policy"] == "no-referrer"
    assert_not_cached(response)
    body = response.content.decode()
    assert "<p>Hello <b>Ada</b></p>" in body
    # Links leave the frame for a tab of their own, and the doctype stays first.
    assert body.startswith("<!doctype html>")
    assert '<head><base target="_blank">' in body


def test_a_text_only_message_has_no_html_part(client):
    send_mail("Plain only", "Just text", None, ["a@example.org"])
    stored = OutboxMessage.objects.get()
    page = client.get(f"/dev/outbox/{stored.pk}/").content.decode()
    assert "Just text" in page
    assert "<iframe" not in page
    assert client.get(f"/dev/outbox/{stored.pk}/html/").status_code == 404


def test_the_raw_message_downloads_as_eml(client):
    stored = send_confirmation()
    response = client.get(f"/dev/outbox/{stored.pk}/raw/")
    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="outbox-{stored.pk}.eml"'
    assert response.content == bytes(stored.raw)
    assert_not_cached(response)


def test_attachments_are_listed_and_download_as_files(client):
    message = EmailMessage("Your invite", "See attached", None, ["a@example.org"])
    message.attach("invite.html", "<script>alert(1)</script>", "text/html")
    message.send()
    stored = OutboxMessage.objects.get()
    page = client.get(f"/dev/outbox/{stored.pk}/").content.decode()
    assert "invite.html" in page
    assert "<iframe" not in page  # an attached HTML file is not the HTML body
    response = client.get(f"/dev/outbox/{stored.pk}/attachments/1/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="invite.html"'
    assert response.content == b"<script>alert(1)</script>"
    assert client.get(f"/dev/outbox/{stored.pk}/attachments/0/").status_code == 404
    assert client.get(f"/dev/outbox/{stored.pk}/attachments/9/").status_code == 404


def test_unknown_messages_are_404(client):
    for suffix in ("", "html/", "raw/"):
        assert client.get(f"/dev/outbox/999999/{suffix}").status_code == 404


def test_clear_deletes_every_message_and_needs_post(client):
    send_mail("One", "body", None, ["a@example.org"])
    send_mail("Two", "body", None, ["b@example.org"])
    assert client.get("/dev/outbox/clear/").status_code == 405
    assert OutboxMessage.objects.count() == 2
    response = client.post("/dev/outbox/clear/")
    assert response.status_code == 302
    assert response["Location"] == "/dev/outbox/"
    assert OutboxMessage.objects.count() == 0


def test_clear_requires_the_csrf_token():
    from django.test import Client

    send_mail("Keep me", "body", None, ["a@example.org"])
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/dev/outbox/clear/").status_code == 403
    assert OutboxMessage.objects.count() == 1
    strict.get("/dev/outbox/")
    token = strict.cookies["csrftoken"].value
    assert strict.post("/dev/outbox/clear/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert OutboxMessage.objects.count() == 0


def test_latest_json_finds_the_newest_mail_for_a_recipient(client):
    send_confirmation("ada@example.org", "Older for Ada")
    send_confirmation("ada@example.org", "Newer for Ada")
    send_confirmation("notada@example.org", "For someone else")
    response = client.get("/dev/outbox/latest.json", {"to": "Ada@Example.org"})
    assert response.status_code == 200
    assert_not_cached(response)
    data = response.json()
    assert data["subject"] == "Newer for Ada"
    assert data["to"] == ["ada@example.org", "archive@example.org"]
    assert data["headers"]["List-Unsubscribe"] == "<https://dateline.invalid/unsubscribe/ada/>"
    assert data["headers"]["Subject"] == "Newer for Ada"
    assert data["text"].startswith("Hello Ada,")
    assert "<p>Hello <b>Ada</b></p>" in data["html"]
    assert data["links"] == [CONFIRM_URL]
    assert data["url"].endswith(f"/dev/outbox/{data['id']}/")


def test_latest_json_matches_whole_addresses_and_bcc(client):
    send_confirmation("notada@example.org", "For someone else")
    assert client.get("/dev/outbox/latest.json", {"to": "ada@example.org"}).status_code == 404
    bcc = client.get("/dev/outbox/latest.json", {"to": "archive@example.org"})
    assert bcc.json()["subject"] == "For someone else"


def test_latest_json_without_a_recipient_is_the_newest_mail(client):
    assert client.get("/dev/outbox/latest.json").status_code == 404
    send_mail("Only one", "body", None, ["a@example.org"])
    assert client.get("/dev/outbox/latest.json").json()["subject"] == "Only one"
    assert client.get("/dev/outbox/latest.json", {"to": ""}).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/dev/outbox/",
        "/dev/outbox/{pk}/",
        "/dev/outbox/{pk}/html/",
        "/dev/outbox/{pk}/raw/",
        "/dev/outbox/{pk}/attachments/0/",
        "/dev/outbox/latest.json",
    ],
)
def test_every_view_is_404_when_the_outbox_is_off(client, settings, path):
    stored = send_confirmation()
    settings.DEV_OUTBOX = False
    response = client.get(path.format(pk=stored.pk))
    assert response.status_code == 404
    assert b"Confirm your subscription" not in response.content


def test_clear_is_404_when_the_outbox_is_off(client, settings):
    send_mail("Keep me", "body", None, ["a@example.org"])
    settings.DEV_OUTBOX = False
    assert client.post("/dev/outbox/clear/").status_code == 404
    assert OutboxMessage.objects.count() == 1
