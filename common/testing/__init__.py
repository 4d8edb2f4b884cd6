"""Helpers for the test suites: running real daemons on free ports, waiting for them."""
