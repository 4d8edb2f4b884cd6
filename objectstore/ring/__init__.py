"""Rings map account/container/object paths to partitions and partitions to devices."""
from objectstore.ring.ring import Ring, RingError  # noqa: F401
