"""How the assistant's servers start: each process's entry point and its wiring from the
settings (helpdesk.yml and the environment), secure by default (README, "Security")."""
