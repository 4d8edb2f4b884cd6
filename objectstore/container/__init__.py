"""Container server: per-container SQLite listings of objects."""
