"""Starting the actions' wiring in tests, as the action server does at its start."""

from __future__ import annotations

import actions.runtime
from helpdesk.config import load_settings
from helpdesk.wiring import Wiring, wire


def restart_actions() -> Wiring:
    """What a restarted action server does: the settings read afresh from the environment,
    then the policy and the store they name."""
    return actions.runtime.start(wire(load_settings()))
