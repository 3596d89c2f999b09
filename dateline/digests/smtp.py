"""Sending a prepared message over an smtplib connection, with less work than SMTP.sendmail.

``sendmail`` rewrites line endings and dot-stuffs with regular expressions over
the whole message, then waits for each reply in turn. Our messages are built
with CRLF already: here dot-stuffing is one ``bytes.replace``, and when the
server offers PIPELINING (RFC 2920, as Postfix and the ESPs do) MAIL, RCPT and
DATA go out in one write and their replies are read after it: one round trip
for the envelope instead of three. Errors are smtplib's own exceptions, as
``sendmail`` raises them. No Django here: bench/send's raw blast uses it too.
"""

from __future__ import annotations

import smtplib
import socket


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


def send_prepared(
    connection: smtplib.SMTP, sender: str, recipient: str, data: bytes, *, is_stuffed: bool = False
) -> None:
    """Deliver ``data`` (CRLF line endings) to one recipient, or raise as ``sendmail`` would.

    ``is_stuffed``: ``data`` is already the DATA payload (``stuffed`` or
    ``RenderedGroup.payload_for``).
    """
    connection.ehlo_or_helo_if_needed()
    payload = data if is_stuffed else stuffed(data)
    if connection.does_esmtp and connection.has_extn("pipelining"):
        connection.send(f"MAIL FROM:<{sender}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n".encode())
        mail, rcpt, go = connection.getreply(), connection.getreply(), connection.getreply()
        if mail[0] != 250 or rcpt[0] not in (250, 251) or go[0] != 354:
            if go[0] == 354:
                # The server took DATA after all: end it empty, its answer is moot.
                connection.send(b".\r\n")
                connection.getreply()
            if mail[0] != 250:
                raise smtplib.SMTPSenderRefused(mail[0], mail[1], sender)
            if rcpt[0] not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({recipient: rcpt})
            raise smtplib.SMTPDataError(go[0], go[1])
    else:
        code, message = connection.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, message, sender)
        code, message = connection.rcpt(recipient)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({recipient: (code, message)})
        connection.putcmd("data")
        code, message = connection.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, message)
    connection.send(payload)
    code, message = connection.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, message)
