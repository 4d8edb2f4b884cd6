"""Object replication by suffix hashes: compare each partition's suffix hashes with every
other primary, then push the files the peer lacks (tombstones included, so deletes
propagate).  A partition on a device that is not one of its primaries is pushed to the
primaries and removed once all of them have it."""
import json
import logging
import os

from objectstore.storage import diskfile
from objectstore.storage import http

LOG = logging.getLogger(__name__)


class ObjectReplicator:
    def __init__(self, conf, ring, stats):
        self.ring = ring
        self.reclaim_age = conf.storage.reclaim_age
        self.conn_timeout = conf.storage.conn_timeout
        self.node_timeout = conf.storage.node_timeout
        self.stats = stats

    def _call(self, node, method, path, **kw):
        return http.request(node, method, path, conn_timeout=self.conn_timeout,
                            node_timeout=self.node_timeout, replication=True, **kw)

    def replicate_device(self, dev, device_path, stopping):
        objects = os.path.join(device_path, 'objects')
        if not os.path.isdir(objects):
            return
        for name in sorted(os.listdir(objects)):
            if stopping():
                return
            if not name.isdigit() or int(name) >= self.ring.partition_count:
                continue
            self.replicate_partition(dev, int(name), os.path.join(objects, name))

    def replicate_partition(self, dev, part, part_path):
        nodes = self.ring.get_part_nodes(part)
        primary = any(n['id'] == dev['id'] for n in nodes)
        hashes = diskfile.get_hashes(part_path, self.reclaim_age)
        all_ok = True
        for node in nodes:
            if node['id'] == dev['id']:
                continue
            try:
                ok = self.sync_partition(node, part, part_path, hashes)
            except http.NodeError as exc:
                LOG.warning('replication of partition %d to %s failed: %s', part,
                            node['device'], exc)
                ok = False
            all_ok = all_ok and ok
        if not primary and all_ok:
            LOG.info('handoff partition %d on %s delivered; removing it', part, dev['device'])
            diskfile.remove_tree(part_path)
            self.stats['handoffs_removed'] += 1

    def sync_partition(self, node, part, part_path, hashes):
        path = http.quote_path(node['device'], part)
        status, _, body = self._call(node, 'REPLICATE', path)
        if status != 200:
            LOG.warning('REPLICATE %s on %s answered %s', path, node['device'], status)
            return False
        remote = json.loads(body)['hashes']
        differing = sorted(s for s, h in hashes.items() if remote.get(s) != h)
        if not differing:
            return True
        status, _, body = self._call(node, 'REPLICATE', path, body={'suffixes': differing})
        if status != 200:
            return False
        remote_files = json.loads(body)['files']
        ok = True
        for suffix in differing:
            theirs = remote_files.get(suffix, {})
            for obj_hash, names in diskfile.list_suffix(part_path, suffix).items():
                have = set(theirs.get(obj_hash, []))
                for name in names:
                    if name not in have:
                        ok = self._push(node, part, part_path, suffix, obj_hash, name) and ok
        return ok

    def _push(self, node, part, part_path, suffix, obj_hash, name):
        file_path = os.path.join(part_path, suffix, obj_hash, name)
        try:
            handle = open(file_path, 'rb')
        except FileNotFoundError:
            return True  # superseded meanwhile; the next pass compares again
        with handle:
            size = os.fstat(handle.fileno()).st_size
            status, _, _ = self._call(
                node, 'SYNC', http.quote_path(node['device'], part, suffix, obj_hash, name),
                headers={'Content-Length': str(size)}, body=handle)
        if status in (200, 201):
            self.stats['objects_pushed'] += status == 201
            return True
        LOG.warning('SYNC of %s to %s answered %s', name, node['device'], status)
        return False
