"""Read-only view of a ring file: which devices hold a path's replicas, and handoffs.

A ring file is gzipped JSON written by the builder: ``part_power``, ``replica_count``,
``devs`` (list indexed by device id, ``null`` for removed ids) and ``replica2part2dev``
(one list per replica mapping partition -> device id).
"""
import gzip
import hashlib
import json
import os
import threading
import time

from objectstore.ring import utils

RELOAD_CHECK_SECONDS = 1.0


class RingError(Exception):
    """The ring file is missing or malformed."""


def load_ring_data(path):
    """Parse and check a ring file; RingError names what is wrong."""
    try:
        with gzip.open(path, 'rt', encoding='utf-8') as handle:
            data = json.load(handle)
    except (OSError, EOFError, ValueError) as exc:
        raise RingError('cannot read ring %s: %s' % (path, exc))
    try:
        power = int(data['part_power'])
        table = data['replica2part2dev']
        devs = data['devs']
        for row in table:
            if len(row) != 2 ** power:
                raise RingError('ring %s: a replica row has %d partitions, expected %d'
                                % (path, len(row), 2 ** power))
            for dev_id in row:
                if not (0 <= dev_id < len(devs)) or devs[dev_id] is None:
                    raise RingError('ring %s: partition assigned to unknown device %r'
                                    % (path, dev_id))
    except (KeyError, TypeError) as exc:
        raise RingError('ring %s is malformed: %s' % (path, exc))
    return data


class Ring:
    """Partition -> devices lookup; reloads itself when the file on disk changes."""

    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()
        self._mtime = None
        self._next_check = 0.0
        self._load()

    def _load(self):
        mtime = os.path.getmtime(self.path) if os.path.exists(self.path) else None
        data = load_ring_data(self.path)
        self._part_power = data['part_power']
        self._replica2part2dev = data['replica2part2dev']
        self._devs = [dict(d, id=i) if d is not None else None for i, d in enumerate(data['devs'])]
        self._mtime = mtime

    def _maybe_reload(self):
        now = time.monotonic()
        if now < self._next_check:
            return
        with self._lock:
            self._next_check = now + RELOAD_CHECK_SECONDS
            try:
                mtime = os.path.getmtime(self.path)
            except OSError:
                return  # keep serving the last good ring while the file is being replaced
            if mtime != self._mtime:
                self._load()

    @property
    def devs(self):
        self._maybe_reload()
        return self._devs

    @property
    def replica_count(self):
        self._maybe_reload()
        return len(self._replica2part2dev)

    @property
    def partition_count(self):
        self._maybe_reload()
        return 2 ** self._part_power

    @property
    def part_power(self):
        self._maybe_reload()
        return self._part_power

    def get_part(self, account, container=None, obj=None):
        self._maybe_reload()
        return utils.part_of_hash(utils.hash_path(account, container, obj), self._part_power)

    def get_part_nodes(self, part):
        """The primary nodes of ``part``, each a copy of its device dict plus ``index``."""
        self._maybe_reload()
        if not 0 <= part < 2 ** self._part_power:
            raise ValueError('partition %r out of range' % part)
        nodes = []
        for index, row in enumerate(self._replica2part2dev):
            nodes.append(dict(self._devs[row[part]], index=index))
        return nodes

    def get_nodes(self, account, container=None, obj=None):
        part = self.get_part(account, container, obj)
        return part, self.get_part_nodes(part)

    def get_more_nodes(self, part):
        """Handoff nodes for ``part``: devices in zones unused by the primaries first, then
        the rest; the order is stable per partition so every proxy picks the same ones."""
        primaries = self.get_part_nodes(part)
        used_ids = {n['id'] for n in primaries}
        used_zones = {(n['region'], n['zone']) for n in primaries}
        others = [d for d in self._devs if d is not None and d['id'] not in used_ids
                  and d.get('weight', 0) > 0]

        def order(dev):
            mix = hashlib.md5(('%d-%d' % (part, dev['id'])).encode()).hexdigest()
            return ((dev['region'], dev['zone']) in used_zones, mix)
        seen_zones = set(used_zones)
        fresh, rest = [], []
        for dev in sorted(others, key=order):
            zone = (dev['region'], dev['zone'])
            (rest if zone in seen_zones else fresh).append(dev)
            seen_zones.add(zone)
        for index, dev in enumerate(fresh + rest, start=len(primaries)):
            yield dict(dev, index=index)
