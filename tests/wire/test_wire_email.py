import io
import sys
from email.message import EmailMessage

import pytest
from django.core.management import CommandError, call_command

from dateline.wire.models import WireItem
from tests.wire.conftest import fixture
from tests.wire.helpers import make_provider

pytestmark = pytest.mark.django_db


def run(monkeypatch, raw: bytes, provider: str = "Velmar Radio Wire") -> str:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("wire_email", provider, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_plain_email_becomes_one_item(monkeypatch):
    make_provider("Velmar Radio Wire", transport="email")
    message = EmailMessage()
    message["From"] = "Sela Dorn <desk@velmar-radio.example>"
    message["Subject"] = "Besk mayor orders sandbags for the lake road"
    message["Date"] = "Mon, 16 Nov 2026 13:05:00 +0000"
    message["Message-ID"] = "<flood-77@velmar-radio.example>"
    message.set_content("The mayor of Besk ordered sandbags for the lake road on Monday.")
    out = run(monkeypatch, message.as_bytes())
    assert "1 new" in out
    item = WireItem.objects.get()
    assert item.guid == "flood-77@velmar-radio.example"
    assert item.byline == "Sela Dorn"
    assert item.headline == "Besk mayor orders sandbags for the lake road"
    assert "sandbags" in item.body_text


def test_a_feed_attached_to_an_email_is_read_in_the_providers_format(monkeypatch):
    make_provider("Meridian News Agency", transport="email", format="ninjs")
    message = EmailMessage()
    message["From"] = "feeds@meridian.example"
    message["Subject"] = "Meridian file 4471"
    message.set_content("Attached.")
    message.add_attachment(
        fixture("meridian.json"), maintype="application", subtype="json", filename="m.json"
    )
    run(monkeypatch, message.as_bytes(), "Meridian News Agency")
    assert WireItem.objects.count() == 2


def test_an_unknown_provider_or_empty_input_is_a_clear_error(monkeypatch):
    make_provider("Velmar Radio Wire", transport="email")
    with pytest.raises(CommandError, match="No provider called 'Nobody'"):
        run(monkeypatch, b"Subject: x\n\nbody", "Nobody")
    with pytest.raises(CommandError, match="Nothing on standard input"):
        run(monkeypatch, b"")
    assert WireItem.objects.count() == 0
