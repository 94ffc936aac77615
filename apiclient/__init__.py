"""apiclient: every API style in one window."""

__version__ = "0.1.0"
