"""Expirer: deletes objects whose X-Delete-At has passed.

Each node handles the objects on its own devices: a tombstone timestamped at the
delete-at time (so a newer PUT still wins) replaces the data, and the container
listing is told, via an async pending if its server is down.  GETs already answer
404 for an expired object before this runs.
"""
import collections
import logging
import os
import time

from objectstore.ring import Ring
from objectstore.storage import asyncpending
from objectstore.storage import daemon
from objectstore.storage import diskfile
from objectstore.storage import timestamp
from objectstore.storage import updates
from objectstore.storage import walk

LOG = logging.getLogger(__name__)


class Expirer(daemon.Daemon):
    name = 'expirer'

    def __init__(self, conf):
        super().__init__(conf, conf.expirer.interval)
        self.conn_timeout = conf.storage.conn_timeout
        self.node_timeout = conf.storage.node_timeout

    def run_once(self):
        stats = collections.Counter()
        ring_dir = self.conf.objectstore.ring_dir
        ring = Ring(os.path.join(ring_dir, 'object.ring.json.gz'))
        container_ring = Ring(os.path.join(ring_dir, 'container.ring.json.gz'))
        for dev in daemon.local_devices(ring, self.conf, 'object-server'):
            for hash_dir in walk.hash_dirs(os.path.join(self.conf.storage.devices,
                                                        dev['device']),
                                           lambda: self._stopping):
                try:
                    if self.expire(container_ring, hash_dir):
                        stats['expired'] += 1
                except diskfile.DiskFileError as exc:
                    LOG.warning('skipping unreadable %s (the auditor handles it): %s',
                                hash_dir, exc)
        LOG.info('expirer pass done: %s', dict(stats))
        return stats

    def expire(self, container_ring, hash_dir):
        disk = diskfile.DiskFile.from_hash_dir(hash_dir)
        state, metadata, _, _ = disk.open()
        if state != 'present' or 'X-Delete-At' not in metadata:
            return False
        try:
            delete_at = int(metadata['X-Delete-At'])
        except ValueError:
            return False
        if delete_at > time.time():
            return False
        newest = max(metadata['X-Timestamp'], metadata.get('X-Meta-Timestamp', ''))
        ts = timestamp.normalize(max(float(delete_at), float(newest) + 0.00001))
        disk.write_metadata_only({'name': metadata['name'], 'X-Timestamp': ts}, '.ts')
        account, container, obj = metadata['name'].split('/', 3)[1:]
        part, nodes = container_ring.get_nodes(account, container)
        headers = {'X-Timestamp': ts}
        if not all([updates.send(n, part, 'DELETE', account, container, obj, headers,
                                 self.conn_timeout, self.node_timeout) for n in nodes]):
            asyncpending.save(disk.device_path, 'DELETE', account, container, obj, headers)
        LOG.info('expired %s (X-Delete-At %d)', metadata['name'], delete_at)
        return True
