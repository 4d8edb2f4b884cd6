"""Image data stores: where image bytes live (a directory, the object store)."""
