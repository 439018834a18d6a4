"""Default analyst topics and watchlist used when feeds.yaml has none."""

DEFAULT_TOPICS: list[dict] = []
DEFAULT_WATCHLIST: list[dict] = []
