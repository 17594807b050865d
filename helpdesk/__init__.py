"""The Help assistant's core: support policy, business-hours clock, wording, tickets, CLI.

Everything here takes values and returns values so that the Rasa actions, the NLU
component and the operator CLI share one truth and can be tested without a server.
"""
