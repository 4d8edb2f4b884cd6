"""Updater: delivers saved container updates (async pendings) and reports container
stats to the account servers when they changed since the last report."""
import collections
import json
import logging
import os

from objectstore.container import broker as container_broker
from objectstore.container import server as container_server
from objectstore.ring import Ring
from objectstore.storage import asyncpending
from objectstore.storage import daemon
from objectstore.storage import db
from objectstore.storage import updates
from objectstore.storage import walk

LOG = logging.getLogger(__name__)


class Updater(daemon.Daemon):
    name = 'updater'

    def __init__(self, conf):
        super().__init__(conf, conf.updater.interval)
        self.conn_timeout = conf.storage.conn_timeout
        self.node_timeout = conf.storage.node_timeout

    def _ring(self, kind):
        return Ring(os.path.join(self.conf.objectstore.ring_dir, '%s.ring.json.gz' % kind))

    def run_once(self):
        stats = collections.Counter()
        container_ring = self._ring('container')
        for dev in daemon.local_devices(self._ring('object'), self.conf, 'object-server'):
            device_path = os.path.join(self.conf.storage.devices, dev['device'])
            for path, record in asyncpending.iter_pending(device_path):
                if self._stopping:
                    break
                stats[self.deliver(container_ring, path, record)] += 1
        account_ring = self._ring('account')
        for dev in daemon.local_devices(container_ring, self.conf, 'container-server'):
            device_path = os.path.join(self.conf.storage.devices, dev['device'])
            for path in walk.db_files(device_path, 'container'):
                if self._stopping:
                    break
                stats[self.report(account_ring, path)] += 1
        LOG.info('update pass done: %s', dict(stats))
        return stats

    def deliver(self, container_ring, path, record):
        part, nodes = container_ring.get_nodes(record['account'], record['container'])
        done = set(record.get('successes', []))
        for node in nodes:
            key = updates.node_key(node)
            if key not in done and updates.send(
                    node, part, record['op'], record['account'], record['container'],
                    record['obj'], record['headers'], self.conn_timeout, self.node_timeout):
                done.add(key)
        if all(updates.node_key(n) in done for n in nodes):
            os.unlink(path)
            return 'async_delivered'
        # Remember who has it so the next pass only retries the rest.
        record['successes'] = sorted(done)
        tmp = path + '.tmp'
        with open(tmp, 'w') as handle:
            json.dump(record, handle)
        os.rename(tmp, path)
        return 'async_failed'

    def report(self, account_ring, path):
        broker = container_broker.ContainerBroker(path)
        try:
            info = broker.info()
            count, used = broker.stats()
        except db.DatabaseNotFound:
            return 'container_gone'
        if (info['reported_put_timestamp'], info['reported_delete_timestamp'],
                info['reported_object_count'], info['reported_bytes_used']) == (
                info['put_timestamp'], info['delete_timestamp'], count, used):
            return 'container_unchanged'
        part, nodes = account_ring.get_nodes(info['account'])
        ok = container_server.report_to_account(broker, nodes, part, self.conn_timeout,
                                                self.node_timeout)
        return 'container_reported' if ok else 'container_report_failed'
