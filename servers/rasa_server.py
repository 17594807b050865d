"""`rasa`, started as the settings say and minus work Rasa 3.6 does on every turn without need.

Usage: like the `rasa` command, e.g. `python -m servers.rasa_server run --port 5005 --model ...`
(scripts/run.sh and scripts/cluster.sh start the Rasa server this way). For `run`, the
listening address, the CORS origins, the HTTP API switch and its token come from the
settings and the environment (servers/rasa_args.py, README "Security"), whatever the
command line says. The speed-ups are in servers/rasa_patches.py (applied on the Rasa
version they were checked against) and servers/tracker_store.py (named in endpoints.yml).
"""

from __future__ import annotations

import os
import sys

import rasa.telemetry
from rasa.__main__ import main

from helpdesk.config import load_settings
from servers import rasa_patches
from servers.rasa_args import LaunchError, redact_access_log, secured_arguments

if __name__ == "__main__":
    try:
        sys.argv = ["rasa", *secured_arguments(sys.argv[1:], load_settings(), os.environ)]
    except LaunchError as error:
        sys.exit(f"rasa server: {error}")
    rasa_patches.apply()
    redact_access_log()
    # Rasa 3.6 reports its crashes to Rasa's Sentry whatever the telemetry setting says; a
    # self-hosted help desk sends nothing out (RASA_TELEMETRY_ENABLED=false covers the rest).
    rasa.telemetry.initialize_error_reporting = lambda: None
    sys.exit(main())
