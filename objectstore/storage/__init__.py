"""Backend helpers shared by the storage servers and consistency daemons."""
