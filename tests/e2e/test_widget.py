"""The Help widget in a real browser: Debian's Chromium, driven by Playwright, against the
widget server and the real Rasa and action servers (the session `servers` fixture).

Never `playwright install`: there is no browser download here; `make browser` installs
Debian's chromium and the tests launch it by path.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from helpdesk.store import TicketStore
from tests.conftest import ROOT, wait_until_up

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Headless, and nothing that reaches for Google's hosts: this machine has no internet.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
TURN_TIMEOUT_MS = 30_000

USER = {"email": "dana@democo.example", "name": "Dana Demo", "account": "Demo Co"}
DESCRIPTION = "our bot takes 25 seconds to answer customers on the live site since 10am, all users affected"
REFERENCE = re.compile(r"\bHLP-\d{4}\b")
DUE = re.compile(r"\bby \w{3} \d{1,2} \w{3}, \d{2}:\d{2} IST\b")

expect.set_options(timeout=TURN_TIMEOUT_MS)


@pytest.fixture(scope="module")
def widget_url(servers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The widget server as `make run` starts it, pointed at the test Rasa server."""
    port = servers.widget_port
    log = tmp_path_factory.mktemp("widget") / "widget.log"
    # servers.env carries the identity secret, so the page signs its user in, as the platform does.
    env = {
        **servers.env,
        "RASA_URL": servers.rasa_url,
        "WIDGET_USER_EMAIL": USER["email"],
        "WIDGET_USER_NAME": USER["name"],
        "WIDGET_USER_ACCOUNT": USER["account"],
    }
    env.pop("WIDGET_USER_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "widget.server", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_up(url + "config.json", process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium (make test does it for you)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()


class Session:
    """One browser context (its own localStorage) on the widget page, with what it saw go wrong."""

    def __init__(self, page: Page):
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.launcher = page.locator("#hw-launcher")
        self.panel = page.locator("#hw-panel")
        self.input = page.get_by_label("Message to the Help assistant")
        self.log = page.get_by_role("log")
        self.badge = page.locator("#hw-badge")

    def goto(self, url: str) -> None:
        self.page.goto(url)
        expect(self.page.locator("html[data-widget-ready]")).to_have_count(1)

    def open(self) -> None:
        self.launcher.click()
        expect(self.panel).to_be_visible()

    def say(self, text: str) -> None:
        """Types a message, sends it with Enter and waits for the bot's replies."""
        self.input.fill(text)
        self.input.press("Enter")
        self.wait_for_replies()

    def click(self, title: str | re.Pattern) -> None:
        self.log.get_by_role("button", name=title).click()
        self.wait_for_replies()

    def wait_for_replies(self) -> None:
        # The typing indicator stays up until every queued message is answered; its `hidden`
        # attribute, unlike visibility, tells with the panel closed too. (A selector, not
        # wait_for_function: the page's CSP forbids the eval that one uses.)
        expect(self.page.locator("#hw-typing[hidden]")).to_have_count(1)

    def user_bubbles(self):
        return self.page.locator(".hw-from-user .hw-bubble")

    def last_bot_text(self) -> str:
        return self.page.locator(".hw-from-bot .hw-bubble").last.inner_text()

    def sender_id(self) -> str:
        return self.page.evaluate(
            "key => JSON.parse(localStorage.getItem(key)).senderId", "help-widget:v1:" + USER["email"]
        )


@pytest.fixture
def session(browser: Browser) -> Callable[..., Session]:
    """Opens pages in fresh contexts; fails the test on any JavaScript error in them."""
    contexts, sessions = [], []

    def open_session(**context_options) -> Session:
        # A user in support's own zone unless a test says otherwise (times then read once).
        defaults = {"viewport": {"width": 1000, "height": 860}, "timezone_id": "Asia/Kolkata"}
        context = browser.new_context(**{**defaults, **context_options})
        context.set_default_timeout(TURN_TIMEOUT_MS)
        contexts.append(context)
        sessions.append(Session(context.new_page()))
        return sessions[-1]

    yield open_session
    errors = [error for s in sessions for error in s.errors]
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_files_a_ticket_by_typing_and_clicking_and_keeps_it_over_a_reload(widget_url, session, servers):
    s = session()
    s.goto(widget_url)
    expect(s.page.locator("#host-user")).to_have_text(
        f"Signed in as {USER['name']} ({USER['email']}) · {USER['account']}"
    )
    s.open()
    expect(s.input).to_be_focused()

    s.say(DESCRIPTION)  # it says everything that matters; the email came in the metadata
    expect(s.log).to_contain_text("Shall I file it?")
    # A double click sends once: the set is disabled by the first click.
    s.log.get_by_role("button", name="File it").dblclick()
    s.wait_for_replies()
    expect(s.user_bubbles().filter(has_text="File it")).to_have_count(1)
    expect(s.log.get_by_role("button", name="File it")).to_be_disabled()
    expect(s.user_bubbles().last).to_have_text("You: File it")  # the title, not the payload

    receipt = s.last_bot_text()
    reference = REFERENCE.search(receipt).group(0)
    assert DUE.search(receipt), receipt
    ticket = TicketStore(servers.database_url, "HLP-").get(reference)
    assert ticket is not None and ticket.description == DESCRIPTION
    assert (ticket.requester.email, ticket.requester.name, ticket.requester.account) == (
        USER["email"],
        USER["name"],
        USER["account"],
    )
    # The receipt's email addresses are mailto links that open outside the page.
    mail = s.log.locator(f'a[href="mailto:{USER["email"]}"]').last
    expect(mail).to_have_attribute("rel", "noopener noreferrer")
    expect(mail).to_have_attribute("target", "_blank")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    s.page.screenshot(path=str(ARTIFACTS / "widget-conversation.png"))

    # A reload keeps the conversation: the same sender id, the same history, answered buttons stay disabled.
    sender, shown = s.sender_id(), s.user_bubbles().count()
    s.page.reload()
    expect(s.page.locator("html[data-widget-ready]")).to_have_count(1)
    expect(s.panel).to_be_visible()  # it was open, so it is open again
    expect(s.log).to_contain_text(reference)
    expect(s.user_bubbles()).to_have_count(shown)
    assert s.sender_id() == sender
    for button in s.log.get_by_role("button").all():
        expect(button).to_be_disabled()
    s.say("yes")  # Rasa knows this conversation: the ticket is already filed
    assert reference in s.last_bot_text()
    # The page signed its user in with a token, so the user's own tickets are shown.
    s.say("show my tickets")
    assert reference in s.last_bot_text() and "Your open tickets" in s.last_bot_text()


def test_text_is_never_interpreted_as_html_and_links_are_safe(widget_url, session):
    s = session()
    s.goto(widget_url)
    s.open()
    s.say("<script>alert(1)</script>")
    s.say(
        '<img src=x onerror="alert(2)"> javascript:alert(3) see https://example.com/logs?id=7). or mail ops@acme.example.'
    )

    expect(s.user_bubbles().first).to_have_text("You: <script>alert(1)</script>")
    expect(s.user_bubbles().last).to_contain_text('<img src=x onerror="alert(2)">')
    assert s.dialogs == []
    expect(s.log.locator("script")).to_have_count(0)
    expect(s.log.locator("img")).to_have_count(0)
    # Only http(s) URLs and email addresses become links; trailing punctuation stays text.
    links = s.user_bubbles().last.locator("a")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_have_attribute("href", "https://example.com/logs?id=7")
    expect(links.nth(1)).to_have_attribute("href", "mailto:ops@acme.example")
    for link in links.all():
        expect(link).to_have_attribute("rel", "noopener noreferrer")


def test_keyboard_only(widget_url, session):
    s = session()
    s.goto(widget_url)
    expect(s.launcher).to_have_attribute("aria-expanded", "false")

    s.launcher.focus()
    s.page.keyboard.press("Enter")
    expect(s.launcher).to_have_attribute("aria-expanded", "true")
    expect(s.input).to_be_focused()
    expect(s.log).to_have_attribute("aria-live", "polite")  # new replies are announced
    s.page.keyboard.type("hi")
    s.page.keyboard.press("Enter")
    s.wait_for_replies()
    expect(s.user_bubbles()).to_have_count(1)

    # The reply's buttons are real buttons in the tab order, right before the input.
    s.page.keyboard.press("Shift+Tab")
    focused = s.page.locator(".hw-button:focus")
    expect(focused).to_have_count(1)
    title = focused.inner_text()
    s.page.keyboard.press("Enter")
    s.wait_for_replies()
    expect(s.user_bubbles().last).to_have_text(f"You: {title}")

    # Escape closes the panel and puts focus back on the launcher.
    s.input.focus()
    s.page.keyboard.press("Escape")
    expect(s.panel).to_be_hidden()
    expect(s.launcher).to_have_attribute("aria-expanded", "false")
    expect(s.launcher).to_be_focused()


def test_fits_a_360_px_phone(widget_url, session):
    s = session(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    s.goto(widget_url)
    s.open()
    s.say("hi")
    panel = s.panel.bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 360, panel
    assert panel["y"] >= 0 and panel["y"] + panel["height"] <= 740, panel
    assert s.page.evaluate("document.documentElement.scrollWidth") <= 360
    for button in s.log.get_by_role("button").all():
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    send = s.page.get_by_role("button", name="Send").bounding_box()
    assert send["x"] + send["width"] <= 360 and send["y"] + send["height"] <= 740, send


def test_unread_badge_counts_replies_that_arrive_while_closed(widget_url, session):
    s = session()
    s.goto(widget_url)
    expect(s.badge).to_be_hidden()
    s.open()
    # Hold the request until the panel is closed: Rasa may answer faster than a click.
    held = []
    s.page.route("**/webhooks/rest/webhook", lambda route: held.append(route))
    s.input.fill("hi")
    s.input.press("Enter")
    s.launcher.click()
    expect(s.panel).to_be_hidden()
    while not held:
        s.page.wait_for_timeout(50)
    held[0].continue_()
    s.wait_for_replies()

    expect(s.badge).to_be_visible()
    count = int(s.badge.get_attribute("data-count"))
    assert count >= 1
    expect(s.launcher).to_contain_text(f"{count} unread")
    s.page.reload()  # still unread after a reload
    expect(s.badge).to_be_visible()

    s.open()
    expect(s.badge).to_be_hidden()
    expect(s.page.locator(".hw-from-bot")).to_have_count(count)


def last_user_text_in_rasa(servers, sender: str) -> str:
    """The user's last message as the conversation keeps it (whole, even past what NLU reads)."""
    event = [e for e in servers.tracker(sender)["events"] if e["event"] == "user"][-1]
    return (event.get("metadata") or {}).get("full_text") or event["text"]


def test_shift_enter_adds_a_line_enter_sends_and_line_breaks_are_kept(widget_url, session, servers):
    s = session()
    s.goto(widget_url)
    s.open()
    expect(s.page.locator("#hw-count")).to_have_text("Shift+Enter for a new line")

    s.input.press_sequentially("the export fails with:")
    s.input.press("Shift+Enter")
    s.input.press_sequentially("ERROR 500 at /reports/export")
    expect(s.user_bubbles()).to_have_count(0)  # Shift+Enter did not send
    s.input.press("Enter")
    s.wait_for_replies()

    expect(s.input).to_have_value("")
    assert s.user_bubbles().last.text_content() == "You: the export fails with:\nERROR 500 at /reports/export"
    assert last_user_text_in_rasa(servers, s.sender_id()) == "the export fails with:\nERROR 500 at /reports/export"


def test_a_pasted_log_is_sent_whole_and_past_the_limit_the_count_says_so(widget_url, session, servers):
    s = session()
    s.goto(widget_url)
    s.open()
    limit = s.page.evaluate("async () => (await (await fetch('config.json')).json()).max_message_chars")
    count, send = s.page.locator("#hw-count"), s.page.get_by_role("button", name="Send")

    too_long = "x" * (limit + 5)
    s.input.fill(too_long)
    expect(count).to_contain_text(f"{limit + 5:,} / {limit:,} characters: 5 too many to send")
    expect(send).to_be_disabled()
    s.input.press("Enter")
    expect(s.user_bubbles()).to_have_count(0)  # nothing sent, nothing cut
    expect(s.input).to_have_value(too_long)

    log = "\n".join(
        f"2026-11-25 10:{i % 60:02d}:00 ERROR webhook timed out after 30s (conversation {i})" for i in range(60)
    )
    assert 2_000 < len(log) < limit
    s.input.fill(log)
    expect(count).to_have_text("Shift+Enter for a new line")
    expect(send).to_be_enabled()
    s.input.press("Enter")
    s.wait_for_replies()
    assert s.user_bubbles().last.text_content() == "You: " + log
    assert last_user_text_in_rasa(servers, s.sender_id()) == log


def test_a_browser_in_another_timezone_reads_times_on_its_own_clock_with_supports_beside(widget_url, session):
    s = session(timezone_id="Europe/London")
    s.goto(widget_url)
    s.open()

    s.say("is support open right now?")

    assert re.search(r"\d\d:\d\d (GMT|BST) \((\w{3} \d+ \w{3}, )?\d\d:\d\d IST\)", s.last_bot_text()), s.last_bot_text()
