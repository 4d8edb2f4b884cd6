"""Account server: per-account SQLite listings of containers."""
