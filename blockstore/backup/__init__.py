"""Backups of volumes to the object store (blockstore.backup.chunked) through a small object
store interface (blockstore.backup.objectstore)."""
