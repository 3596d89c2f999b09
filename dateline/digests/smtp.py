"""Sending prepared messages over an smtplib connection, with less work than SMTP.sendmail.

``sendmail`` rewrites line endings and dot-stuffs with regular expressions over
the whole message, then waits for each reply in turn. Our messages are built
with CRLF already: here dot-stuffing is one ``bytes.replace``, and when the
server offers PIPELINING (RFC 2920, as Postfix and the ESPs do) MAIL, RCPT and
DATA go out in one write and their replies are read after it. ``send_pipelined``
goes further for a run of messages: each message's data goes out in the same
write as the next one's envelope (RFC 2920 lets the data be the first "command"
of a group), so a message costs one round trip instead of two. Errors are
smtplib's own exceptions, as ``sendmail`` raises them. No Django here: bench/send's
raw blast uses it too.
"""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


def no_delay(connection: smtplib.SMTP) -> smtplib.SMTP:
    """Turn off Nagle's algorithm on the connection's socket.

    Otherwise the tail of each message waits for the ACK of the part before it,
    which the server delays (40 ms on Linux): a few dozen messages a second per
    connection however fast both ends are.
    """
    if connection.sock is not None:
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def stuffed(data: bytes) -> bytes:
    """The DATA payload with its terminator: lines starting with "." doubled (RFC 5321 4.5.2)."""
    body = data.replace(b"\r\n.", b"\r\n..")
    if body.startswith(b"."):
        body = b"." + body
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


def stuffed_chunks(chunks: list[bytes]) -> list[bytes]:
    """``stuffed`` for a message kept as fixed chunks with values between them.

    ``chunks`` alternate fixed bytes and the names of values (render.RenderedGroup); the
    fixed ones are stuffed and the last one ends the DATA. Right as long as no value
    starts a line with a dot, which the caller checks.
    """
    out = [c if i % 2 else c.replace(b"\r\n.", b"\r\n..") for i, c in enumerate(chunks)]
    if out[0].startswith(b"."):
        out[0] = b"." + out[0]
    if not out[-1].endswith(b"\r\n"):
        out[-1] += b"\r\n"
    out[-1] += b".\r\n"
    return out


@dataclass(slots=True)
class Envelope:
    """One message for ``send_pipelined``: ``payload`` is the stuffed DATA payload."""

    sender: str
    recipient: str
    payload: bytes
    tag: Any = None  # the caller's, handed back with the outcome


class ConnectionLost(Exception):
    """The connection failed during ``send_pipelined``.

    ``untried``: the messages whose data never went out (their envelope at most),
    in order: safe to send again on another connection. The one whose data was out
    has had its outcome (the error) reported already.
    """

    def __init__(self, error: BaseException, untried: list[Envelope]) -> None:
        super().__init__(str(error))
        self.error = error
        self.untried = untried


def _envelope(message: Envelope) -> bytes:
    return f"MAIL FROM:<{message.sender}>\r\nRCPT TO:<{message.recipient}>\r\nDATA\r\n".encode()


def _refusal(
    message: Envelope, mail: tuple[int, bytes], rcpt: tuple[int, bytes], go: tuple[int, bytes]
) -> smtplib.SMTPException | None:
    """The envelope's replies as the exception ``sendmail`` would raise, or None for 354."""
    if mail[0] != 250:
        return smtplib.SMTPSenderRefused(mail[0], mail[1], message.sender)
    if rcpt[0] not in (250, 251):
        return smtplib.SMTPRecipientsRefused({message.recipient: rcpt})
    if go[0] != 354:
        return smtplib.SMTPDataError(go[0], go[1])
    return None


# The server is closing the connection (RFC 5321 3.8): nothing more goes out on it.
CLOSING = 421


