"""Block storage (Cinder-compatible API v3): volumes, snapshots, iSCSI export, backups."""
