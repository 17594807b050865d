"""Rasa's REST channel, checked at the door: `channels.rest.HardenedRestInput` in credentials.yml.

Same URL (/webhooks/rest/webhook) and the same reply format as Rasa's `rest` channel, so
the widget is unchanged. Before Rasa sees a message the channel refuses malformed and
oversized requests (400, 413, never a 5xx), slows down a sender who floods, answers empty
and unreadable messages itself, gives NLU only the start of a long message, verifies the
user's token and keeps only its sealed outcome (channels/identity.py), and checks that
the action server is up. After the turn it makes sure the user got an answer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.health import action_server_up
from channels.identity import vouched_metadata
from channels.ratelimit import RateLimiter
from channels.replies import Replies, bot_message
from channels.request import InvalidRequest, parse
from channels.settings import ChannelSettings
from channels.text import for_nlu, mostly_foreign_script
from helpdesk.config import load_settings
from helpdesk.metadata import FULL_TEXT_KEY
from helpdesk.wiring import default_policy

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class HardenedRestInput(InputChannel):
    """The REST webhook with validation, limits and an answer to every message."""

    def __init__(self, settings: ChannelSettings, replies: Replies, identity_secret: str | None = None) -> None:
        self.settings = settings
        self.replies = replies
        self.identity_secret = identity_secret
        self.limiter = RateLimiter(settings.rate_limit_messages, settings.rate_limit_window_seconds)

    @classmethod
    def name(cls) -> str:
        """Named like Rasa's channel, so the URL stays /webhooks/rest/webhook."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> HardenedRestInput:
        return cls(
            ChannelSettings.from_credentials(credentials),
            Replies.with_support_email(default_policy().contact.email),
            load_settings().identity_secret,
        )

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint("hardened_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        # Streamed, so the size limit applies while reading rather than after Sanic
        # has buffered up to its own 100 MB limit.
        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            return await self.handle(request, on_new_message)

        return webhook

    async def handle(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        """One request, from raw body to the bot's replies."""
        assert request.stream is not None, "the webhook route is declared with stream=True"
        try:
            request.stream.request_max_size = self.settings.max_body_bytes
            await request.receive_body()
        except PayloadTooLarge:
            return _error(413, f"the body is larger than {self.settings.max_body_bytes} bytes")
        try:
            incoming = parse(request.body)
        except InvalidRequest as problem:
            return _error(400, str(problem))

        sender, text = incoming.sender, incoming.text.strip()
        if not self.limiter.allow(sender):
            return _say(sender, self.replies.rate_limited)
        if not text:
            return _say(sender, self.replies.empty)
        nlu_text = for_nlu(text, self.settings.max_nlu_chars)
        if mostly_foreign_script(nlu_text):
            return _say(sender, self.replies.foreign_language)

        metadata = vouched_metadata(incoming.metadata, self.identity_secret)
        if nlu_text != text:
            metadata[FULL_TEXT_KEY] = text
        collector = CollectingOutputChannel()
        message = UserMessage(nlu_text, collector, sender, input_channel=self.name(), metadata=metadata)
        completed = await self._take_turn(request.app.ctx.agent, message, on_new_message)
        if not completed or not collector.messages:
            collector.messages.append(bot_message(sender, self.replies.trouble))
        return response.json(collector.messages)

    @staticmethod
    async def _take_turn(agent: Agent, message: UserMessage, on_new_message: OnNewMessage) -> bool:
        """Runs the turn, or only records the message while the action server is down.

        Recording keeps what the user typed in the conversation without running the form
        half-blind; the form's state is untouched, so the user picks up where they were.
        Returns False if the turn failed.
        """
        try:
            if await action_server_up(agent.action_endpoint):
                await on_new_message(message)
            else:
                async with agent.lock_store.lock(message.sender_id):
                    await agent.log_message(message)
        except Exception:
            logger.exception("the turn of sender %s failed", message.sender_id)
            return False
        return True


def _say(sender: str, text: str) -> HTTPResponse:
    return response.json([bot_message(sender, text)])


def _error(status: int, reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=status)
