"""A Ghost members CSV or a Substack email list as newsletter subscribers.

Through the newsletter's own subscriber import (dateline/newsletter/imports.py): its
address checks, suppression list, blocked domains and consent records. What this
adds is which rows a source's list means as subscribers (a Ghost member who turned
newsletters off, a Substack reader with email disabled are not), and the consent
evidence: the source system, the date of its export and the operator, kept as the
statement of prior consent on each subscriber's confirmed consent record. No mail
is sent unless the operator asks for Dateline's own double opt-in (confirm_by_mail).
"""

from __future__ import annotations

import datetime
import getpass
import re
from collections.abc import Callable
from pathlib import Path

from dateline.importers.core import ImportFailed
from dateline.newsletter import imports as newsletter

# A date in an export's file name: members.2024-03-04.csv, ...-2024-03-04-10-15.csv
FILE_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
TRUE = {"true", "1", "yes", "t"}

# header, values -> why the row is not a subscriber, or "" when it is one
Skip = Callable[[dict[str, str]], str]


def read_file(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise ImportFailed(f"Cannot read {path}: {error.strerror or error}.") from None


def date_of(path: Path) -> datetime.date:
    """The export's date: from its file name when Ghost put one there, else the file's."""
    found = FILE_DATE.search(path.name)
    if found:
        try:
            return datetime.date(*(int(g) for g in found.groups()))
        except ValueError:
            pass
    return datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC).date()


def evidence(system: str, file_name: str, exported_on: datetime.date, operator: str) -> str:
    """The statement of prior consent each imported subscriber's record keeps."""
    operator = " ".join((operator or getpass.getuser() or "unknown").split())[:60]
    today = datetime.datetime.now(tz=datetime.UTC).date()
    return (
        f"subscribed at {system}; from its export {file_name[:80]} of {exported_on:%Y-%m-%d}; "
        f"imported by {operator} on {today:%Y-%m-%d}"
    )


def table(
    data: bytes, system: str, file_name: str
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The list's header and rows; ImportFailed, naming the file, when it is not one."""
    try:
        header, records = newsletter.read_table(newsletter.decode(data))
    except newsletter.ImportFailed as error:
        raise ImportFailed(f"{file_name}: {error}") from None
    if "email" not in header:
        raise ImportFailed(
            f"{file_name}: no email column; is this {system}'s list? Its first line has: "
            + ", ".join(header)
        )
    return header, records


def import_list(
    data: bytes,
    *,
    system: str,
    file_name: str,
    exported_on: datetime.date,
    operator: str,
    skip: Skip,
    confirm_by_mail: bool = False,
    dry_run: bool = False,
) -> newsletter.ImportResult:
    prior = "" if confirm_by_mail else evidence(system, file_name, exported_on, operator)
    try:
        importer = newsletter.Importer(source_name=f"{system} {file_name}", prior_consent=prior)
    except newsletter.ImportFailed as error:
        raise ImportFailed(f"{file_name}: {error}") from None
    header, records = table(data, system, file_name)
    columns: dict[str, int | None] = {
        "email": header.index("email"), "cadence": None, "sections": None,
    }  # fmt: skip
    result = newsletter.ImportResult(rows=len(records))
    importer.consent_text = newsletter.ConsentText.current()
    rows = []
    for line, values in records:
        cells = {
            name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)
        }
        reason = skip(cells)
        if reason:
            result.skipped.append(newsletter.RowNote(line, cells.get("email", ""), reason))
            continue
        row = importer.check(line, values, columns, result.problems)
        if row is not None:
            rows.append(row)
    for start in range(0, len(rows), importer.batch_size):
        batch = rows[start : start + importer.batch_size]
        if dry_run:
            todo = importer.sort(batch, result)  # reads only
            result.added += sum(1 for _, subscriber in todo if subscriber is None)
        else:
            result.merge(importer.apply(batch))
    return result


def ghost_members(
    data: bytes,
    *,
    file_name: str,
    exported_on: datetime.date,
    operator: str = "",
    confirm_by_mail: bool = False,
    dry_run: bool = False,
) -> newsletter.ImportResult:
    """Ghost's members export: id,email,name,note,subscribed_to_emails,... ."""

    def skip(cells: dict[str, str]) -> str:
        if cells.get("deleted_at"):
            return "deleted at Ghost"
        if cells.get("subscribed_to_emails", "true").lower() not in TRUE:
            return "a member who had turned newsletters off at Ghost"
        return ""

    return import_list(
        data, system="Ghost", file_name=file_name, exported_on=exported_on, operator=operator,
        skip=skip, confirm_by_mail=confirm_by_mail, dry_run=dry_run,
    )  # fmt: skip


def substack_list(
    data: bytes,
    *,
    file_name: str,
    exported_on: datetime.date,
    operator: str = "",
    confirm_by_mail: bool = False,
    dry_run: bool = False,
) -> newsletter.ImportResult:
    """Substack's email list: email,active_subscription,expiry,plan,email_disabled,... ."""

    def skip(cells: dict[str, str]) -> str:
        if cells.get("email_disabled", "").lower() in TRUE:
            return "had email turned off at Substack"
        return ""

    return import_list(
        data, system="Substack", file_name=file_name, exported_on=exported_on,
        operator=operator, skip=skip, confirm_by_mail=confirm_by_mail, dry_run=dry_run,
    )  # fmt: skip
