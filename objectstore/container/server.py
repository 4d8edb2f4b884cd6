"""Container server: container databases and their object rows (backend protocol)."""
import logging

import webob

from objectstore.container import broker as broker_mod
from objectstore.storage import dbserver
from objectstore.storage import http
from objectstore.storage import request as rq
from objectstore.storage import timestamp
from objectstore.storage import updates

LOG = logging.getLogger(__name__)
INTERNAL = ('x-container-object-count', 'x-container-bytes-used', 'x-container-host',
            'x-container-partition', 'x-container-device')


def report_to_account(broker, nodes, part, conn_timeout, node_timeout):
    """Send the container's stats to account nodes; True if all stored them."""
    info = broker.info()
    count, used = broker.stats()
    headers = {'X-Put-Timestamp': info['put_timestamp'],
               'X-Delete-Timestamp': info['delete_timestamp'],
               'X-Object-Count': str(count), 'X-Bytes-Used': str(used),
               'X-Timestamp': info['created_at']}
    ok = True
    for node in nodes:
        path = http.quote_path(node['device'], part, info['account'], info['container'])
        try:
            status, _, _ = http.request(node, 'PUT', path, headers=headers,
                conn_timeout=conn_timeout, node_timeout=node_timeout)
        except http.NodeError as exc:
            LOG.warning('account update failed: %s', exc)
            ok = False
            continue
        if not 200 <= status < 300:
            LOG.warning('account update for %s answered %s', path, status)
            ok = False
    if ok:
        with broker.conn(write=True) as conn:
            conn.execute('UPDATE info SET reported_put_timestamp=?, reported_delete_timestamp=?,'
                         ' reported_object_count=?, reported_bytes_used=?',
                         (info['put_timestamp'], info['delete_timestamp'], count, used))
    return ok


class ContainerServer(dbserver.DBServer):
    KIND = 'container'
    BROKER = broker_mod.ContainerBroker

    def handle(self, req):
        if req.method == 'REPLICATE':
            return self.REPLICATE(req)
        device, part, account, container, obj = rq.split_path(req, 4, 5, rest_with_last=True)
        rq.check_device_part(device, part)
        rq.check_names(account=account, container=container, object=obj)
        rq.device_path(self.devices, device, req.method in ('PUT', 'POST') and
                       self.disk_full_check)
        broker = self.broker(device, part, account, container)
        return self.dispatch(req, broker, obj, {'PUT': self.put_object,
                                                'DELETE': self.delete_object})

    def _update_account(self, req, broker):
        try:
            part, nodes = updates.hosts_from_headers(req.headers, 'Account')
        except ValueError as exc:
            raise rq.HTTPError(400, str(exc))
        if nodes:
            # A failure is not fatal: the updater reports unreported stats later.
            report_to_account(broker, nodes, part, self.conn_timeout, self.node_timeout)

    def PUT(self, req, broker):
        ts = rq.req_timestamp(req)
        meta = dbserver.metadata_updates(req.headers, 'x-container-', INTERNAL, ts)
        created = broker.initialize(ts)
        if not created:
            was_deleted = broker.is_deleted()
            broker.update_put_timestamp(ts)
            created = was_deleted and not broker.is_deleted()
        if meta:
            broker.update_metadata(meta)
        self._update_account(req, broker)
        return webob.Response(status=201 if created else 202)

    def DELETE(self, req, broker):
        ts = rq.req_timestamp(req)
        info = broker.info()
        if broker.is_deleted(info):
            return webob.Response(status=404)
        if broker.live_count():
            raise rq.HTTPError(409, 'container is not empty')
        broker.mark_deleted(ts)
        self._update_account(req, broker)
        return webob.Response(status=204)

    def POST(self, req, broker):
        ts = rq.req_timestamp(req)
        if broker.is_deleted():
            return webob.Response(status=404)
        broker.update_metadata(dbserver.metadata_updates(req.headers, 'x-container-',
                                                         INTERNAL, ts))
        return webob.Response(status=204)

    def GET(self, req, broker):
        params = dbserver.listing_params(req)
        info = broker.info()
        if broker.is_deleted(info):
            return webob.Response(status=404, headerlist=[
                ('X-Backend-Timestamp', info['delete_timestamp'])])
        count, used = broker.stats()
        headers = dbserver.info_headers(info, broker.metadata())
        headers.update({'X-Container-Object-Count': str(count),
                        'X-Container-Bytes-Used': str(used)})
        if req.method == 'HEAD':
            return webob.Response(status=204, headerlist=list(headers.items()))
        rows = broker.list_objects(params['limit'], params['marker'], params['end_marker'],
                                   params['prefix'], params['delimiter'], params['reverse'])
        items = [r if 'subdir' in r else {
            'name': r['name'], 'hash': r['etag'], 'bytes': r['size'],
            'content_type': r['content_type'],
            'last_modified': timestamp.to_iso(r['created_at'])} for r in rows]
        return dbserver.listing_response(req, params['format'], items, 'container',
                                         broker.container, 'object', headers)

    def put_object(self, req, broker, obj):
        ts = rq.req_timestamp(req)
        size = rq.req_int(req, 'X-Size')
        if size is None:
            raise rq.HTTPError(400, 'missing X-Size header')
        ctype = req.headers.get('X-Content-Type')
        etag = req.headers.get('X-Etag')
        if ctype is None or etag is None:
            raise rq.HTTPError(400, 'missing X-Content-Type or X-Etag header')
        if not broker.exists() or broker.is_deleted():
            return webob.Response(status=404)
        broker.put_object(obj, ts, size, ctype, etag.strip('"'))
        return webob.Response(status=201)

    def delete_object(self, req, broker, obj):
        ts = rq.req_timestamp(req)
        if not broker.exists():
            return webob.Response(status=404)
        broker.put_object(obj, ts, 0, '', '', deleted=1)
        return webob.Response(status=204)
