"""Ring builder: keeps the device list and the partition assignment between rebalances.

Placement rules, in order: never two replicas of a partition on one device; spread a
partition's replicas over distinct regions, then zones, then hosts as far as the devices
allow; give each device a share of partitions proportional to its weight.  A rebalance
only moves what it must (replicas on removed devices, replicas crowded into one zone,
and the excess of devices above their share), and no partition moves more than one
replica per rebalance or again within ``min_part_hours``.
"""
import copy
import gzip
import json
import math
import os
import random
import tempfile
import time

from objectstore.ring import utils

DEV_FIELDS = ('region', 'zone', 'ip', 'port', 'replication_ip', 'replication_port',
              'device', 'weight')


class BuilderError(Exception):
    """A builder command cannot be carried out; the message says why."""


def _atomic_write(path, data, gz=False):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.tmp-')
    try:
        with os.fdopen(fd, 'wb') as raw:
            if gz:
                with gzip.GzipFile(fileobj=raw, mode='wb', mtime=0) as handle:
                    handle.write(data)
            else:
                raw.write(data)
            raw.flush()
            os.fsync(raw.fileno())
        os.rename(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class RingBuilder:
    """The mutable ring: devices, weights and the replica -> partition -> device table."""

    def __init__(self, part_power, replicas, min_part_hours):
        if not (isinstance(part_power, int) and 1 <= part_power <= 24):
            raise BuilderError('part_power must be an integer from 1 to 24')
        if not (isinstance(replicas, int) and 1 <= replicas <= 16):
            raise BuilderError('replicas must be an integer from 1 to 16')
        if not (isinstance(min_part_hours, int) and 0 <= min_part_hours <= 8760):
            raise BuilderError('min_part_hours must be an integer from 0 to 8760')
        self.part_power = part_power
        self.replicas = replicas
        self.min_part_hours = min_part_hours
        self.devs = []              # index = device id; None once removed
        self.table = None           # replica -> partition -> device id
        self.last_moved = [0.0] * self.parts
        self.dirty = False

    @property
    def parts(self):
        return 2 ** self.part_power

    # persistence -------------------------------------------------------
    def to_dict(self):
        return {'part_power': self.part_power, 'replicas': self.replicas,
                'min_part_hours': self.min_part_hours, 'devs': self.devs,
                'table': self.table, 'last_moved': self.last_moved, 'dirty': self.dirty}

    @classmethod
    def from_dict(cls, data):
        builder = cls(data['part_power'], data['replicas'], data['min_part_hours'])
        builder.devs = data['devs']
        builder.table = data['table']
        builder.last_moved = data['last_moved']
        builder.dirty = data.get('dirty', False)
        return builder

    @classmethod
    def load(cls, path):
        try:
            with open(path, encoding='utf-8') as handle:
                return cls.from_dict(json.load(handle))
        except OSError as exc:
            raise BuilderError('cannot read builder %s: %s' % (path, exc.strerror))
        except (ValueError, KeyError, TypeError) as exc:
            raise BuilderError('builder %s is malformed: %s' % (path, exc))

    def save(self, path):
        _atomic_write(path, json.dumps(self.to_dict()).encode('utf-8'))

    def ring_data(self):
        if self.table is None:
            raise BuilderError('the builder has never been rebalanced')
        devs = [None if d is None else {k: d[k] for k in ('id',) + DEV_FIELDS}
                for d in self.devs]
        return {'part_power': self.part_power, 'replica_count': self.replicas,
                'devs': devs, 'replica2part2dev': self.table}

    def write_ring(self, path):
        _atomic_write(path, json.dumps(self.ring_data()).encode('utf-8'), gz=True)

    # devices -----------------------------------------------------------
    def add_dev(self, spec, weight):
        """Add a device from ``r1z1-ip:port/dev`` and a weight; return its id."""
        dev = utils.parse_device_spec(spec) if isinstance(spec, str) else dict(spec)
        try:
            weight = float(weight)
        except (TypeError, ValueError):
            raise BuilderError('weight %r is not a number' % (weight,))
        if not weight >= 0 or math.isinf(weight):
            raise BuilderError('weight must be a finite number >= 0')
        for other in self.devs:
            if other and (other['ip'], other['port'], other['device']) == \
                    (dev['ip'], dev['port'], dev['device']):
                raise BuilderError('device %s:%s/%s already exists as d%d'
                                   % (dev['ip'], dev['port'], dev['device'], other['id']))
        dev.update(id=len(self.devs), weight=weight)
        self.devs.append(dev)
        self.dirty = True
        return dev['id']

    def _dev(self, dev_id):
        if not (0 <= dev_id < len(self.devs)) or self.devs[dev_id] is None:
            raise BuilderError('no device d%d' % dev_id)
        return self.devs[dev_id]

    def set_weight(self, dev_id, weight):
        self._dev(dev_id)['weight'] = float(weight)
        self.dirty = True

    def remove_dev(self, dev_id):
        """Mark a device for removal: its partitions move at the next rebalance."""
        self._dev(dev_id)['weight'] = 0.0
        self._dev(dev_id)['removed'] = True
        self.dirty = True

    def search(self, text):
        """Device ids matching ``d<id>`` or a spec fragment like ``127.0.0.1:6010/sdb``."""
        if text.startswith('d') and text[1:].isdigit():
            return [self._dev(int(text[1:]))['id']]
        return [d['id'] for d in self.devs if d is not None and
                text in '%s:%s/%s' % (d['ip'], d['port'], d['device'])]

    # rebalance ---------------------------------------------------------
    def _active(self):
        return [d for d in self.devs if d is not None and d['weight'] > 0
                and not d.get('removed')]

    def rebalance(self, now=None, seed=None):
        """Reassign partitions; return (replicas moved, balance %) and save nothing."""
        now = time.time() if now is None else now
        active = self._active()
        if len(active) < self.replicas:
            raise BuilderError('%d replicas need at least %d devices with weight, have %d'
                               % (self.replicas, self.replicas, len(active)))
        rng = random.Random(seed)
        first = self.table is None
        table = copy.deepcopy(self.table) if not first else \
            [[None] * self.parts for _ in range(self.replicas)]
        total = sum(d['weight'] for d in active)
        slots = self.parts * self.replicas
        desired = {d['id']: d['weight'] * slots / total for d in active}
        by_id = {d['id']: d for d in active}
        counts = {d['id']: 0 for d in active}
        for row in table:
            for dev_id in row:
                if dev_id in counts:
                    counts[dev_id] += 1
        hold = self.min_part_hours * 3600
        touched = set()   # partitions with a replica taken off its device this round

        def movable(part):
            return part not in touched and now - self.last_moved[part] >= hold

        gathered = []     # (part, replica, origin device id)

        def take(part, replica, forced=False):
            origin = table[replica][part]
            if origin in counts:
                counts[origin] -= 1
            table[replica][part] = None
            gathered.append((part, replica, origin))
            if not forced:
                touched.add(part)

        # 1. replicas on removed or weightless devices must go, whatever the hold.
        for replica, row in enumerate(table):
            for part, dev_id in enumerate(row):
                if dev_id not in by_id:
                    take(part, replica, forced=True)
        # 2. replicas sharing a zone while more zones are available.
        zones = {(d['region'], d['zone']) for d in active}
        want_zones = min(self.replicas, len(zones))
        order = list(range(self.parts))
        rng.shuffle(order)
        for part in order:
            here = [(r, table[r][part]) for r in range(self.replicas)
                    if table[r][part] is not None]
            seen = {}
            for replica, dev_id in here:
                seen.setdefault(self._zone(dev_id), []).append(replica)
            if len(seen) < want_zones and len(here) > len(seen) and movable(part):
                crowded = max(seen.values(), key=len)
                victim = max(crowded, key=lambda r: counts[table[r][part]] -
                             desired[table[r][part]])
                take(part, victim)
        # 3. devices holding more than their share give back the excess.
        for dev in sorted(active, key=lambda d: desired[d['id']] - counts[d['id']]):
            dev_id = dev['id']
            if counts[dev_id] <= desired[dev_id]:
                continue
            for part in order:
                if counts[dev_id] <= desired[dev_id]:
                    break
                for replica in range(self.replicas):
                    if table[replica][part] == dev_id and movable(part):
                        take(part, replica)
                        break
        # Place: largest need first keeps the result balanced.
        rng.shuffle(gathered)
        moved = 0
        for part, replica, origin in gathered:
            target = self._choose(table, part, active, counts, desired, origin)
            table[replica][part] = target
            counts[target] += 1
            if target != origin:
                moved += 1
                self.last_moved[part] = now
        if first:
            self.last_moved = [now] * self.parts
        for dev in self.devs:
            if dev is not None and dev.get('removed'):
                self.devs[dev['id']] = None
        self.table = table
        self.dirty = False
        return moved, self.balance()

    def _zone(self, dev_id):
        dev = self.devs[dev_id]
        return (dev['region'], dev['zone'])

    def _choose(self, table, part, active, counts, desired, origin):
        held = [table[r][part] for r in range(self.replicas) if table[r][part] is not None]
        regions = [self.devs[i]['region'] for i in held]
        zone_list = [self._zone(i) for i in held]
        ips = [self.devs[i]['ip'] for i in held]
        best, best_key = None, None
        for dev in active:
            if dev['id'] in held:
                continue
            key = (regions.count(dev['region']),
                   zone_list.count((dev['region'], dev['zone'])),
                   ips.count(dev['ip']),
                   -round(desired[dev['id']] - counts[dev['id']], 6),
                   dev['id'] != origin, dev['id'])
            if best_key is None or key < best_key:
                best, best_key = dev['id'], key
        if best is None:
            raise BuilderError('no device can take a replica of partition %d' % part)
        return best

    def balance(self):
        """Largest deviation of a device's partition count from its share, in percent."""
        active = self._active()
        total = sum(d['weight'] for d in active)
        if not active or self.table is None:
            return 0.0
        counts = {d['id']: 0 for d in active}
        for row in self.table:
            for dev_id in row:
                if dev_id in counts:
                    counts[dev_id] += 1
        slots = self.parts * self.replicas
        worst = 0.0
        for dev in active:
            want = dev['weight'] * slots / total
            worst = max(worst, abs(counts[dev['id']] - want) * 100.0 / want)
        return worst

    def part_counts(self):
        counts = {}
        for row in self.table or []:
            for dev_id in row:
                counts[dev_id] = counts.get(dev_id, 0) + 1
        return counts
