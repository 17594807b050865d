"""Filing that survives a database outage: the intake files a ticket in the store or, when
the database cannot take it, in the journal under a reference reserved ahead; the delivery
worker replays the journal once the database is back (README, "When the database is down")."""
