"""Object storage (Swift API v1): proxy, account/container/object servers, rings and the
consistency daemons (replicator, auditor, updater, expirer)."""
