"""Serves the Help widget: the files in widget/static/ plus a config.json built at start.

    python -m widget.server [--port 8080] [--host ADDRESS]

The page stands in for the host platform, so the signed-in user comes from the environment
(the platform would know it); config.json hands it and the Rasa address to widget.js:

    RASA_URL             http://localhost:5005   where the REST channel lives
    WIDGET_USER_EMAIL    demo@example.com
    WIDGET_USER_NAME     Demo User
    WIDGET_USER_ACCOUNT  Demo Co
    WIDGET_USER_TOKEN    (unset)                 sent as metadata.user_token when set; else,
                                                 with HELPDESK_IDENTITY_SECRET set, the server
                                                 signs a fresh token for each page load, as the
                                                 platform would

config.json also carries max_message_chars, the longest message the REST channel takes
(from its max_body_bytes in credentials.yml), so the widget shows the limit instead of
cutting a paste. Nothing to install beyond the project's own packages, nothing fetched
from the internet.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from channels.settings import ChannelSettings
from helpdesk import identity
from helpdesk.config import load_settings

STATIC = Path(__file__).resolve().parent / "static"
CREDENTIALS = Path(__file__).resolve().parent.parent / "credentials.yml"
CHANNEL = "channels.rest.HardenedRestInput"
ENVELOPE_BYTES = 4096
BYTES_PER_CHAR = 3

DEFAULTS = {
    "RASA_URL": "http://localhost:5005",
    "WIDGET_USER_EMAIL": "demo@example.com",
    "WIDGET_USER_NAME": "Demo User",
    "WIDGET_USER_ACCOUNT": "Demo Co",
}


def build_config(env: Mapping[str, str]) -> dict:
    """What widget.js needs to know, from the environment with the demo defaults."""

    def get(name: str) -> str:
        return env.get(name) or DEFAULTS[name]

    config = {
        "rasa_url": get("RASA_URL").rstrip("/"),
        "user": {
            "email": get("WIDGET_USER_EMAIL"),
            "name": get("WIDGET_USER_NAME"),
            "account": get("WIDGET_USER_ACCOUNT"),
        },
    }
    config["max_message_chars"] = max_message_chars(channel_settings())
    token = env.get("WIDGET_USER_TOKEN") or _signed_token(env, config["user"])
    if token:
        config["user_token"] = token
    return config


def channel_settings(credentials: Path = CREDENTIALS) -> ChannelSettings:
    """The REST channel's limits, from the same credentials.yml Rasa reads."""
    sections = yaml.safe_load(credentials.read_text(encoding="utf-8")) or {}
    return ChannelSettings.from_credentials(sections.get(CHANNEL))


def max_message_chars(settings: ChannelSettings) -> int:
    """The longest message the widget sends: what fits the channel's body limit with room for
    the request's other fields (sender, metadata and its token), at three bytes a
    character (UTF-8 for any character the text area holds; an emoji counts as two)."""
    return (settings.max_body_bytes - ENVELOPE_BYTES) // BYTES_PER_CHAR


def _signed_token(env: Mapping[str, str], user: dict[str, str]) -> str | None:
    """What the platform does for a signed-in user: a short-lived token signed with the
    secret it shares with the bot."""
    secret = env.get("HELPDESK_IDENTITY_SECRET")
    return identity.mint(secret, user["email"], user["name"], user["account"]) if secret else None


def content_security_policy(rasa_url: str) -> str:
    """Scripts and styles only from this server, requests only to it and to Rasa.

    widget.js never turns text into HTML; this is the second line of defence if a bug
    ever did: an injected inline script or handler would not run.
    """
    parts = urlsplit(rasa_url)
    rasa_origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"connect-src 'self' {rasa_origin}; img-src 'self' https: data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'self'"
    )


class WidgetHandler(SimpleHTTPRequestHandler):
    env: Mapping[str, str] = {}
    csp: str = "default-src 'self'"

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == "/config.json":
            # Built per request, so each page load gets a token that has not expired.
            body = json.dumps(build_config(self.env)).encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def end_headers(self) -> None:
        # Always revalidate: an edited widget.js shows up on a plain reload during development.
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Content-Security-Policy", self.csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()

    def list_directory(self, path):
        # No directory listings: the page is index.html and its two files, nothing else.
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def log_message(self, format: str, *args) -> None:
        # Keep `make run`'s output for Rasa: only failed requests are worth a line.
        if len(args) >= 2 and str(args[1]).startswith(("4", "5")):
            super().log_message(format, *args)


def make_server(host: str, port: int, env: Mapping[str, str]) -> ThreadingHTTPServer:
    config = build_config(env)
    handler = type(
        "ConfiguredWidgetHandler",
        (WidgetHandler,),
        {"env": dict(env), "csp": content_security_policy(config["rasa_url"])},
    )
    return ThreadingHTTPServer((host, port), partial(handler, directory=str(STATIC)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the Help widget.")
    parser.add_argument("--host", default=load_settings().bind_address, help="default: bind_address in helpdesk.yml")
    parser.add_argument("--port", type=int, default=int(os.environ.get("WIDGET_PORT", "8080")))
    args = parser.parse_args(argv)
    server = make_server(args.host, args.port, os.environ)
    print(
        f"==> Help widget on http://localhost:{server.server_address[1]}/ (Rasa at {build_config(os.environ)['rasa_url']})",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
