"""Image service: image registry and image data stores (Glance-compatible API v2)."""
