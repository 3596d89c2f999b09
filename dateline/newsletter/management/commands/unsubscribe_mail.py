"""``dateline unsubscribe-mail``: the mailto: half of List-Unsubscribe.

Every newsletter carries ``<mailto:unsubscribe+TOKEN@example.org?subject=unsubscribe>``
(tokens.list_unsubscribe_headers). The mail relay pipes each message sent there
to this command on standard input. With Postfix, ``recipient_delimiter = +`` in
main.cf and, in /etc/aliases::

    unsubscribe: "|/srv/dateline/.venv/bin/dateline unsubscribe-mail"

or a pipe(8) transport that passes the envelope recipient, which is the surest
place to find the token::

    dateline-unsubscribe unix - n n - - pipe
      flags=R user=dateline argv=/srv/dateline/.venv/bin/dateline unsubscribe-mail
      --recipient ${recipient}

A newsletter's mail says which newsletter in the subject,
``?subject=unsubscribe%20breaking-news`` (tokens.Links): such a message takes the
reader off that newsletter alone, and off everything when it was their last one.
A plain ``unsubscribe``, an unknown name or a subject the mail program rewrote
beyond recognition leaves every newsletter.

Exit status, as sysexits.h and mail relays understand it: 0 when the reader is
unsubscribed, and also when the message has no token or an unknown one (that is
logged; bouncing it would only mail the sender back about our problem); 75
(EX_TEMPFAIL) when the database fails, so the relay keeps the message and tries
again later.
"""

from __future__ import annotations

import logging
import re
import sys
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from typing import IO, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import Error as DatabaseError

from dateline.newsletter import signup
from dateline.newsletter.models import Newsletter, Subscriber
from dateline.newsletter.tokens import TOKEN_SHAPE, subscriber_for_token

logger = logging.getLogger(__name__)

EX_TEMPFAIL = 75
# The envelope is handed over by the relay and cannot be spoofed by the sender's
# headers, so it comes first; To is what the reader's mail program wrote.
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To")
# An unsubscribe request needs only its headers; a huge message is read to the
# end (so the relay sees no broken pipe) but not kept.
MAX_MESSAGE_BYTES = 1 << 20
MAX_CANDIDATES = 10
LOOSE_TOKEN_SHAPE = re.compile(TOKEN_SHAPE.pattern, re.IGNORECASE)
# "unsubscribe breaking-news", also behind a "Re:" or "Fwd:" a mail program added.
SUBJECT = re.compile(r"\bunsubscribe\s+([a-z0-9_-]{1,50})\s*$", re.IGNORECASE)


def read_message(stream: IO[Any]) -> Message:
    source = getattr(stream, "buffer", stream)
    data = source.read(MAX_MESSAGE_BYTES)
    while source.read(65536):
        pass
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    # compat32 never raises on a malformed header, and headers are all we need.
    return BytesHeaderParser(policy=compat32).parsebytes(data)


def recipients(message: Message, envelope: list[str]) -> list[str]:
    values = list(envelope)
    for name in RECIPIENT_HEADERS:
        values += [str(value) for value in message.get_all(name, [])]
    return [address for _, address in getaddresses(values) if address]


def tokens_in(addresses: list[str]) -> list[str]:
    """The tokens in addresses of the form <mailbox>+TOKEN@domain, first seen first."""
    mailbox = settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX.partition("@")[0].lower()
    found: list[str] = []
    for address in addresses:
        local = address.rpartition("@")[0].strip('"')
        base, plus, token = local.partition("+")
        if plus and base.lower() == mailbox and token and token not in found:
            found.append(token)
    return found[:MAX_CANDIDATES]


def newsletter_named(message: Message) -> Newsletter | None:
    """The newsletter the subject names, or None for all of them."""
    raw = message.get("Subject")
    if raw is None:
        return None
    try:
        subject = str(make_header(decode_header(str(raw))))
    except (LookupError, UnicodeError, ValueError):
        subject = str(raw)
    found = SUBJECT.search(" ".join(subject.split()))
    if found is None:
        return None
    return Newsletter.objects.filter(slug=found.group(1).lower()).first()


def subscriber_for_folded_token(token: str) -> Subscriber | None:
    """The subscriber for a token whose case a relay changed (Exim, for one, lowercases
    local parts). The signature is still checked, against the stored public id."""
    if not LOOSE_TOKEN_SHAPE.fullmatch(token):
        return None
    public_id, _, signature = token.partition(".")
    folded = Subscriber.objects.filter(public_id__iexact=public_id)
    matches = list(folded.values_list("public_id", flat=True)[:2])
    if len(matches) != 1:
        return None
    return subscriber_for_token(f"{matches[0]}.{signature.lower()}")


def find_subscriber(candidates: list[str]) -> Subscriber | None:
    for lookup in (subscriber_for_token, subscriber_for_folded_token):
        for token in candidates:
            subscriber = lookup(token)
            if subscriber is not None:
                return subscriber
    return None


class Command(BaseCommand):
    help = "Unsubscribe the reader behind one mail to unsubscribe+TOKEN@…, read on standard input."
    # call_command(..., stdin=...) in tests; a relay uses the real standard input.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--recipient",
            action="append",
            default=[],
            help="The envelope recipient, as the relay knows it (may be repeated)",
        )

    def handle(self, *args: Any, recipient: list[str], **options: Any) -> None:
        message = read_message(options.get("stdin") or sys.stdin)
        candidates = tokens_in(recipients(message, recipient))
        if not candidates:
            logger.warning("Unsubscribe mail with no token in its recipient address; ignored")
            return
        try:
            subscriber = find_subscriber(candidates)
            if subscriber is None:
                # Only the public part of each token: the rest would let a log reader act.
                ids = ", ".join(repr(c.partition(".")[0][:32]) for c in candidates)
                logger.warning(
                    "Unsubscribe mail with an unknown or forged token (%s); ignored", ids
                )
                return
            if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
                logger.info(
                    "Unsubscribe mail for subscriber %s, unsubscribed already", subscriber.pk
                )
                return
            newsletter = newsletter_named(message)
            if newsletter is None:
                signup.unsubscribe(subscriber, how="mailto")
            else:
                signup.leave(subscriber, newsletter, how="mailto")
        except DatabaseError as error:
            logger.exception("Unsubscribe mail not handled: database error")
            raise CommandError(
                f"Database error, please try again later: {error}", returncode=EX_TEMPFAIL
            ) from error
        what = f"left {newsletter.slug}" if newsletter else "unsubscribed"
        logger.info("Subscriber %s %s by mail", subscriber.pk, what)
        if options["verbosity"] > 1:
            self.stdout.write(f"Subscriber {subscriber.pk} {what}.")
