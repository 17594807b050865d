"""Custom Rasa graph components of the Help assistant.

Rasa imports each component by the dotted path named in config.yml (for example
`components.severity.SeverityAssessor`); importing that module registers the class with
the default recipe. Nothing is imported here on purpose, so that importing the package
stays cheap and free of Rasa side effects.
"""
