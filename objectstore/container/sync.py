"""Container sync daemon: sends the changes of containers that have
``X-Container-Sync-To: //<realm>/<cluster>/<account>/<container>`` and
``X-Container-Sync-Key`` to that container, through the endpoint the operator gave the
cluster in the realms file (objectstore/container/sync_realms.py), never anywhere else.

Each primary replica of a container database handles the rows whose name hashes to its
index (so the replicas share the work and no change is sent three times) and remembers,
in its own database, the last row it finished for that destination.  A PUT row sends the
object as stored (body, metadata, X-Timestamp, ETag), read straight from the object
servers; a deleted row sends a DELETE with the deletion's timestamp.  The destination
keeps the newer version (409 for an older write counts as done); a row that cannot be
sent now stops that container's pass, to be tried again in the next one.

    objectstore-container-sync [--config-file F] [--once]
"""
import collections
import hashlib
import http.client
import logging
import os
import urllib.parse

from objectstore.container import broker as broker_mod
from objectstore.container import sync_realms
from objectstore.ring import Ring
from objectstore.storage import daemon
from objectstore.storage import db
from objectstore.storage import http as storage_http
from objectstore.storage import walk

LOG = logging.getLogger(__name__)
CHUNK = 65536
# what a synced object carries besides its body
SENT_HEADERS = ('content-type', 'content-encoding', 'content-disposition', 'x-delete-at',
                'x-object-manifest', 'x-static-large-object')
SYMLINK_HEADERS = (('x-object-sysmeta-symlink-target', 'X-Symlink-Target'),
                   ('x-object-sysmeta-symlink-target-account', 'X-Symlink-Target-Account'))


class RowError(Exception):
    """A row could not be sent now; the container's pass stops at it."""


def _connection(url, timeout):
    parts = urllib.parse.urlsplit(url)
    cls = http.client.HTTPSConnection if parts.scheme == 'https' else http.client.HTTPConnection
    return cls(parts.hostname, parts.port, timeout=timeout)


