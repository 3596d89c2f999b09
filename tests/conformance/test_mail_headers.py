"""Every kind of mail Dateline sends, read by Python's email package as strictly as it can.

RFC 5322 and MIME: no defects, a Date with a real zone (not "-0000", which means
"zone unknown"), a Message-ID under the publication's mail domain (not the
machine's "localhost"), text and HTML as multipart/alternative, and a From whose
non-ASCII display name comes back as written.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client

from tests.conformance.helpers import (
    DOMAIN,
    PUBLICATION,
    Site,
    comment_mails,
    digest,
    kill_notice,
    newsletter_mails,
)

pytestmark = pytest.mark.django_db


def problems(raw: bytes) -> list[str]:
    """What a strict reader finds wrong with one message."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.strict)
        assert isinstance(message, EmailMessage)
        headers = {name: message[name] for name in message}  # parsed here, strictly
    except Exception as error:  # policy.strict raises on the first defect
        return [f"does not parse strictly: {error!r}"]
    found = []
    for part in message.walk():
        found += [f"defect {d!r} in {part.get_content_type()}" for d in part.defects]
    for name, value in headers.items():
        found += [f"defect {d!r} in {name}" for d in getattr(value, "defects", ())]
    when = headers["Date"].datetime
    if when.tzinfo is None:
        found.append(f"Date has no zone: {headers['Date']}")
    if not str(headers["Message-ID"]).endswith(f"@{DOMAIN}>"):
        found.append(f"Message-ID not on {DOMAIN}: {headers['Message-ID']}")
    (sender,) = headers["From"].addresses
    if sender.display_name != PUBLICATION or sender.domain != DOMAIN:
        found.append(f"From is {headers['From']}")
    if message.get_content_type() != "multipart/alternative":
        found.append(f"is {message.get_content_type()}")
    parts = [part.get_content_type() for part in message.iter_parts()]
    if parts != ["text/plain", "text/html"]:
        found.append(f"parts are {parts}")
    return found


def test_every_message_reads_cleanly_under_the_strict_policy(
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
    assert len(messages) == 8
    report = {subject: problems(raw) for subject, raw in messages.items()}
    assert report == {subject: [] for subject in messages}


def settings_in_a_new_process(tmp_path: Any, **env: str) -> dict[str, Any]:
    environ = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "DEFAULT_FROM_EMAIL")}
    environ.update(DATELINE_VAR_DIR=str(tmp_path), **env)
    code = (
        "import json, dateline.settings as s; print(json.dumps("
        "{'MAIL_DOMAIN': s.MAIL_DOMAIN, 'MAILBOX': s.NEWSLETTER_UNSUBSCRIBE_MAILBOX}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_the_mail_domain_is_the_from_addresses_never_a_development_host(tmp_path):
    assert settings_in_a_new_process(tmp_path, BASE_URL="http://127.0.0.1:8000") == {
        "MAIL_DOMAIN": "dateline.invalid",
        "MAILBOX": "unsubscribe@dateline.invalid",
    }
    configured = settings_in_a_new_process(
        tmp_path, DEFAULT_FROM_EMAIL="Harbour Ledger <desk@Ledger.example.org>"
    )
    assert configured == {
        "MAIL_DOMAIN": "ledger.example.org",
        "MAILBOX": "unsubscribe@ledger.example.org",
    }
