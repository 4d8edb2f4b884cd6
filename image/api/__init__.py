"""The image API v2: WSGI controllers, routes, schemas and views."""
