"""Openings for the filing benchmark, with what the simulated user would truthfully answer.

Written for this benchmark from the support policy's level meanings: every level, with
and without the environment, the impact, the bot and a stated level in the opening. The
`says` flags mark what the opening already tells, so a question about it counts as
redundant.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    """One user with one problem: the opening, the true facts, and the level it deserves."""

    opening: str
    level: str
    environment: str
    """"production" or "staging": which environment button the user clicks when asked."""
    impact: str
    """The user's terse answer to "who is affected"."""
    bot: str = "the orders bot"
    since: str = "since this morning"
    says: frozenset[str] = frozenset()
    """What the opening already answers: any of environment, impact, bot, since, email."""


def _says(*facts: str) -> frozenset[str]:
    return frozenset(facts)


SCENARIOS: tuple[Scenario, ...] = (
    # S0: critical functionality has stopped working
    Scenario(
        "Our WhatsApp bot has stopped answering customers on production since 8am, every customer gets no reply at all",
        "S0",
        "production",
        "all customers",
        "the WhatsApp bot",
        says=_says("environment", "impact", "bot", "since"),
    ),
    Scenario(
        "Incoming chats are not being assigned to any agent, the queue just keeps growing",
        "S0",
        "production",
        "all customers",
    ),
    Scenario(
        "The bot takes almost 30 seconds to reply to every message on our live website",
        "S0",
        "production",
        "all users",
        says=_says("environment"),
    ),
    Scenario(
        "Visitors on the web widget only see a spinner and never get the bot's welcome message, all users are affected",
        "S0",
        "production",
        "all users",
        says=_says("impact"),
    ),
    Scenario(
        "Since the deploy an hour ago nobody can start a conversation with our retail assistant in production",
        "S0",
        "production",
        "all customers",
        "the retail assistant",
        says=_says("environment", "impact", "bot", "since"),
    ),
    Scenario(
        "sev 0: the checkout bot is down and no customer gets a reply",
        "S0",
        "production",
        "all customers",
        "the checkout bot",
        says=_says("impact", "bot"),
    ),
    # S1: major functionality has stopped working
    Scenario(
        "The weekly analytics report fails to download, it errors out after a minute",
        "S1",
        "production",
        "a few managers",
    ),
    Scenario(
        "Transfer from the bot to a human agent is not working on production, a few customers got stuck",
        "S1",
        "production",
        "a few customers",
        says=_says("environment", "impact"),
    ),
    Scenario(
        "Broadcast messages we scheduled did not go out on the live bot",
        "S1",
        "production",
        "some customers",
        says=_says("environment"),
    ),
    Scenario(
        "P1 - the CSV export in Intelligent Analytics gives an empty file",
        "S1",
        "production",
        "a few analysts",
        "Intelligent Analytics",
        says=_says("bot"),
    ),
    Scenario(
        "Agent handover stopped working on staging after today's release, so we cannot test escalations",
        "S2",  # staging has no customer impact, however major the function: the policy's S2
        "staging",
        "a few testers",
        says=_says("environment"),
    ),
    Scenario(
        "Bot transfer to the billing team is failing for some users since yesterday",
        "S1",
        "production",
        "some users",
        says=_says("impact", "since"),
    ),
    # S2: minor functionality has stopped working
    Scenario(
        "The buttons in the bot builder overlap each other on the flow editor screen",
        "S2",
        "production",
        "a few of our designers",
        "bot builder",
        says=_says("bot"),
    ),
    Scenario(
        "Changes we publish to the FAQ answers are not reflecting on the staging bot",
        "S2",
        "staging",
        "a few testers",
        says=_says("environment"),
    ),
    Scenario(
        "There is a spelling mistake in the dashboard date picker, it says Febuary",
        "S2",
        "production",
        "a few agents",
        "dashboard",
        says=_says("bot"),
    ),
    Scenario(
        "sev 2 - the conversation studio sidebar does not collapse on small screens, on production",
        "S2",
        "production",
        "a few of our designers",
        "conversation studio",
        says=_says("environment", "bot"),
    ),
    Scenario(
        "The agent chat window cuts off long customer names in the header, a few agents noticed it",
        "S2",
        "production",
        "a few agents",
        "agent chat",
        says=_says("impact", "bot"),
    ),
    Scenario(
        "Medium priority: quick reply chips show in the wrong order on staging",
        "S2",
        "staging",
        "a few testers",
        says=_says("environment"),
    ),
    # S3: an issue with the setup
    Scenario(
        "Entities like city names are not getting captured by our test bot",
        "S3",
        "staging",
        "nobody yet",
        "the test bot",
        says=_says("environment", "bot"),
    ),
    Scenario(
        "I need help configuring the webhook for our lead bot, I'm not sure our setup is right, no users are affected",
        "S3",
        "production",
        "nobody",
        "the lead bot",
        says=_says("impact", "bot"),
    ),
    Scenario(
        "The logs do not show up for my sandbox bot when I run test conversations",
        "S3",
        "staging",
        "only me",
        "the sandbox bot",
        says=_says("environment"),
    ),
    Scenario(
        "low priority: our FAQ bot doesn't pick up the date entity the way we configured it",
        "S3",
        "production",
        "no one yet",
        "the FAQ bot",
        says=_says("bot"),
    ),
    Scenario(
        "I think it's an issue with our setup: the UAT bot keeps matching refund questions to the wrong intent",
        "S3",
        "staging",
        "nobody yet",
        "the UAT bot",
        says=_says("environment", "bot"),
    ),
    Scenario(
        "Slot values from our training data are not being filled in the staging bot, no business impact",
        "S3",
        "staging",
        "nobody",
        says=_says("environment", "impact"),
    ),
)
