"""Replication: restore missing or stale replicas on primary nodes, drain handoffs."""
