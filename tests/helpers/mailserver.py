"""A real SMTP server (aiosmtpd) on a free port, keeping what it receives: the one the
tests send to (the ``mail_server`` fixture in tests/conftest.py, or ``MailServer()``
for processes a test starts).

It advertises PIPELINING, as real relays do, so the digest engine sends each envelope
in one write. It can refuse an address at RCPT (every time, or once) or at the end of
DATA, or hang up in the middle of a message, as relays and networks do.
"""

from __future__ import annotations

import collections
import email
import email.policy
import re
import socket
import ssl
import threading
import time
from typing import Any

MESSAGE_ID = re.compile(rb"^Message-ID: *(\S+)\r?$", re.MULTILINE | re.IGNORECASE)


class MailServer:
    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.received: list[tuple[float, str, str]] = []  # (monotonic time, rcpt, Message-ID)
        self.contents: list[bytes] = []
        self.envelopes: list[Any] = []  # aiosmtpd's, with mail_from and rcpt_tos
        self.peers: set[tuple[str, int]] = set()  # one per SMTP connection that sent mail
        # Addresses refused at RCPT with this reply, every time or once.
        self.refuse: dict[str, str] = {}
        self.refuse_once: dict[str, str] = {}
        # Addresses whose message is refused at the end of DATA with this reply.
        self.refuse_data: dict[str, str] = {}
        # Addresses at whose message's end of DATA the server hangs up without an answer
        # (once each): the message is lost, as on a network failure.
        self.hang_up_at: set[str] = set()
        self.lock = threading.Lock()
        self._ssl_context = ssl_context
        self._handler = self._make_handler()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        self.controller: Any = None
        self.start()

    def _make_handler(self) -> Any:
        server = self

        class Handler:
            async def handle_EHLO(self, smtp, session, envelope, hostname, responses):
                session.host_name = hostname
                return [*responses[:-1], "250-PIPELINING", responses[-1]]

            async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
                with server.lock:
                    reply = server.refuse.get(address) or server.refuse_once.pop(address, None)
                if reply:
                    return reply
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, smtp, session, envelope):
                for rcpt in envelope.rcpt_tos:
                    if rcpt in server.hang_up_at:
                        server.hang_up_at.discard(rcpt)
                        smtp.transport.close()
                        return "421 gone"  # never reaches the client
                    if rcpt in server.refuse_data:
                        return server.refuse_data[rcpt]
                found = MESSAGE_ID.search(envelope.content)
                message_id = found.group(1).decode() if found else ""
                with server.lock:
                    server.peers.add(session.peer)
                    server.contents.append(envelope.content)
                    server.envelopes.append(envelope)
                    for rcpt in envelope.rcpt_tos:
                        server.received.append((time.monotonic(), rcpt, message_id))
                return "250 Message accepted"

        return Handler()

    def start(self) -> None:
        """Listen (again, after ``stop``: as a relay back after a restart) on the port."""
        from aiosmtpd.controller import Controller

        self.controller = Controller(
            self._handler, hostname="127.0.0.1", port=self.port, ssl_context=self._ssl_context
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def use(self, settings: Any) -> MailServer:
        """Point this (test) process's SMTP settings, the digest engine's relay, here."""
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", self.port
        settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = False, self._ssl_context is not None
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        return self

    # What arrived ------------------------------------------------------------------------

    @property
    def messages(self) -> list[Any]:
        """Each message parsed, with its envelope's recipients in X-Envelope-To."""
        with self.lock:
            envelopes = list(self.envelopes)
        parsed = []
        for envelope in envelopes:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            parsed.append(message)
        return parsed

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if address in m["To"]]

    @staticmethod
    def text(message: Any) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message: Any) -> str:
        return message.get_body(preferencelist=("html",)).get_content()

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def assert_each_reader_once(self, readers: set[str], max_repeats: int) -> None:
        """Every reader got the issue and nobody else did; a repeat is allowed only as the
        same message (same Message-ID, so mail clients show it once) and only for what was
        in flight when a worker died: at most ``max_repeats`` (one per open connection).
        """
        by_reader: dict[str, list[str]] = collections.defaultdict(list)
        for _, rcpt, message_id in self.received:
            by_reader[rcpt].append(message_id)
        assert set(by_reader) == readers  # none missed, nobody else
        assert all(len(set(ids)) == 1 for ids in by_reader.values())
        repeats = sum(len(ids) - 1 for ids in by_reader.values())
        assert repeats <= max_repeats, repeats
