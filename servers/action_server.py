"""The action server: rasa-sdk's own app, answering Rasa only.

    python -m servers.action_server [--port 5055] [--actions actions]

rasa-sdk 3.6 serves any caller that can reach it, and a caller who posts a tracker to
/webhook runs any action as any user. Here its app is wrapped, not forked: every request
but the health check must carry the secret Rasa sends with each action call
(`Authorization: Bearer <HELPDESK_ACTION_SERVER_SECRET>`, set in endpoints.yml), or it is
refused with 401 before any action runs. It listens on the settings' `bind_address`, and starts the actions' wiring (settings ->
policy -> store) from the same settings before it serves.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import sys

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

import actions.runtime
from helpdesk.config import load_settings
from helpdesk.wiring import wire

logger = logging.getLogger(__name__)

OPEN_PATHS = frozenset({"/health"})
"""What anyone may ask: whether the server is up (the channel asks before each turn)."""


def secured_app(secret: str, actions_package: str = "actions") -> Sanic:
    """rasa-sdk's app for `actions_package`, refusing every call without `secret`."""
    app = create_app(actions_package, cors_origins=None)
    expected = f"Bearer {secret}".encode()

    @app.middleware("request")
    async def only_rasa(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = (request.headers.get("Authorization") or "").encode()
        if hmac.compare_digest(given, expected):
            return None
        return response.json({"error": "this server answers the Rasa server only"}, status=401)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the assistant's actions to Rasa.")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--actions", default="actions", help="the package of actions to serve")
    args = parser.parse_args(argv)
    settings = load_settings()
    if settings.action_server_secret is None:
        print(
            "action server: set HELPDESK_ACTION_SERVER_SECRET (the secret Rasa sends with every action call, "
            "named in endpoints.yml); `make run` makes one",
            file=sys.stderr,
        )
        return 2
    actions.runtime.start(wire(settings))
    utils.configure_colored_logging("INFO")
    utils.update_sanic_log_level()
    app = secured_app(settings.action_server_secret, args.actions)
    logger.info("Action server on http://%s:%s (Rasa only)", settings.bind_address, args.port)
    app.run(settings.bind_address, args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
