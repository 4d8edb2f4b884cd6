"""Paste filters of the proxy pipeline (auth, TempURL, SLO, DLO, versioning, bulk, quotas...)."""
