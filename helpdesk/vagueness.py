"""Whether a problem report says what stopped, or only that something is wrong.

"The bot is broken" or "something's wrong with our whatsapp bot" names no function and
no symptom: it fits a bot that answers nobody (a blocker) as well as a menu that looks
odd. Any severity read from it would be a guess dressed up as a reading, and a wrong
S0 pages support at night. Such a report gets no severity reading; the ticket form asks
the one question that decides the level instead (helpdesk.form_questions).

A report is vague when every word it uses is a word of that kind: filler, the bot or
the channel it runs on, where and since when it happens, and breakage that says nothing
about what broke. One word that names a function or a symptom ("down", "replying",
"agents", "report", "slow", "colour") makes it specific.
"""

from __future__ import annotations

import re

from helpdesk.details import EMAIL
from helpdesk.questions import problem_part, without_request_to_file
from helpdesk.unaffected import what_broke

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
SPECIFIC_BESIDE_REQUEST = 2

GENERIC_WORDS = frozenset(
    """
    a an the our my your their its it it's this that these is are was were be been being am there's
    has have had do does did i we us me you they there here so just really totally completely
    very all some any now today again suddenly since still anymore with in on of for to at
    and or but not no isn't aren't wasn't doesn't don't didn't can't won't cannot
    hi hello hey hii team support sir maam ma'am please pls plz kindly help asap guys folks
    can could check fix into someone anyone email mail id address updates send contact want need
    like would i'd get got looked by regarding about related mujhe ek karna how from new ticket
    tickets case complaint
    blocker critical urgent high medium low minor major priority severity sev normal top
    something something's anything everything thing things stuff what what's whats going
    happening happened wrong broken broke break breaking weird odd strange off up acting
    behaving messed work works working worked stopped stop stops fine issue issues problem
    problems bug bugs glitch glitchy seems seem looks look bad properly correctly
    morning afternoon evening tonight yesterday week
    bot bots chatbot assistant widget platform haptik whatsapp website site web app
    instagram messenger channel live production prod staging
    hai h mein me kuch gadbad kharab ho gaya gayi raha rahi nahi nhi kar karta kaam yaar bhai ji
    """.split()
)
"""Words that say no more than "something is wrong with the bot, somewhere"."""


def vague(text: str) -> bool:
    """Whether a problem report names nothing that stopped: only that the bot is broken.

    Read from what the report says broke: a question about support ("how soon can you
    look?"), a reassurance ("customers aren't affected") or a request to file ("raise a
    ticket") next to it adds nothing.
    """
    words = _WORD.findall(without_request_to_file(what_broke(problem_part(text))).lower())
    return bool(words) and all(word in GENERIC_WORDS for word in words)


def describes_beside_request(text: str) -> bool:
    """Whether a request to file also says what stopped ("raise a ticket: the export fails for everyone").

    What is left beside the request, its contact details and the bot's names must name
    at least two things of its own, so "raise a ticket for our live bot" does not count.
    """
    rest = EMAIL.sub(" ", without_request_to_file(text))
    return len([word for word in _WORD.findall(rest.lower()) if word not in GENERIC_WORDS]) >= SPECIFIC_BESIDE_REQUEST
