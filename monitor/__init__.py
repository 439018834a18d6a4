"""Geopolitical tech-policy news monitor."""

__version__ = "0.1.0"
