"""Tiny POP3 (RFC 1939) and IMAP4rev1 (RFC 3501) servers for the bounce-mailbox tests.

Real sockets and the real protocol conversation, with only the commands
poplib and imaplib use for reading and deleting a mailbox.
"""

from __future__ import annotations

import socketserver
import threading
from typing import Any


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler: type, messages: list[bytes], password: str) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.messages = list(messages)
        self.password = password
        self.logins: list[str] = []

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class _Pop3Handler(socketserver.StreamRequestHandler):
    server: Any

    def say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        deleted: set[int] = set()
        user = ""
        self.say("+OK tiny POP3 ready")
        for raw in self.rfile:
            command, _, arg = raw.decode().strip().partition(" ")
            command = command.upper()
            if command == "USER":
                user = arg
                self.say("+OK")
            elif command == "PASS":
                if arg != self.server.password:
                    self.say("-ERR [AUTH] wrong password")
                    continue
                self.server.logins.append(user)
                self.say("+OK logged in")
            elif command == "STAT":
                total = sum(len(m) for m in self.server.messages)
                self.say(f"+OK {len(self.server.messages)} {total}")
            elif command == "RETR":
                message = self.server.messages[int(arg) - 1]
                self.say(f"+OK {len(message)} octets")
                for line in message.splitlines():
                    # Byte-stuffing (RFC 1939 3).
                    self.wfile.write((b"." + line if line.startswith(b".") else line) + b"\r\n")
                self.say(".")
            elif command == "DELE":
                deleted.add(int(arg))
                self.say("+OK deleted")
            elif command == "QUIT":
                self.server.messages = [
                    m for i, m in enumerate(self.server.messages, start=1) if i not in deleted
                ]
                self.say("+OK bye")
                return
            else:
                self.say("-ERR unknown command")


class _ImapHandler(socketserver.StreamRequestHandler):
    server: Any

    def say(self, line: str | bytes) -> None:
        self.wfile.write((line if isinstance(line, bytes) else line.encode()) + b"\r\n")

    def handle(self) -> None:
        flagged: set[int] = set()
        self.say("* OK [CAPABILITY IMAP4rev1] tiny IMAP ready")
        for raw in self.rfile:
            tag, _, rest = raw.decode().strip().partition(" ")
            command, _, arg = rest.partition(" ")
            command = command.upper()
            if command == "CAPABILITY":
                self.say("* CAPABILITY IMAP4rev1")
                self.say(f"{tag} OK done")
            elif command == "LOGIN":
                user, _, password = arg.partition(" ")
                if password.strip('"') != self.server.password:
                    self.say(f"{tag} NO [AUTHENTICATIONFAILED] wrong password")
                    continue
                self.server.logins.append(user.strip('"'))
                self.say(f"{tag} OK logged in")
            elif command == "SELECT":
                if arg.strip('"').upper() != "INBOX":
                    self.say(f"{tag} NO no such folder")
                    continue
                self.say(f"* {len(self.server.messages)} EXISTS")
                self.say(f"{tag} OK [READ-WRITE] selected")
            elif command == "SEARCH":
                numbers = " ".join(str(i) for i in range(1, len(self.server.messages) + 1))
                self.say(f"* SEARCH {numbers}".rstrip())
                self.say(f"{tag} OK done")
            elif command == "FETCH":
                number = int(arg.split(" ")[0])
                message = self.server.messages[number - 1]
                self.wfile.write(f"* {number} FETCH (RFC822 {{{len(message)}}}\r\n".encode())
                self.wfile.write(message)
                self.say(")")
                self.say(f"{tag} OK done")
            elif command == "STORE":
                flagged.add(int(arg.split(" ")[0]))
                self.say(f"{tag} OK done")
            elif command == "EXPUNGE":
                for number in sorted(flagged, reverse=True):
                    self.say(f"* {number} EXPUNGE")
                self.server.messages = [
                    m for i, m in enumerate(self.server.messages, start=1) if i not in flagged
                ]
                flagged.clear()
                self.say(f"{tag} OK done")
            elif command == "LOGOUT":
                self.say("* BYE")
                self.say(f"{tag} OK bye")
                return
            else:
                self.say(f"{tag} BAD unknown command")


class MailboxServer:
    def __init__(self, protocol: str, messages: list[bytes], password: str = "secret") -> None:  # noqa: S107 - a test server
        handler = _Pop3Handler if protocol == "pop3" else _ImapHandler
        self.server = _Server(handler, messages, password)
        self.protocol = protocol
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> MailboxServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def messages(self) -> list[bytes]:
        return list(self.server.messages)

    def url(self, password: str = "secret") -> str:  # noqa: S107
        return f"{self.protocol}://bounces:{password}@127.0.0.1:{self.server.port}/INBOX"
