"""/newsletter/manage/TOKEN/: the preference centre linked from every mail."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from dateline.newsletter import tokens
from dateline.newsletter.models import ConsentRecord, Newsletter, Subscriber
from tests.newsletter.helpers import form_data, link_in, path_of

pytestmark = pytest.mark.django_db


def confirmed(client: Client, mail_server, email: str = "reader@example.org") -> Subscriber:
    """A subscriber made the real way: the form, the mail, the button."""
    client.post("/newsletter/", form_data(email))
    (mail,) = mail_server.to(email)
    assert client.post(path_of(link_in(mail_server.text(mail)))).status_code == 200
    return Subscriber.objects.get(email=email)


def manage(subscriber: Subscriber) -> str:
    return f"/newsletter/manage/{tokens.manage_token(subscriber)}/"


def preferences(**changes) -> dict:
    """The form as the page sends it: still on the digest unless ``newsletters`` says."""
    return {
        "newsletters": [Newsletter.digest().pk],
        "cadence": "weekly",
        "sections": [],
        "new_email": "",
        **changes,
    }


def test_the_page_shows_the_current_preferences(client, mail_server, world):
    subscriber = confirmed(client, mail_server)
    response = client.get(manage(subscriber))
    assert response.status_code == 200
    html = response.content.decode()
    assert "reader@example.org" in html
    assert 'value="weekly" checked' in html
    assert "World News" in html
    assert f"/newsletter/unsubscribe/{tokens.manage_token(subscriber)}/" in html
    assert "no-store" in response["Cache-Control"]


def test_changing_cadence_and_sections(client, mail_server, world, home):
    from tests.factories import make_section

    sport = make_section(home, "Sport")
    subscriber = confirmed(client, mail_server)
    response = client.post(
        manage(subscriber), preferences(cadence="twice_weekly", sections=[world.pk, sport.pk])
    )
    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.cadence == "twice_weekly"
    assert set(subscriber.sections.values_list("pk", flat=True)) == {world.pk, sport.pk}

    # Unticking every section means every section again.
    client.post(manage(subscriber), preferences(cadence="weekly"))
    subscriber.refresh_from_db()
    assert subscriber.cadence == "weekly"
    assert not subscriber.sections.exists()


def test_a_reader_who_left_is_shown_the_way_back_and_an_old_tab_changes_nothing(
    client, mail_server, world
):
    subscriber = confirmed(client, mail_server)
    page = manage(subscriber)
    client.post(page, preferences(newsletters=[]))  # leaves every newsletter
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    html = client.get(page).content.decode()
    assert "You left every newsletter" in html
    assert 'href="/newsletter/"' in html
    assert '<form method="post"' not in html and "Save preferences" not in html
    mails = len(mail_server.to("new@example.org"))

    # The form still open in another tab, posted: nothing changes, nothing is mailed.
    response = client.post(
        page, preferences(cadence="twice_weekly", sections=[world.pk], new_email="new@example.org")
    )
    assert response.status_code == 200
    assert "Saved." not in response.content.decode()
    subscriber.refresh_from_db()
    assert (subscriber.cadence, subscriber.status) == ("weekly", Subscriber.Status.UNSUBSCRIBED)
    assert not subscriber.sections.exists()
    assert len(mail_server.to("new@example.org")) == mails


def test_an_unknown_cadence_or_section_changes_nothing(client, mail_server, world):
    subscriber = confirmed(client, mail_server)
    client.post(manage(subscriber), preferences(cadence="hourly"))
    client.post(manage(subscriber), preferences(sections=[world.pk + 999]))
    subscriber.refresh_from_db()
    assert subscriber.cadence == "weekly"
    assert not subscriber.sections.exists()


def test_the_form_needs_the_csrf_token_of_the_page(client, mail_server):
    subscriber = confirmed(client, mail_server)
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(manage(subscriber), preferences(cadence="twice_weekly")).status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.cadence == "weekly"


def test_a_new_address_is_confirmed_by_mail_to_it_alone(client, mail_server):
    subscriber = confirmed(client, mail_server, "old@example.org")
    old_manage = manage(subscriber)
    old_unsubscribe = old_manage.replace("/manage/", "/unsubscribe/")
    mails_to_old = len(mail_server.to("old@example.org"))

    response = client.post(old_manage, preferences(new_email="New@Example.ORG"))
    assert "We sent a confirmation to the new address" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.email == "old@example.org"  # nothing changes until the new owner says yes
    assert len(mail_server.to("old@example.org")) == mails_to_old
    (mail,) = mail_server.to("new@example.org")
    assert "Confirm your new address" in mail["Subject"]
    confirm = path_of(link_in(mail_server.text(mail)))

    assert client.get(confirm).status_code == 200  # the button, not the change
    assert Subscriber.objects.get().email == "old@example.org"
    assert client.post(confirm).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.email == "new@example.org"
    assert subscriber.is_active
    consent = ConsentRecord.objects.get(purpose=ConsentRecord.Purpose.CHANGE_ADDRESS)
    assert consent.status == ConsentRecord.Status.CONFIRMED
    assert consent.confirmed_ip == "127.0.0.1"
    # Links sent to the old address stop working; new ones work.
    assert client.get(old_manage).status_code == 404
    assert client.get(old_unsubscribe).status_code == 404
    assert client.get(manage(subscriber)).status_code == 200
    # No welcome mail for a reader who was subscribed all along.
    assert len(mail_server.to("new@example.org")) == 1


def test_only_the_newest_change_of_address_can_be_confirmed(client, mail_server):
    subscriber = confirmed(client, mail_server, "old@example.org")
    client.post(manage(subscriber), preferences(new_email="first@example.org"))
    client.post(manage(subscriber), preferences(new_email="second@example.org"))
    first = path_of(link_in(mail_server.text(mail_server.to("first@example.org")[0])))
    second = path_of(link_in(mail_server.text(mail_server.to("second@example.org")[0])))
    assert client.post(first).status_code == 404
    assert client.post(second).status_code == 200
    assert Subscriber.objects.get().email == "second@example.org"


def test_an_address_taken_by_another_subscriber(client, mail_server):
    subscriber = confirmed(client, mail_server, "old@example.org")
    other = confirmed(client, mail_server, "taken@example.org")
    response = client.post(manage(subscriber), preferences(new_email="taken@example.org"))
    # The page answers as for any address: it must not tell who subscribes.
    assert "We sent a confirmation to the new address" in response.content.decode()
    confirm = path_of(link_in(mail_server.text(mail_server.to("taken@example.org")[-1])))
    response = client.post(confirm)
    assert response.status_code == 409
    assert "That address is already subscribed" in response.content.decode()
    subscriber.refresh_from_db()
    other.refresh_from_db()
    assert subscriber.email == "old@example.org"
    assert other.email == "taken@example.org" and other.is_active
    assert client.get(manage(subscriber)).status_code == 200


def test_an_address_left_by_an_unsubscriber_can_be_taken_over(client, mail_server):
    from dateline.newsletter.signup import unsubscribe

    subscriber = confirmed(client, mail_server, "old@example.org")
    unsubscribe(confirmed(client, mail_server, "second@example.org"), how="test")
    client.post(manage(subscriber), preferences(new_email="second@example.org"))
    confirm = path_of(link_in(mail_server.text(mail_server.to("second@example.org")[-1])))
    assert client.post(confirm).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.email == "second@example.org"
    assert subscriber.is_active
    assert Subscriber.objects.count() == 1


def test_a_malformed_new_address_is_shown_as_an_error(client, mail_server):
    subscriber = confirmed(client, mail_server)
    response = client.post(manage(subscriber), preferences(new_email="not an address"))
    html = response.content.decode()
    assert 'id="new_email-error"' in html
    assert "Saved." not in html
    assert len(mail_server.messages) == 2  # the confirmation and the welcome, nothing more


def test_the_data_export_holds_the_consent_records(client, mail_server):
    subscriber = confirmed(client, mail_server)
    response = client.get(manage(subscriber) + "data.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["email"] == "reader@example.org"
    assert data["status"] == "active"
    assert data["sections"] == ["all"]
    (record,) = data["consent_records"]
    assert record["status"] == "confirmed"
    assert record["consent_text_version"] == 1
    assert record["consent_text"]
    assert record["signup_ip"] == record["confirmed_ip"] == "127.0.0.1"
    assert record["confirmed_at"] and record["confirmation_mail_sent_at"]


@pytest.mark.parametrize("suffix", ["", "data.json"])
def test_a_forged_token_is_not_found(client, mail_server, suffix):
    subscriber = confirmed(client, mail_server)
    token = tokens.manage_token(subscriber)
    forged = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
    path = f"/newsletter/manage/{forged}/{suffix}"
    assert client.get(path).status_code == 404
    assert client.post(path, preferences(cadence="twice_weekly")).status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.cadence == "weekly"


def test_the_data_export_keeps_the_consent_given_under_the_old_address(client, mail_server):
    subscriber = confirmed(client, mail_server, "old@example.org")
    client.post(manage(subscriber), preferences(new_email="new@example.org"))
    client.post(path_of(link_in(mail_server.text(mail_server.to("new@example.org")[0]))))
    subscriber.refresh_from_db()
    data = json.loads(client.get(manage(subscriber) + "data.json").content)
    assert [(r["email"], r["purpose"]) for r in data["consent_records"]] == [
        ("old@example.org", "subscribe"),
        ("new@example.org", "change_address"),
    ]
