"""Schema migrations of the network database (see common.db.migration)."""
