"""Settings -> policy, read once per process at its start.

The core takes the policy as an argument; only the processes' edges (channel, actions,
CLI, worker) ask for the configured one, here.
"""

from __future__ import annotations

import functools

from helpdesk.config import load_settings
from helpdesk.policy import Policy, load_policy


@functools.cache
def default_policy() -> Policy:
    """The policy named by the operator configuration, read once per process."""
    settings = load_settings()
    return load_policy(settings.policy_file, settings.timezone)
