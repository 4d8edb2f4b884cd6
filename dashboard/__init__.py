"""The web dashboard: pages rendered on the server from the services' public APIs."""
