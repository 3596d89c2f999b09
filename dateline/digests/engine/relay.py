"""Connections to the SMTP relay, pooled per process and kept between batches and issues."""

from __future__ import annotations

import atexit
import contextlib
import smtplib
import threading
import time
from typing import Any

from django.conf import settings

from dateline.digests import smtp

# The relay itself is out of service (RFC 5321 4.2.3: 421, closing the channel).
RELAY_UNAVAILABLE_CODE = 421


class RelayUnavailable(Exception):
    """The relay refused the connection, or answered it with 421: no reader is at fault."""


class RelayPool:
    """This process's idle SMTP connections, kept between batches and issues."""

    # An idle connection older than this is checked with NOOP before use: relays
    # hang up on idle clients, and a dead one must not cost a reader a retry delay.
    CHECK_AFTER = 20.0

    def __init__(self) -> None:
        self._idle: list[tuple[tuple[Any, ...], smtplib.SMTP, float]] = []
        self._lock = threading.Lock()

    @staticmethod
    def _key() -> tuple[Any, ...]:
        return (
            settings.EMAIL_HOST,
            settings.EMAIL_PORT,
            settings.EMAIL_HOST_USER,
            settings.EMAIL_USE_TLS,
            settings.EMAIL_USE_SSL,
        )

    def acquire(self, fresh: bool = False) -> smtplib.SMTP:
        """An idle connection to the configured relay, or a new one (always new if ``fresh``)."""
        key = self._key()
        while not fresh:
            with self._lock:
                found = next((i for i, item in enumerate(self._idle) if item[0] == key), None)
                item = self._idle.pop(found) if found is not None else None
            if item is None:
                return self._connect()
            _, connection, since = item
            if time.monotonic() - since < self.CHECK_AFTER:
                return connection
            try:
                if connection.noop()[0] == 250:
                    return connection
            except (smtplib.SMTPException, OSError):
                pass
            self.discard(connection)
        return self._connect()

    def release(self, connection: smtplib.SMTP) -> None:
        with self._lock:
            self._idle.append((self._key(), connection, time.monotonic()))

    @staticmethod
    def discard(connection: smtplib.SMTP) -> None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()

    def close_all(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for _, connection, _ in idle:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.quit()
            self.discard(connection)

    @staticmethod
    def _connect() -> smtplib.SMTP:
        # smtps:// (implicit TLS, port 465) or plain, then STARTTLS for smtp+tls://.
        factory = smtplib.SMTP_SSL if settings.EMAIL_USE_SSL else smtplib.SMTP
        connection = factory(
            settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=settings.EMAIL_TIMEOUT or 60
        )
        smtp.no_delay(connection)
        if settings.EMAIL_USE_TLS:
            connection.starttls()
        if settings.EMAIL_HOST_USER:
            connection.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        return connection


# One pool per process, so that a worker's connections outlive its runs; at exit the
# idle ones say QUIT rather than leave the relay to time them out.
POOL = RelayPool()
atexit.register(POOL.close_all)


def connect(fresh: bool = False) -> smtplib.SMTP:
    """A connection to the relay; RelayUnavailable when it cannot be had at all."""
    try:
        return POOL.acquire(fresh=fresh)
    except smtplib.SMTPResponseException as error:
        if error.smtp_code == RELAY_UNAVAILABLE_CODE or not 500 <= error.smtp_code < 600:
            raise RelayUnavailable(f"relay: {error.smtp_code} {error.smtp_error!r}") from error
        raise
    except OSError as error:  # refused, unreachable, timed out
        raise RelayUnavailable(f"relay unreachable: {error}") from error
