"""WSGI building blocks shared by every API daemon (routing, JSON, faults, middleware, server)."""
