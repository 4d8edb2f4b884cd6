"""Schema migrations of the compute database (see common.db.migration)."""
