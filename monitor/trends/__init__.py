"""Trends: daily counts, spike / emerging / watchlist detection and alerts."""
