"""The Help widget: a static page that talks to Rasa over the REST channel, and its server."""
