"""Every HTML mail Dateline sends uses only what the major mail clients support.

The check is @jsx-email/doiuse-email (npm, package.json; ``make test`` runs ``npm ci``),
which reads the caniemail.com data, run over the digest's HTML part and each
transactional mail for Gmail, Apple Mail, Outlook for Windows and Yahoo. The mails
are also left in test-artifacts/mail/ to look at.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conformance.helpers import (
    Site,
    comment_mails,
    digest,
    kill_notice,
    newsletter_mails,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = Path(__file__).resolve().parent / "caniemail.cjs"
ARTIFACTS = ROOT / "test-artifacts" / "mail"
# Classic Outlook for Windows (Word's renderer) is the hard one; the others by family.
CLIENTS = ["gmail.*", "apple-mail.*", "outlook.windows", "yahoo.*"]

GMAIL_WEB_ON_PHONES = r"gmail\.mobile-webmail"
# What the check reports and we keep, each with (a pattern of) the clients and why.
ALLOWED: dict[str, tuple[str, str]] = {
    "<body> element": (r"yahoo\.(ios|android)", "Yahoo's apps swap it for a div; nothing on it"),
    # Gmail in a phone's browser reads no <style> at all: the layout is in inline styles
    # and what the head adds (responsive columns, dark colours) is a bonus elsewhere.
    "Class selector": (GMAIL_WEB_ON_PHONES, "no <style> there"),
    "Type selector": (GMAIL_WEB_ON_PHONES, "no <style> there"),
    "ID selector": (GMAIL_WEB_ON_PHONES, "no <style> there"),
    "Descendant combinator": (GMAIL_WEB_ON_PHONES, "no <style> there"),
    # Outlook for Windows draws its own fixed 600 px tables from MJML's conditional
    # comments; the media queries are for the clients that can narrow the column.
    "@media": (rf"{GMAIL_WEB_ON_PHONES}|outlook\.windows", "responsive and dark-mode rules"),
    "Chaining selectors": (rf"{GMAIL_WEB_ON_PHONES}|outlook\.windows", "only inside @media"),
    "border-radius": (r"outlook\.windows", "square buttons in Outlook"),
    "aria-label attribute": (r"yahoo\.", "MJML's label for screen readers; Yahoo drops it"),
    "word-break": (r"yahoo\.", "long links wrap everywhere else"),
    "word-spacing": (r"outlook\.windows|yahoo\.android", "MJML's reset to the default"),
    # The preheader is hidden four ways (display, size, opacity, overflow) so that
    # every client hides it by at least one of them.
    "display:none": (GMAIL_WEB_ON_PHONES, "the preheader"),
    "opacity": (rf"{GMAIL_WEB_ON_PHONES}|outlook\.windows|yahoo\.", "the preheader"),
    "overflow": (r"outlook\.windows|yahoo\.android", "the preheader"),
}
ERROR = re.compile(r"`(?P<feature>.+)` is not supported by `(?P<client>[a-z.-]+)`")


def unexpected(errors: list[str]) -> list[str]:
    """The check's errors less the allowed ones."""
    left = []
    for error in sorted(set(errors)):
        found = ERROR.fullmatch(error)
        assert found, error
        pattern, _why = ALLOWED.get(found["feature"], ("$^", ""))
        if not re.match(pattern, found["client"]):
            left.append(error)
    return left


def html_parts(messages: dict[str, bytes]) -> dict[str, str]:
    parts = {}
    for subject, raw in messages.items():
        message = email.message_from_bytes(raw, policy=email.policy.default)
        parts[subject] = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    return parts


def run_caniemail(files: list[Path]) -> dict[str, dict[str, list[str]]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("No node: install Debian's nodejs to run the caniemail check")
    done = subprocess.run(
        [node, str(SCRIPT), json.dumps(CLIENTS), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    if "Cannot find module" in done.stderr:
        pytest.fail("@jsx-email/doiuse-email is missing: run `make test` (or `npm ci`)")
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_every_html_mail_uses_only_what_the_major_clients_support(
    publication: None,
    client: Client,
    site: Site,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    messages = newsletter_mails(client)
    messages.update(comment_mails(site, settings, django_capture_on_commit_callbacks))
    messages.update(kill_notice(site))
    messages.update(digest(site))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    files = {}
    for i, (subject, html) in enumerate(sorted(html_parts(messages).items())):
        files[subject] = ARTIFACTS / f"mail-{i}.html"
        files[subject].write_text(html)
    report = run_caniemail(list(files.values()))
    assert len(files) == 8  # three newsletter, three comment, the kill notice, the digest
    found = {subject: unexpected(report[str(path)]["errors"]) for subject, path in files.items()}
    assert found == {subject: [] for subject in files}
