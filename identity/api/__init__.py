"""Identity's WSGI API: controllers, schemas and its own auth middleware."""