def send_pipelined(
    connection: smtplib.SMTP,
    messages: Iterable[Envelope],
    done: Callable[[Envelope, BaseException | None], None],
) -> None:
    """Send ``messages`` in order on one connection; ``done(message, error)`` for each.

    ``error`` is None once the server accepted the message, else smtplib's
    exception for the refusal (a refused message is followed by RSET, so the
    next one starts clean), or the OSError of a connection lost while the
    message's data was out (it may or may not have arrived). ``messages`` is read
    lazily, one ahead: the next message is made while the server reads this one.
    Raises ConnectionLost (with the messages not tried) when the connection
    fails or the server closes it (421). Without PIPELINING, one message at a time.
    """
    try:
        connection.ehlo_or_helo_if_needed()
    except OSError as error:  # nothing read from ``messages`` yet
        raise ConnectionLost(error, []) from error
    if not (connection.does_esmtp and connection.has_extn("pipelining")):
        _send_one_by_one(connection, messages, done)
        return
    upcoming = iter(messages)
    current = next(upcoming, None)
    if current is None:
        return
    try:
        connection.send(_envelope(current))
    except OSError as error:
        raise ConnectionLost(error, [current]) from error
    following = next(upcoming, None)  # made while the server answers
    while current is not None:
        waiting = [m for m in (current, following) if m is not None]
        try:
            mail, rcpt, go = connection.getreply(), connection.getreply(), connection.getreply()
        except OSError as error:
            raise ConnectionLost(error, waiting) from error
        refused = _refusal(current, mail, rcpt, go)
        if CLOSING in (mail[0], rcpt[0], go[0]):
            done(current, refused)
            raise ConnectionLost(smtplib.SMTPServerDisconnected("421 from the server"), waiting[1:])
        out = [current.payload] if refused is None else []
        if refused is not None:
            # The server took DATA after all: end it empty, its answer is moot. Then RSET,
            # so that the next MAIL does not land in a half-open transaction.
            out += [b".\r\n", b"RSET\r\n"] if go[0] == 354 else [b"RSET\r\n"]
        if following is not None:
            out.append(_envelope(following))
        try:
            connection.send(out[0] if len(out) == 1 else b"".join(out))
        except OSError as error:
            done(current, error if refused is None else refused)
            raise ConnectionLost(error, waiting[1:]) from error
        after = next(upcoming, None) if following is not None else None
        untried = [m for m in (following, after) if m is not None]
        code, text = 0, b""
        try:
            if refused is None:
                code, text = connection.getreply()
            else:
                for _ in range(2 if go[0] == 354 else 1):  # the empty message's, RSET's
                    connection.getreply()
        except OSError as error:
            done(current, error if refused is None else refused)
            raise ConnectionLost(error, untried) from error
        # Outside the try: an OSError of the caller's (its journal on a full disk) is its
        # own, not a lost connection, and the message must not be reported twice.
        if refused is not None:
            done(current, refused)
        else:
            done(current, None if code == 250 else smtplib.SMTPDataError(code, text))
            if code == CLOSING:
                raise ConnectionLost(smtplib.SMTPServerDisconnected("421 from the server"), untried)
        current, following = following, after


def _send_one_by_one(
    connection: smtplib.SMTP,
    messages: Iterable[Envelope],
    done: Callable[[Envelope, BaseException | None], None],
) -> None:
    """``send_pipelined`` for a server without PIPELINING: a round trip per command."""
    for message in messages:
        try:
            code, text = connection.mail(message.sender)
            refused: smtplib.SMTPException | None = None
            if code != 250:
                refused = smtplib.SMTPSenderRefused(code, text, message.sender)
            else:
                rcpt = connection.rcpt(message.recipient)
                if rcpt[0] not in (250, 251):
                    refused = smtplib.SMTPRecipientsRefused({message.recipient: rcpt})
                else:
                    connection.putcmd("data")
                    code, text = connection.getreply()
                    if code != 354:
                        refused = smtplib.SMTPDataError(code, text)
        except OSError as error:
            raise ConnectionLost(error, [message]) from error
        if refused is not None:
            done(message, refused)
            try:
                connection.rset()
            except OSError as error:
                raise ConnectionLost(error, []) from error
            continue
        try:
            connection.send(message.payload)
            code, text = connection.getreply()
        except OSError as error:
            done(message, error)
            raise ConnectionLost(error, []) from error
        done(message, None if code == 250 else smtplib.SMTPDataError(code, text))
