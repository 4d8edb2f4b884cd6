"""Auditor: re-reads every object and quarantines any whose bytes no longer match.

A .data file whose MD5 or length differs from its metadata, or any diskfile whose
trailer cannot be read, is moved to ``<dev>/quarantined/objects/<hash>`` so GET never
serves it; the replicator then sees the suffix changed and a good replica is pushed back.
"""
import collections
import hashlib
import logging
import os
import time

import eventlet

from objectstore.ring import Ring
from objectstore.storage import daemon
from objectstore.storage import diskfile
from objectstore.storage import walk

LOG = logging.getLogger(__name__)
CHUNK = 65536


class Auditor(daemon.Daemon):
    name = 'auditor'

    def __init__(self, conf):
        super().__init__(conf, conf.auditor.interval)
        self.rate = conf.auditor.bytes_per_second

    def run_once(self):
        stats = collections.Counter()
        ring = Ring(os.path.join(self.conf.objectstore.ring_dir, 'object.ring.json.gz'))
        self._started, self._read = time.monotonic(), 0
        for dev in daemon.local_devices(ring, self.conf, 'object-server'):
            device_path = os.path.join(self.conf.storage.devices, dev['device'])
            for hash_dir in walk.hash_dirs(device_path, lambda: self._stopping):
                problem = self.audit(hash_dir)
                stats['checked'] += 1
                if problem:
                    target = diskfile.quarantine(device_path, hash_dir)
                    LOG.error('quarantined %s to %s: %s', hash_dir, target, problem)
                    stats['quarantined'] += 1
        LOG.info('audit pass done: %s', dict(stats))
        return stats

    def audit(self, hash_dir):
        """A description of what is wrong with the object directory, or None."""
        for name in diskfile.cleanup(hash_dir):
            path = os.path.join(hash_dir, name)
            try:
                metadata, body_len = diskfile.read_metadata(path)
            except FileNotFoundError:
                return None  # replaced while we looked; the next pass sees the new file
            except diskfile.DiskFileError as exc:
                return str(exc)
            if name.endswith('.data'):
                problem = self._check_body(path, metadata, body_len)
                if problem:
                    return problem
        return None

    def _check_body(self, path, metadata, body_len):
        if str(body_len) != str(metadata.get('Content-Length')):
            return 'length %d, metadata says %s' % (body_len, metadata.get('Content-Length'))
        digest = hashlib.md5()
        with open(path, 'rb') as handle:
            remaining = body_len
            while remaining > 0:
                chunk = handle.read(min(CHUNK, remaining))
                if not chunk:
                    break
                digest.update(chunk)
                remaining -= len(chunk)
                self._throttle(len(chunk))
        if digest.hexdigest() != metadata.get('ETag'):
            return 'MD5 %s, ETag says %s' % (digest.hexdigest(), metadata.get('ETag'))
        return None

    def _throttle(self, count):
        # Keep the disk available for client traffic: sleep when ahead of the rate.
        self._read += count
        ahead = self._read / self.rate - (time.monotonic() - self._started)
        if ahead > 0:
            eventlet.sleep(ahead)
