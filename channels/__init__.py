"""Input channels of the Help assistant: what stands between the public widget and Rasa."""
