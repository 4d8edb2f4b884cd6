"""The Neutron-compatible REST API (v2.0)."""
