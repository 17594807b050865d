"""Custom actions: a thin layer that turns conversation state into calls on `helpdesk`.

One module per conversation topic (general, ticket, answers), named like the topic's
section of domain.yml and its folder under data/.
"""
