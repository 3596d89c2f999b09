"""`dateline import-subscribers FILE`: subscribers from a CSV file."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dateline.newsletter.imports import import_subscribers
from dateline.newsletter.models import (
    BlockedDomain,
    ConfirmationMail,
    ConsentRecord,
    Newsletter,
    Subscriber,
    Subscription,
    Suppression,
)
from tests.newsletter.helpers import link_in, path_of

pytestmark = pytest.mark.django_db

PRIOR = "signed up at the 2025 book fair, form kept in office"


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_subscribers", str(path), *args, stdout=out, no_color=True)
    return out.getvalue()


@pytest.fixture
def csv_file(tmp_path):
    def write(text: str | bytes, name: str = "list.csv") -> Path:
        path = tmp_path / name
        if isinstance(text, str):
            path.write_text(text, encoding="utf-8")
        else:
            path.write_bytes(text)
        return path

    return write


def test_good_rows_are_kept_and_bad_rows_reported_by_line(csv_file, world, mail_server):
    path = csv_file(
        "email,cadence,sections\n"
        "one@example.org,weekly,world-news\n"
        "not-an-address,weekly,\n"
        "two@example.org,monthly,\n"
        "three@example.org,,culture\n"
        "\n"
        "one@EXAMPLE.org,twice_weekly,\n"
        "four@example.org,Twice a week,world-news|WORLD-NEWS\n"
        ",weekly,\n",
        name="fair.csv",
    )
    output = run(path, "--prior-consent", PRIOR)
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "one@example.org",
        "four@example.org",
    }
    assert "line 3: not-an-address: not a valid address" in output
    assert "line 4: two@example.org: unknown cadence 'monthly'" in output
    assert "line 5: three@example.org: unknown section 'culture' (sections: world-news)" in output
    assert "line 7: one@example.org: already in the file on line 2" in output
    assert "line 9: (no address): no address" in output
    four = Subscriber.objects.get(email="four@example.org")
    assert four.cadence == "twice_weekly"
    assert list(four.sections.values_list("pk", flat=True)) == [world.pk]


def test_prior_consent_makes_addresses_active_without_mail(csv_file, world, mail_server):
    path = csv_file("email,sections\nreader@example.org,world-news\n", name="fair.csv")
    output = run(path, "--prior-consent", PRIOR, "--cadence", "twice_weekly")
    reader = Subscriber.objects.get()
    assert reader.status == "active" and reader.confirmed_at
    assert reader.cadence == "twice_weekly"
    record = ConsentRecord.objects.get()
    assert record.status == "confirmed"
    assert record.source == f"import: fair.csv: prior consent: {PRIOR}"
    assert record.signup_ip is None and record.confirmed_at
    assert record.section_ids == [world.pk]
    assert record.subscriber == reader
    assert mail_server.messages == []
    assert "Made active (prior consent)" in output
    # On the digest, with the import's evidence.
    (on,) = Subscription.objects.filter(subscriber=reader)
    assert (on.newsletter, on.source, on.left_at) == (Newsletter.digest(), "import", None)
    assert on.consent == record and on.consent_text == record.consent_text


def test_without_prior_consent_addresses_wait_for_the_confirmation_mail(csv_file, mail_server):
    path = csv_file("email\nreader@example.org\n", name="list.csv")
    output = run(path)
    reader = Subscriber.objects.get()
    assert reader.status == "pending"
    record = ConsentRecord.objects.get()
    assert (record.status, record.source, record.signup_ip) == ("pending", "import: list.csv", None)
    (mail,) = mail_server.to("reader@example.org")
    assert "Confirm your subscription" in mail["Subject"]
    assert "Sent a confirmation mail" in output
    # Importing the file again mails nobody twice.
    run(path)
    assert len(mail_server.to("reader@example.org")) == 1
    assert not Subscription.objects.exists()
    # Confirming puts them on the digest, as an import.
    client = Client()
    assert client.post(path_of(link_in(mail_server.text(mail)))).status_code == 200
    (on,) = Subscription.objects.filter(subscriber=reader)
    assert (on.newsletter, on.source, on.consent) == (Newsletter.digest(), "import", record)


@pytest.mark.parametrize("prior", [True, False])
def test_suppressed_unsubscribed_and_blocked_addresses_are_skipped(csv_file, mail_server, prior):
    Suppression.objects.create(email="bounced@example.org", reason="hard_bounce")
    Subscriber.objects.create(email="left@example.org", status="unsubscribed")
    Subscriber.objects.create(email="happy@example.org", status="active")
    BlockedDomain.objects.create(domain="throwaway.example")
    path = csv_file(
        "email\nbounced@example.org\nleft@example.org\nhappy@example.org\nx@throwaway.example\n"
    )
    output = run(path, *(["--prior-consent", PRIOR] if prior else []))
    assert "line 2: bounced@example.org: on the suppression list (hard bounce)" in output
    assert "line 3: left@example.org: unsubscribed" in output
    assert "line 5: x@throwaway.example: its mail domain is blocked" in output
    assert dict(Subscriber.objects.values_list("email", "status")) == {
        "left@example.org": "unsubscribed",
        "happy@example.org": "active",
    }
    assert not ConsentRecord.objects.exists()
    assert mail_server.messages == []


def test_prior_consent_activates_an_address_that_was_waiting(csv_file, mail_server):
    Subscriber.objects.create(email="waiting@example.org", cadence="twice_weekly")
    run(csv_file("email\nwaiting@example.org\n"), "--prior-consent", PRIOR)
    waiting = Subscriber.objects.get()
    assert (waiting.status, waiting.cadence) == ("active", "twice_weekly")
    assert ConsentRecord.objects.get().status == "confirmed"
    assert waiting.subscriptions.get(left_at=None).newsletter == Newsletter.digest()


def test_an_address_at_its_daily_mail_limit_is_skipped(csv_file, mail_server, settings):
    for _ in range(settings.NEWSLETTER_MAILS_PER_ADDRESS_PER_DAY):
        ConfirmationMail.objects.create(email="busy@example.org", kind="confirm")
    output = run(csv_file("email\nbusy@example.org\n"))
    assert "line 2: busy@example.org: had 3 mails from us today" in output
    assert not Subscriber.objects.exists()
    assert mail_server.messages == []


def test_a_utf8_file_with_a_bom_and_semicolons_imports(csv_file, mail_server):
    path = csv_file(
        '\ufeff"Email";"Name, first";Cadence\r\nzoe@example.org;Zoë;weekly\r\n'.encode()
    )
    run(path, "--prior-consent", PRIOR)
    assert Subscriber.objects.get().email == "zoe@example.org"


def test_a_utf16_file_from_excel_imports(csv_file):
    run(
        csv_file("email\tcadence\nreader@example.org\tweekly\n".encode("utf-16")),
        "--prior-consent",
        PRIOR,
    )
    assert Subscriber.objects.get().email == "reader@example.org"


def test_our_own_spreadsheet_guard_is_read_back(csv_file):
    run(csv_file("email\n'=1+2@example.org\n"), "--prior-consent", PRIOR)
    assert Subscriber.objects.get().email == "=1+2@example.org"


def test_a_file_without_an_email_column_is_refused(csv_file):
    with pytest.raises(CommandError, match=r"No email column.*name, city"):
        run(csv_file("name,city\nAda,Leeds\n"))
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04" + bytes(range(256)) * 4, "zip archive"),
        (bytes(range(256)) * 4, "binary file"),
        (b"", "empty"),
    ],
)
def test_binary_and_empty_files_are_refused(csv_file, data, message):
    with pytest.raises(CommandError, match=message):
        run(csv_file(data))


def test_another_encoding_is_refused_unless_named(csv_file):
    path = csv_file("email\nnews@caf\u00e9.example\n".encode("cp1252"))
    with pytest.raises(CommandError, match="Line 2 is not UTF-8"):
        run(path)
    run(path, "--encoding", "cp1252", "--prior-consent", PRIOR)
    # The domain in its ASCII form (IDNA), which every relay can deliver to.
    assert Subscriber.objects.get().email == "news@xn--caf-dma.example"


def test_a_missing_file_and_a_vague_prior_consent_are_refused(tmp_path, csv_file):
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "nowhere.csv")
    with pytest.raises(CommandError, match="Describe the prior consent"):
        run(csv_file("email\nx@example.org\n"), "--prior-consent", "yes")


def test_a_large_file_goes_in_batches_without_a_query_per_row(csv_file, world):
    rows = "".join(f"reader{i}@example.org,weekly,world-news\n" for i in range(2500))
    path = csv_file("email,cadence,sections\n" + rows)
    with CaptureQueriesContext(connection) as queries:
        output = run(path, "--prior-consent", PRIOR)
    assert Subscriber.objects.filter(status="active").count() == 2500
    assert ConsentRecord.objects.count() == 2500
    assert Subscriber.sections.through.objects.count() == 2500
    assert Subscription.objects.filter(source="import", left_at=None).count() == 2500
    # Two look-ups per batch of 500 and four to start (one the digest); the writes
    # are bulk inserts, which SQLite splits into chunks of 999 parameters.
    selects = [q for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) <= 14
    assert len(queries) < 2500 / 10
    assert "2,500" in output


def test_a_batch_that_clashes_with_a_new_signup_is_tried_again():
    real_create = Subscriber.objects.bulk_create
    calls = []

    def clashing_create(objs, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("UNIQUE constraint failed: newsletter_subscriber.email")
        return real_create(objs, *args, **kwargs)

    with mock.patch.object(Subscriber.objects, "bulk_create", clashing_create):
        result = import_subscribers(
            b"email\na@example.org\nb@example.org\n", source_name="x.csv", prior_consent=PRIOR
        )
    assert len(calls) == 2
    assert (result.added, result.activated) == (2, 2)
    assert ConsentRecord.objects.count() == 2


def test_mail_sent_over_a_day_ago_does_not_count_against_the_limit(csv_file, mail_server):
    for _ in range(3):
        ConfirmationMail.objects.create(
            email="old@example.org",
            kind="confirm",
            created_at=timezone.now() - datetime.timedelta(hours=30),
        )
    run(csv_file("email\nold@example.org\n"))
    assert len(mail_server.to("old@example.org")) == 1
