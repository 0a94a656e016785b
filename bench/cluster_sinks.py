"""The outside world of load_50 (bench/cluster.py): a mail server and a chat robot that count.

The workers send through Django's real SMTP backend and the real robot POST; these sinks accept
everything and remember each message, so that "sent exactly once" is counted where it arrives.
"""

from __future__ import annotations

import hashlib
import json
import socketserver
import threading
from collections import Counter
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class MailSink:
    """A minimal SMTP server (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) on 127.0.0.1."""

    def __init__(self):
        self.messages: list[tuple[str, str]] = []  # (recipient, subject), one per recipient
        self.lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(f"{line}\r\n".encode())

            def handle(self):
                self.reply("220 sink ESMTP")
                recipients: list[str] = []
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    verb = line.decode("ascii", "replace").strip().split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250 sink")
                    elif verb == "MAIL":
                        recipients = []
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        recipients.append(line.decode("utf-8", "replace").split(":", 1)[1].strip())
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 go on")
                        sink.receive(recipients, self._data())
                        self.reply("250 OK")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:  # RSET, NOOP and anything else
                        self.reply("250 OK")

            def _data(self) -> bytes:
                lines = []
                while True:
                    line = self.rfile.readline()
                    if not line or line in (b".\r\n", b".\n"):
                        return b"".join(lines)
                    lines.append(line[1:] if line.startswith(b"..") else line)

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def receive(self, recipients: list[str], data: bytes) -> None:
        subject = str(make_header(decode_header(message_from_bytes(data).get("Subject", ""))))
        with self.lock:
            self.messages.extend((to.strip("<>").lower(), subject) for to in recipients)

    def summary(self) -> dict:
        with self.lock:
            counts = Counter(self.messages)
        twice = {f"{to} {subject}": n for (to, subject), n in counts.items() if n > 1}
        return {"received": sum(counts.values()), "duplicates": twice}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class WebhookSink:
    """A chat robot: answers ``{"errcode": 0}`` to every POST and keeps a digest of each body."""

    def __init__(self):
        self.bodies: list[str] = []
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with sink.lock:
                    sink.bodies.append(hashlib.sha256(body).hexdigest())
                answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def summary(self) -> dict:
        with self.lock:
            counts = Counter(self.bodies)
        return {
            "received": sum(counts.values()),
            "duplicates": {body[:12]: n for body, n in counts.items() if n > 1},
        }

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
