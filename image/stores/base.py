"""The interface every image data store implements, and the errors stores raise."""


class StoreError(Exception):
    """The store failed (I/O error, backend unreachable or refusing); not the client's fault."""


class StorageFull(StoreError):
    """The store has no room left for the data."""


class DataNotFound(StoreError):
    """The data a location points to is gone."""


class Store:
    """One configured store.  ``add`` consumes an iterator of byte chunks and either keeps all
    of it under a new location or, on any exception (including one raised by the iterator
    itself), removes whatever it wrote and re-raises."""

    type_name = None

    def __init__(self, name, conf):
        self.name = name
        self.conf = conf
        self.opts = getattr(conf, name)

    @property
    def description(self):
        return self.opts.description or '%s store %s' % (self.type_name, self.name)

    def configure(self):
        """Check the configuration and prepare the backend (called once at start)."""

    def add(self, image_id, chunks, size_hint=None):
        """Store the chunks (``size_hint`` bytes if known); return ``(url, metadata)``."""
        raise NotImplementedError

    def get(self, url, metadata, offset=0, length=None, chunk_size=65536):
        """An iterator over the bytes ``[offset, offset+length)`` of the stored data."""
        raise NotImplementedError

    def delete(self, url, metadata):
        """Remove the stored data; missing data is not an error."""
        raise NotImplementedError

    def cleanup_partial(self, image_id):
        """Remove leftovers of writes for ``image_id`` a crash interrupted.  Called only
        while the image has no location in this store, so whatever the store holds for it
        -- partial data, or whole data a crash kept from being recorded -- is a leftover."""
