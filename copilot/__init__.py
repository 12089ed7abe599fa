"""Campaign Copilot: brand-grounded email copy, honest A/B tests, offline by default."""

__version__ = "0.1.0"
