"""`dateline export-subscribers [FILE]`: subscribers as CSV."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dateline.newsletter.models import Subscriber

pytestmark = pytest.mark.django_db

HEADER = ["email", "status", "cadence", "sections", "created_at", "confirmed_at"]


def export(*args: str) -> list[list[str]]:
    out = io.StringIO()
    call_command("export_subscribers", *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


@pytest.fixture
def readers(home, world):
    from tests.factories import make_section

    sport = make_section(home, "Sport")
    when = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 30))
    both = Subscriber.objects.create(
        email="both@example.org",
        status="active",
        cadence="twice_weekly",
        created_at=when,
        confirmed_at=when + datetime.timedelta(hours=1),
    )
    both.sections.add(world, sport)
    Subscriber.objects.create(email="waiting@example.org", created_at=when)
    Subscriber.objects.create(email="left@example.org", status="unsubscribed", created_at=when)


def test_every_subscriber_goes_to_standard_output(readers):
    rows = export()
    assert rows[0] == HEADER
    assert rows[1] == [
        "both@example.org",
        "active",
        "twice_weekly",
        "sport;world-news",
        "2026-03-02T09:30:00+00:00",
        "2026-03-02T10:30:00+00:00",
    ]
    assert [row[0] for row in rows[1:]] == [
        "both@example.org",
        "waiting@example.org",
        "left@example.org",
    ]
    assert rows[2][3:] == ["", "2026-03-02T09:30:00+00:00", ""]


def test_the_status_option_picks_subscribers(readers):
    assert [row[0] for row in export("--status", "pending")] == ["email", "waiting@example.org"]
    assert [row[0] for row in export("-", "--status", "active")] == ["email", "both@example.org"]
    with pytest.raises(CommandError):
        export("--status", "gone")


def test_a_file_is_written_and_imports_again(readers, tmp_path):
    path = tmp_path / "out.csv"
    out = io.StringIO()
    call_command("export_subscribers", str(path), "--status", "active", stdout=out)
    assert "Wrote 1 subscriber(s)" in out.getvalue()
    assert path.read_bytes().startswith(",".join(HEADER).encode() + b"\r\n")

    Subscriber.objects.all().delete()
    call_command(
        "import_subscribers",
        str(path),
        "--prior-consent",
        "moved from our previous newsletter service, export kept",
        stdout=io.StringIO(),
    )
    both = Subscriber.objects.get()
    assert (both.email, both.status, both.cadence) == ("both@example.org", "active", "twice_weekly")
    assert sorted(both.sections.values_list("slug", flat=True)) == ["sport", "world-news"]


def test_an_address_a_spreadsheet_would_run_is_guarded(db):
    Subscriber.objects.create(email="=cmd|'/Ccalc'!A0@example.org")
    assert export()[1][0] == "'=cmd|'/Ccalc'!A0@example.org"


def test_an_unwritable_file_is_a_clear_error(readers, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_subscribers", str(tmp_path / "no" / "such" / "dir.csv"))


def test_many_subscribers_export_in_chunks(db, django_assert_max_num_queries):
    Subscriber.objects.bulk_create(
        Subscriber(email=f"r{i}@example.org", public_id=f"p{i}") for i in range(4500)
    )
    with django_assert_max_num_queries(8):
        rows = export()
    assert len(rows) == 4501
