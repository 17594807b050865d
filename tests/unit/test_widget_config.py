"""The widget's config.json: the longest message it sends follows the channel's body limit."""

from __future__ import annotations

from channels.settings import ChannelSettings
from widget.server import build_config, channel_settings, max_message_chars


def test_the_limit_comes_from_the_channels_settings_in_credentials_yml():
    settings = channel_settings()
    assert build_config({})["max_message_chars"] == max_message_chars(settings) == (settings.max_body_bytes - 4096) // 3


def test_a_message_at_the_limit_fits_the_body_even_in_three_byte_characters():
    settings = ChannelSettings(max_body_bytes=65_536)
    limit = max_message_chars(settings)
    assert limit > 2_000, "a pasted log is no longer cut at 2,000 characters"
    assert len(("€" * limit).encode()) + 4096 <= settings.max_body_bytes


def test_a_smaller_channel_limit_gives_a_smaller_widget_limit(tmp_path):
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("channels.rest.HardenedRestInput:\n  max_body_bytes: 16384\n")
    assert max_message_chars(channel_settings(credentials)) == (16_384 - 4096) // 3
