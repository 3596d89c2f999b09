"""Subscribers from a CSV file, for `dateline import-subscribers` and the admin upload.

Columns: ``email`` (required), ``cadence`` (weekly or twice_weekly) and
``sections`` (section slugs separated by ";" or "|"; empty means every section).

Without more, a new address is handled like a signup on the site: it stays
pending and gets the usual confirmation mail (signup.sign_up). Only when the
operator states how these people already agreed are they made active at once,
and a confirmed consent record keeps that statement as its source. No import
ever makes a suppressed or unsubscribed address active again, and no import
mails an address that is already subscribed or waiting. Imported readers are on
the digest (a subscription with source "import"), either at once or when they
confirm.

The file is decoded and checked as a whole before anything is written, then
applied in batches, each in its own transaction with a handful of queries.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from dateline.newsletter import signup
from dateline.newsletter.admin_data import FORMULA_STARTS, PRIOR_CONSENT_MARK
from dateline.newsletter.csvfiles import ImportFailed, decode, read_table
from dateline.newsletter.models import (
    BlockedDomain,
    Cadence,
    ConfirmationMail,
    ConsentRecord,
    ConsentText,
    Newsletter,
    Subscriber,
    Subscription,
    Suppression,
)
from dateline.newsroom.models import SectionPage

BATCH_SIZE = 500
PRIOR_CONSENT_MIN = 10
PRIOR_CONSENT_MAX = 300
SOURCE_NAME_MAX = 150

# What people call the address column in the sheets they bring.
EMAIL_HEADERS = {"email", "e-mail", "email address", "e-mail address", "mail", "address"}
SECTION_SEPARATORS = re.compile(r"[;|]")


@dataclass(frozen=True)
class RowNote:
    """A row left out, and why, by its line in the file."""

    line: int
    email: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.email or '(no address)'}: {self.reason}"


@dataclass
class ImportResult:
    rows: int = 0
    added: int = 0  # new subscribers, active or pending
    activated: int = 0  # made active on the operator's statement of prior consent
    invited: int = 0  # sent a confirmation mail
    already_active: int = 0
    waiting: int = 0  # already pending, not mailed again
    skipped: list[RowNote] = field(default_factory=list)  # suppressed, unsubscribed, ...
    problems: list[RowNote] = field(default_factory=list)  # rows that are wrong
    ignored_columns: list[str] = field(default_factory=list)

    def merge(self, other: ImportResult) -> None:
        for name in ("added", "activated", "invited", "already_active", "waiting"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.skipped.extend(other.skipped)


@dataclass(frozen=True)
class Row:
    line: int
    email: str
    cadence: str | None  # None: the file doesn't say
    section_ids: list[int]


Progress = Callable[[int, int], None]


# Importing ------------------------------------------------------------------------


class Importer:
    """One import: the file's checks, then its rows applied batch by batch."""

    def __init__(
        self,
        *,
        source_name: str,
        prior_consent: str = "",
        cadence: str = Cadence.WEEKLY,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        prior_consent = " ".join(prior_consent.split())
        if prior_consent and len(prior_consent) < PRIOR_CONSENT_MIN:
            raise ImportFailed(
                "Describe the prior consent in a sentence: where and when these people "
                "agreed, and where the evidence is kept."
            )
        if len(prior_consent) > PRIOR_CONSENT_MAX:
            raise ImportFailed(
                f"Keep the description of the prior consent under {PRIOR_CONSENT_MAX} characters."
            )
        if cadence not in Cadence.values:
            raise ImportFailed(f"Unknown cadence {cadence!r}: use weekly or twice_weekly.")
        name = os.path.basename(source_name.replace("\\", "/"))
        name = "".join(c for c in name if c.isprintable())[:SOURCE_NAME_MAX] or "upload"
        self.prior_consent = prior_consent
        self.cadence = cadence
        self.batch_size = batch_size
        self.source = f"import: {name}"
        if prior_consent:
            self.source = f"{self.source}{PRIOR_CONSENT_MARK}{prior_consent}"
        self.source = self.source[:500]
        self.sections: dict[str, int] = {}
        for pk, slug in SectionPage.objects.order_by("path").values_list("pk", "slug"):
            self.sections.setdefault(slug.lower(), pk)
        self.blocked = set(BlockedDomain.objects.values_list("domain", flat=True))
        self.seen: dict[str, int] = {}

    # The file as a whole

    def run(
        self,
        data: bytes,
        *,
        encoding: str | None = None,
        max_rows: int | None = None,
        progress: Progress | None = None,
    ) -> ImportResult:
        header, records = read_table(decode(data, encoding))
        email_column = next((i for i, name in enumerate(header) if name in EMAIL_HEADERS), None)
        if email_column is None:
            found = ", ".join(name or "(blank)" for name in header)
            raise ImportFailed(
                "No email column: the first line must name the columns, for example "
                f"email,cadence,sections. This file's first line has: {found}."
            )
        if max_rows is not None and len(records) > max_rows:
            raise ImportFailed(
                f"The file has {len(records):,} rows; this form takes up to {max_rows:,}. "
                "Use `dateline import-subscribers` for larger files."
            )
        columns = {
            "email": email_column,
            "cadence": header.index("cadence") if "cadence" in header else None,
            "sections": header.index("sections") if "sections" in header else None,
        }
        result = ImportResult(rows=len(records))
        result.ignored_columns = [
            name for i, name in enumerate(header) if name and i not in columns.values()
        ]
        self.consent_text = ConsentText.current()
        if progress is not None:
            progress(0, len(records))
        for start in range(0, len(records), self.batch_size):
            batch = records[start : start + self.batch_size]
            rows = []
            for line, values in batch:
                row = self.check(line, values, columns, result.problems)
                if row is not None:
                    rows.append(row)
            if rows:
                result.merge(self.apply(rows))
            if progress is not None:
                progress(start + len(batch), len(records))
        return result

    # One row

    def check(
        self,
        line: int,
        values: Sequence[str],
        columns: dict[str, int | None],
        problems: list[RowNote],
    ) -> Row | None:
        def cell(name: str) -> str:
            index = columns[name]
            return values[index].strip() if index is not None and index < len(values) else ""

        raw = cell("email")
        # Our own export guards addresses a spreadsheet would run as formulas.
        if raw.startswith("'") and raw[1:].startswith(FORMULA_STARTS):
            raw = raw[1:]
        try:
            email = signup.subscriber_address(raw)
        except signup.InvalidAddress as error:
            detail = str(error).removeprefix("That does not look like an email address: ")
            reason = f"not a valid address: {detail}" if raw else "no address"
            problems.append(RowNote(line, raw, reason))
            return None
        cadence = self.read_cadence(cell("cadence"))
        if cadence == "":
            reason = f"unknown cadence {cell('cadence')!r}: use weekly or twice_weekly"
            problems.append(RowNote(line, email, reason))
            return None
        section_ids = []
        for slug in SECTION_SEPARATORS.split(cell("sections")):
            slug = slug.strip().lower()
            if not slug or slug == "all":
                continue
            if slug not in self.sections:
                known = ", ".join(sorted(self.sections)[:12]) or "none yet"
                problems.append(
                    RowNote(line, email, f"unknown section {slug!r} (sections: {known})")
                )
                return None
            section_ids.append(self.sections[slug])
        if email in self.seen:
            problems.append(RowNote(line, email, f"already in the file on line {self.seen[email]}"))
            return None
        self.seen[email] = line
        return Row(line, email, cadence, sorted(set(section_ids)))

    @cached_property
    def digest(self) -> Newsletter:
        return Newsletter.digest()

    @staticmethod
    def read_cadence(raw: str) -> str | None:
        """The cadence a cell names, None for a blank cell, "" for one we don't know."""
        if not raw:
            return None
        value = re.sub(r"[\s-]+", "_", raw.lower())
        if value in Cadence.values:
            return value
        labels = {label.lower().replace(" ", "_"): value for value, label in Cadence.choices}
        return labels.get(value, "")

    def domain_blocked(self, email: str) -> bool:
        parts = email.rpartition("@")[2].split(".")
        return any(".".join(parts[i:]) in self.blocked for i in range(len(parts) - 1))

    # One batch

    def apply(self, rows: list[Row]) -> ImportResult:
        if not self.prior_consent:
            with transaction.atomic():
                return self.invite(rows)
        # With prior consent the batch is written in bulk; an address that
        # someone signed up for meanwhile breaks the unique index, and a second
        # look at the database then finds it.
        try:
            with transaction.atomic():
                return self.activate(rows)
        except IntegrityError:
            with transaction.atomic():
                return self.activate(rows)

    def sort(self, rows: list[Row], outcome: ImportResult) -> list[tuple[Row, Subscriber | None]]:
        """The rows an import may act on, with their subscriber if there is one."""
        emails = [row.email for row in rows]
        existing = {s.email: s for s in Subscriber.objects.filter(email__in=emails)}
        suppressed = dict(
            Suppression.objects.filter(email__in=emails).values_list("email", "reason")
        )
        reasons = dict(Suppression.Reason.choices)
        todo: list[tuple[Row, Subscriber | None]] = []
        for row in rows:
            subscriber = existing.get(row.email)
            if row.email in suppressed:
                reason = reasons.get(suppressed[row.email], suppressed[row.email]).lower()
                outcome.skipped.append(
                    RowNote(row.line, row.email, f"on the suppression list ({reason})")
                )
            elif self.domain_blocked(row.email):
                outcome.skipped.append(RowNote(row.line, row.email, "its mail domain is blocked"))
            elif subscriber is None:
                todo.append((row, None))
            elif subscriber.status == Subscriber.Status.ACTIVE:
                outcome.already_active += 1
            elif subscriber.status == Subscriber.Status.UNSUBSCRIBED:
                outcome.skipped.append(
                    RowNote(row.line, row.email, "unsubscribed; only its owner can subscribe again")
                )
            elif not self.prior_consent:
                # Pending: one confirmation mail is enough.
                outcome.waiting += 1
            else:
                todo.append((row, subscriber))
        return todo

    def invite(self, rows: list[Row]) -> ImportResult:
        outcome = ImportResult()
        todo = self.sort(rows, outcome)
        since = timezone.now() - datetime.timedelta(hours=24)
        limit = settings.NEWSLETTER_MAILS_PER_ADDRESS_PER_DAY
        mailed = dict(
            ConfirmationMail.objects.filter(
                email__in=[row.email for row, _ in todo], created_at__gte=since
            )
            .values("email")
            .annotate(n=Count("pk"))
            .values_list("email", "n")
        )
        for row, _ in todo:
            if mailed.get(row.email, 0) >= limit:
                outcome.skipped.append(
                    RowNote(row.line, row.email, f"had {limit} mails from us today; try tomorrow")
                )
                continue
            request = signup.SignupRequest(
                email=row.email,
                cadence=row.cadence or self.cadence,
                section_ids=row.section_ids,
                ip=None,
                user_agent="",
                source=self.source,
            )
            try:
                # sign_up runs in a savepoint, so a clash rolls back this row alone.
                signup.sign_up(request)
            except IntegrityError:
                outcome.skipped.append(RowNote(row.line, row.email, "signed up meanwhile"))
                continue
            outcome.added += 1
            outcome.invited += 1
        return outcome

    def activate(self, rows: list[Row]) -> ImportResult:
        outcome = ImportResult()
        todo = self.sort(rows, outcome)
        now = timezone.now()
        new: list[tuple[Row, Subscriber]] = []
        pending: list[tuple[Row, Subscriber]] = []
        for row, subscriber in todo:
            if subscriber is None:
                new.append(
                    (
                        row,
                        Subscriber(
                            email=row.email,
                            status=Subscriber.Status.ACTIVE,
                            cadence=row.cadence or self.cadence,
                            created_at=now,
                            confirmed_at=now,
                        ),
                    )
                )
            else:
                subscriber.status = Subscriber.Status.ACTIVE
                subscriber.cadence = row.cadence or subscriber.cadence
                subscriber.confirmed_at = subscriber.confirmed_at or now
                subscriber.unsubscribed_at = None
                pending.append((row, subscriber))
        Subscriber.objects.bulk_create([s for _, s in new])
        Subscriber.objects.bulk_update(
            [s for _, s in pending], ["status", "cadence", "confirmed_at", "unsubscribed_at"]
        )
        # bulk_create sets primary keys on PostgreSQL and SQLite; asking again
        # keeps this right on a database that doesn't.
        if any(s.pk is None for _, s in new):
            ids = dict(
                Subscriber.objects.filter(email__in=[s.email for _, s in new]).values_list(
                    "email", "pk"
                )
            )
            for _, s in new:
                s.pk = ids[s.email]
        through = Subscriber.sections.through
        through.objects.filter(subscriber_id__in=[s.pk for _, s in pending]).delete()
        through.objects.bulk_create(
            [
                through(subscriber_id=s.pk, sectionpage_id=section_id)
                for row, s in [*new, *pending]
                for section_id in row.section_ids
            ]
        )
        consents = ConsentRecord.objects.bulk_create(
            [
                ConsentRecord(
                    subscriber=s,
                    email=s.email,
                    status=ConsentRecord.Status.CONFIRMED,
                    signup_at=now,
                    signup_ip=None,
                    source=self.source,
                    consent_text=self.consent_text,
                    cadence=s.cadence,
                    section_ids=row.section_ids,
                    confirmed_at=now,
                    confirmed_ip=None,
                )
                for row, s in [*new, *pending]
            ]
        )
        digest = self.digest
        # A reader pending again after being active may still have an open row.
        on_it = set(
            Subscription.objects.filter(
                subscriber_id__in=[s.pk for _, s in pending], newsletter=digest, left_at=None
            ).values_list("subscriber_id", flat=True)
        )
        Subscription.objects.bulk_create(
            [
                Subscription(
                    subscriber_id=s.pk,
                    newsletter=digest,
                    joined_at=now,
                    source="import",
                    consent_text=self.consent_text,
                    # bulk_create gives primary keys on PostgreSQL and SQLite.
                    consent=consent if consent.pk else None,
                )
                for (_, s), consent in zip([*new, *pending], consents, strict=True)
                if s.pk not in on_it
            ]
        )
        outcome.added = len(new)
        outcome.activated = len(new) + len(pending)
        return outcome


def import_subscribers(
    data: bytes,
    *,
    source_name: str,
    prior_consent: str = "",
    cadence: str = Cadence.WEEKLY,
    encoding: str | None = None,
    max_rows: int | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Import a CSV file's bytes; ImportFailed when the file as a whole is unusable."""
    importer = Importer(
        source_name=source_name,
        prior_consent=prior_consent,
        cadence=cadence,
        batch_size=batch_size,
    )
    return importer.run(data, encoding=encoding, max_rows=max_rows, progress=progress)
