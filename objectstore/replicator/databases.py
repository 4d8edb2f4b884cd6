"""Account/container database replication: rows flow from each replica to every other
primary, starting after the last row the peer acknowledged; info (timestamps, metadata)
is merged both ways in the same exchange.  Handoff databases are removed once every
primary has merged them."""
import json
import logging
import os

from objectstore.storage import db
from objectstore.storage import diskfile
from objectstore.storage import http

LOG = logging.getLogger(__name__)
BATCH = 1000


class DatabaseReplicator:
    def __init__(self, conf, ring, kind, broker_cls, stats):
        self.ring = ring
        self.kind = kind
        self.broker_cls = broker_cls
        self.reclaim_age = conf.storage.reclaim_age
        self.conn_timeout = conf.storage.conn_timeout
        self.node_timeout = conf.storage.node_timeout
        self.stats = stats

    def _call(self, node, path, body):
        return http.request(node, 'REPLICATE', path, body=body, conn_timeout=self.conn_timeout,
                            node_timeout=self.node_timeout, replication=True)

    def replicate_device(self, dev, device_path, stopping):
        root = os.path.join(device_path, self.kind + 's')
        if not os.path.isdir(root):
            return
        for part in sorted(os.listdir(root)):
            if not part.isdigit() or int(part) >= self.ring.partition_count:
                continue
            for suffix in sorted(os.listdir(os.path.join(root, part))):
                for db_hash in sorted(os.listdir(os.path.join(root, part, suffix))):
                    if stopping():
                        return
                    path = os.path.join(root, part, suffix, db_hash, db_hash + '.db')
                    if os.path.exists(path):
                        self.replicate_db(dev, int(part), path)

    def replicate_db(self, dev, part, path):
        broker = self.broker_cls(path)
        try:
            if broker.reclaim(self.reclaim_age):
                self.stats['dbs_reclaimed'] += 1
                return
            info = broker.replication_info()
        except db.DatabaseNotFound:
            return
        nodes = self.ring.get_part_nodes(part)
        primary = any(n['id'] == dev['id'] for n in nodes)
        all_ok = True
        for node in nodes:
            if node['id'] == dev['id']:
                continue
            try:
                ok = self.sync_db(node, part, broker, info)
            except http.NodeError as exc:
                LOG.warning('replication of %s to %s failed: %s', path, node['device'], exc)
                ok = False
            all_ok = all_ok and ok
        if not primary and all_ok:
            diskfile.remove_tree(os.path.dirname(path))
            self.stats['handoffs_removed'] += 1

    def sync_db(self, node, part, broker, info):
        path = http.quote_path(node['device'], part, broker.hash())
        status, _, body = self._call(node, path, {'op': 'sync', 'info': info})
        if status != 200:
            LOG.warning('REPLICATE sync %s on %s answered %s', path, node['device'], status)
            return False
        point = json.loads(body)['sync_point']
        while True:
            items = broker.items_since(point, BATCH)
            if not items:
                return True
            new_point = items[-1]['row_id']
            for item in items:
                item.pop('row_id', None)
            status, _, _ = self._call(node, path, {'op': 'merge_items', 'items': items,
                                                   'source_id': info['id'],
                                                   'sync_point': new_point})
            if status != 202:
                return False
            self.stats['rows_pushed'] += len(items)
            point = new_point
