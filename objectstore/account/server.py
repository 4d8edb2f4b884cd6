"""Account server: account databases and their container rows (backend protocol)."""
import webob

from objectstore.account import broker as broker_mod
from objectstore.storage import dbserver
from objectstore.storage import request as rq
from objectstore.storage import timestamp

INTERNAL = ('x-account-container-count', 'x-account-object-count', 'x-account-bytes-used',
            'x-account-host', 'x-account-partition', 'x-account-device')


class AccountServer(dbserver.DBServer):
    KIND = 'account'
    BROKER = broker_mod.AccountBroker

    def handle(self, req):
        if req.method == 'REPLICATE':
            return self.REPLICATE(req)
        device, part, account, container = rq.split_path(req, 3, 4, rest_with_last=True)
        rq.check_device_part(device, part)
        rq.check_names(account=account, container=container)
        rq.device_path(self.devices, device, req.method in ('PUT', 'POST') and
                       self.disk_full_check)
        broker = self.broker(device, part, account)
        return self.dispatch(req, broker, container, {'PUT': self.put_container})

    def PUT(self, req, broker):
        ts = rq.req_timestamp(req)
        created = broker.initialize(ts)
        if not created:
            was_deleted = broker.info()['delete_timestamp'] > broker.info()['put_timestamp']
            broker.update_put_timestamp(ts)
            info = broker.info()
            created = was_deleted and info['put_timestamp'] > info['delete_timestamp']
        meta = dbserver.metadata_updates(req.headers, 'x-account-', INTERNAL, ts)
        if meta:
            broker.update_metadata(meta)
        return webob.Response(status=201 if created else 202)

    @staticmethod
    def _deleted(info):
        return info['delete_timestamp'] > info['put_timestamp']

    def DELETE(self, req, broker):
        ts = rq.req_timestamp(req)
        if self._deleted(broker.info()):
            return webob.Response(status=404)
        broker.mark_deleted(ts)
        return webob.Response(status=204)

    def POST(self, req, broker):
        ts = rq.req_timestamp(req)
        if self._deleted(broker.info()):
            return webob.Response(status=404)
        broker.update_metadata(dbserver.metadata_updates(req.headers, 'x-account-',
                                                         INTERNAL, ts))
        return webob.Response(status=204)

    def GET(self, req, broker):
        params = dbserver.listing_params(req)
        info = broker.info()
        if self._deleted(info):
            return webob.Response(status=404, headerlist=[
                ('X-Backend-Timestamp', info['delete_timestamp']),
                ('X-Account-Status', 'Deleted')])
        containers, objects, used = broker.stats()
        headers = dbserver.info_headers(info, broker.metadata())
        headers.update({'X-Account-Container-Count': str(containers),
                        'X-Account-Object-Count': str(objects),
                        'X-Account-Bytes-Used': str(used)})
        if req.method == 'HEAD':
            return webob.Response(status=204, headerlist=list(headers.items()))
        rows = broker.list_containers(params['limit'], params['marker'], params['end_marker'],
                                      params['prefix'], params['delimiter'], params['reverse'])
        items = [r if 'subdir' in r else {
            'name': r['name'], 'count': r['object_count'], 'bytes': r['bytes_used'],
            'last_modified': timestamp.to_iso(r['put_timestamp'])} for r in rows]
        return dbserver.listing_response(req, params['format'], items, 'account',
                                         broker.account, 'container', headers)

    def put_container(self, req, broker, container):
        put_ts = rq.req_timestamp(req, 'X-Put-Timestamp')
        delete_ts = rq.req_timestamp(req, 'X-Delete-Timestamp', required=False) or \
            timestamp.normalize(0)
        count = rq.req_int(req, 'X-Object-Count', 0)
        used = rq.req_int(req, 'X-Bytes-Used', 0)
        if not broker.exists() or self._deleted(broker.info()):
            return webob.Response(status=404)
        broker.put_container(container, put_ts, delete_ts, count, used)
        return webob.Response(status=201)
