"""FakeObjectStore: a TEST FAKE of blockstore.backup.objectstore.ObjectStore, in memory, for
unit tests of the backup driver.  ``objects`` maps (container, name) to bytes; ``puts``
counts uploads; ``fail_next(method, exc)`` makes the next call of a method raise;
``corrupt(container, name)`` flips a byte of a stored object (bit rot)."""
import hashlib

from blockstore.backup import objectstore


class FakeObjectStore(objectstore.ObjectStore):
    def __init__(self):
        self.containers = set()
        self.objects = {}
        self.puts = 0
        self._failures = {}

    def fail_next(self, method, exc):
        self._failures[method] = exc

    def _enter(self, method):
        exc = self._failures.pop(method, None)
        if exc is not None:
            raise exc

    def corrupt(self, container, name):
        data = bytearray(self.objects[(container, name)])
        data[len(data) // 2] ^= 0xFF
        self.objects[(container, name)] = bytes(data)

    def ensure_container(self, container):
        self._enter('ensure_container')
        self.containers.add(container)

    def put_object(self, container, name, data):
        self._enter('put_object')
        if container not in self.containers:
            raise objectstore.ObjectNotFound('container %s does not exist' % container)
        self.objects[(container, name)] = bytes(data)
        self.puts += 1
        return hashlib.md5(data, usedforsecurity=False).hexdigest()

    def get_object(self, container, name):
        self._enter('get_object')
        try:
            return self.objects[(container, name)]
        except KeyError:
            raise objectstore.ObjectNotFound('%s/%s not found' % (container, name)) from None

    def delete_object(self, container, name):
        self._enter('delete_object')
        self.objects.pop((container, name), None)

    def list_objects(self, container, prefix=''):
        self._enter('list_objects')
        return sorted(n for c, n in self.objects if c == container and n.startswith(prefix))
