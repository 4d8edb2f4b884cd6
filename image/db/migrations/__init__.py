"""Schema migrations of the image database (applied by common.db.migration)."""