class ContainerSync(daemon.Daemon):
    name = 'container-sync'

    def __init__(self, conf, realms=None):
        super().__init__(conf, conf.get('interval', 'container-sync'))
        self.rows_per_pass = conf.get('rows_per_pass', 'container-sync')
        self.conn_timeout = conf.storage.conn_timeout
        self.node_timeout = conf.storage.node_timeout
        self.realms = realms if realms is not None else sync_realms.from_conf(conf)
        self._warned = set()

    def _ring(self, kind):
        return Ring(os.path.join(self.conf.objectstore.ring_dir, '%s.ring.json.gz' % kind))

    def run_once(self):
        stats = collections.Counter()
        container_ring, object_ring = self._ring('container'), self._ring('object')
        for dev in daemon.local_devices(container_ring, self.conf, 'container-server'):
            device_path = os.path.join(self.conf.storage.devices, dev['device'])
            for path in walk.db_files(device_path, 'container'):
                if self._stopping:
                    break
                try:
                    self.sync_container(container_ring, object_ring, dev, path, stats)
                except db.DatabaseNotFound:
                    continue
        LOG.info('container sync pass done: %s', dict(stats))
        return stats

    def _replica_index(self, ring, dev, path):
        """This device's index among the primaries of the database's partition, or None
        (a handoff copy syncs nothing)."""
        part = int(path.split(os.sep)[-4])
        for node in ring.get_part_nodes(part):
            if node['id'] == dev['id']:
                return node['index']
        return None

    def sync_container(self, container_ring, object_ring, dev, path, stats):
        broker = broker_mod.ContainerBroker(path)
        settings = broker.sync_settings()
        if settings is None:
            return
        sync_to, sync_key = settings
        info = broker.info()
        index = self._replica_index(container_ring, dev, path)
        if index is None:
            return
        target = sync_realms.parse_sync_to(sync_to)
        endpoint = self.realms.endpoint(*target[:2]) if target else None
        keys = self.realms.keys(target[0]) if target else []
        if endpoint is None or not keys:
            stats['unknown_realm'] += 1
            if (path, sync_to) not in self._warned:
                self._warned.add((path, sync_to))
                LOG.warning('container %s/%s syncs to %r, which names no realm and cluster '
                            'of the realms file; skipped', info['account'], info['container'],
                            sync_to)
            return
        dest = {'endpoint': endpoint, 'realm': target[0], 'key': keys[0],
                'account': target[2], 'container': target[3], 'sync_key': sync_key}
        start = broker.get_sync_point(sync_to)
        point = self._sync_rows(broker, object_ring, info, dest, index,
                                container_ring.replica_count, start, stats)
        if point != start:
            broker.set_sync_point(sync_to, point)

    def _sync_rows(self, broker, object_ring, info, dest, index, replicas, point, stats):
        """Send this replica's share of the rows after ``point``; the last row done."""
        done = 0
        while done < self.rows_per_pass and not self._stopping:
            rows = broker.items_since(point, min(1000, self.rows_per_pass - done))
            if not rows:
                break
            for row in rows:
                share = int(hashlib.md5(row['name'].encode('utf-8')).hexdigest(), 16) \
                    % replicas
                if share == index:
                    try:
                        self.sync_row(object_ring, info, row, dest)
                    except RowError as exc:
                        LOG.warning('sync of %s/%s/%s to //%s/.../%s/%s stopped: %s',
                                    info['account'], info['container'], row['name'],
                                    dest['realm'], dest['account'], dest['container'], exc)
                        stats['row_failures'] += 1
                        return point
                    stats['rows_synced'] += 1
                point = row['row_id']
                done += 1
        return point

    # -- one row ---------------------------------------------------------------
    def _dest_path(self, dest, name):
        base = urllib.parse.urlsplit(dest['endpoint']).path
        return urllib.parse.unquote(base) + '%s/%s/%s' % (dest['account'], dest['container'],
                                                          name)

    def sync_row(self, object_ring, info, row, dest):
        if row['deleted']:
            self._send(dest, 'DELETE', row['name'], row['created_at'], {}, None)
            return
        found = self._read_object(object_ring, info, row)
        if found is None:
            return  # gone or overwritten since: a later row carries the change
        conn, resp = found
        try:
            headers = {k.lower(): v for k, v in resp.getheaders()}
            out = {k: v for k, v in headers.items()
                   if k in SENT_HEADERS or k.startswith('x-object-meta-')}
            body_length = int(headers.get('content-length') or 0)
            for sysmeta, client in SYMLINK_HEADERS:
                if headers.get(sysmeta):
                    out[client] = urllib.parse.unquote(headers[sysmeta])
            out['Content-Length'] = str(body_length)
            out['ETag'] = headers.get('etag', '').strip('"')
            self._send(dest, 'PUT', row['name'], headers['x-timestamp'], out, resp)
        finally:
            conn.close()

    def _read_object(self, object_ring, info, row):
        """(connection, response) of a stored version at least as new as the row, or
        None when the object is gone; RowError when no server could tell."""
        part, nodes = object_ring.get_nodes(info['account'], info['container'], row['name'])
        answered = 0
        for node in nodes:
            path = storage_http.quote_path(node['device'], part, info['account'],
                                           info['container'], row['name'])
            conn = http.client.HTTPConnection(node['ip'], node['port'],
                                              timeout=self.node_timeout)
            try:
                conn.request('GET', path, headers={'User-Agent': 'objectstore-container-sync'})
                resp = conn.getresponse()
            except (OSError, http.client.HTTPException) as exc:
                LOG.warning('reading %s from %s failed: %s', row['name'], node['device'], exc)
                conn.close()
                continue
            answered += 1
            stored = resp.getheader('X-Timestamp') or resp.getheader('X-Backend-Timestamp') \
                or ''
            if resp.status == 200 and stored >= row['created_at']:
                return conn, resp
            conn.close()
            if resp.status == 404 and stored > row['created_at']:
                return None  # deleted after this row was written
        if answered == len(nodes):
            return None
        raise RowError('no object server could serve %s' % row['name'])

    def _send(self, dest, method, name, timestamp, headers, body):
        path = self._dest_path(dest, name)
        etag = headers.get('ETag', '') if method == 'PUT' else ''
        headers = dict(headers, **{
            'X-Timestamp': timestamp, 'User-Agent': 'objectstore-container-sync',
            'X-Container-Sync-Auth': sync_realms.auth_header(
                dest['realm'], dest['key'], method, path, timestamp, etag,
                dest['sync_key'])})
        conn = _connection(dest['endpoint'], self.conn_timeout + self.node_timeout)
        try:
            conn.putrequest(method, urllib.parse.quote(path), skip_accept_encoding=True)
            for key, value in headers.items():
                conn.putheader(key, value)
            if body is None:
                conn.putheader('Content-Length', '0')
            conn.endheaders()
            if body is not None:
                while True:
                    chunk = body.read(CHUNK)
                    if not chunk:
                        break
                    conn.send(chunk)
            resp = conn.getresponse()
            text = resp.read(1024)
        except (OSError, http.client.HTTPException) as exc:
            raise RowError('%s %s: %s' % (method, path, exc))
        finally:
            conn.close()
        # 409: the destination has this version or a newer one already
        if resp.status // 100 == 2 or resp.status == 409 or (
                method == 'DELETE' and resp.status == 404):
            return
        raise RowError('%s %s answered %s: %s' % (method, path, resp.status,
                                                  text.decode('utf-8', 'replace').strip()))


def main(argv=None):
    """Console script ``objectstore-container-sync``."""
    # The daemon preparation of the other storage daemons (config, logging, hash path
    # secret, monkey patching).
    from objectstore import cmd
    from common import daemon as common_daemon
    conf, once = cmd._prepare('container-sync', argv)
    try:
        worker = ContainerSync(conf)
    except sync_realms.RealmsError as exc:
        LOG.error('cannot start: %s', exc)
        return 2
    if once:
        worker.run_once()
        return 0
    common_daemon.run_services(conf, [worker])


if __name__ == '__main__':
    import sys
    sys.exit(main())
