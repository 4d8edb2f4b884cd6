"""What the account and container servers share: metadata headers, listings parameters,
and the REPLICATE verb through which replicas exchange rows."""
import json
import logging
import os
import re
import urllib.parse

import webob

from objectstore.storage import db
from objectstore.storage import request as rq
from objectstore.storage import timestamp

LOG = logging.getLogger(__name__)
MAX_LISTING = 10000
HASH_RE = re.compile(r'^[0-9a-f]{32}$')


def metadata_updates(headers, prefix, internal, ts):
    """{header: (value, ts)} of the ``X-<Kind>-*`` headers to store (empty value deletes)."""
    out = {}
    for key, value in headers.items():
        low = key.lower()
        if (low.startswith(prefix) and low not in internal) or low in (
                'x-versions-location', 'x-history-location'):
            out[key.title()] = (value.strip(), ts)
    return out


def listing_params(req):
    """Validated listing query parameters; 400/412 naming the bad one."""
    params = {}
    try:
        query = {k: v for k, v in urllib.parse.parse_qsl(
            req.query_string, keep_blank_values=True, errors='strict')}
    except (UnicodeDecodeError, ValueError):
        raise rq.HTTPError(400, 'query string is not valid UTF-8')
    limit = query.get('limit', str(MAX_LISTING))
    if not limit.isdigit():
        raise rq.HTTPError(400, 'limit must be a non-negative integer')
    if int(limit) > MAX_LISTING:
        raise rq.HTTPError(412, 'limit must be at most %d' % MAX_LISTING)
    params['limit'] = int(limit)
    for name in ('marker', 'end_marker', 'prefix', 'delimiter'):
        value = query.get(name, '')
        if '\x00' in value or len(value) > 1024:
            raise rq.HTTPError(400, '%s is invalid' % name)
        params[name] = value
    reverse = query.get('reverse', 'false').lower()
    if reverse not in ('true', 'false', '1', '0', 'yes', 'no', 'on', 'off', 't', 'f', 'y', 'n',
                       ''):
        raise rq.HTTPError(400, 'reverse must be a boolean')
    params['reverse'] = reverse in ('true', '1', 'yes', 'on', 't', 'y')
    fmt = query.get('format', '') or _format_from_accept(req)
    if fmt not in ('json', 'plain', 'xml'):
        raise rq.HTTPError(400, 'format must be json, plain or xml')
    params['format'] = fmt
    return params


def _format_from_accept(req):
    accept = req.headers.get('Accept', '')
    if 'application/json' in accept:
        return 'json'
    if 'xml' in accept:
        return 'xml'
    return 'plain'


def listing_response(req, fmt, items, root_tag, name, item_tag, headers, status_empty=204):
    """Render a listing as json/plain/xml with the stats headers."""
    if fmt == 'json':
        body = json.dumps(items).encode('utf-8')
        ctype = 'application/json'
    elif fmt == 'xml':
        from xml.sax import saxutils
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<%s name=%s>' % (root_tag, saxutils.quoteattr(name))]
        for item in items:
            if 'subdir' in item:
                lines.append('<subdir name=%s><name>%s</name></subdir>' % (
                    saxutils.quoteattr(item['subdir']), saxutils.escape(item['subdir'])))
                continue
            lines.append('<%s>%s</%s>' % (item_tag, ''.join(
                '<%s>%s</%s>' % (k, saxutils.escape(str(v)), k) for k, v in item.items()),
                item_tag))
        lines.append('</%s>' % root_tag)
        body = '\n'.join(lines).encode('utf-8')
        ctype = 'application/xml'
    else:
        body = ''.join((i.get('subdir') or i['name']) + '\n' for i in items).encode('utf-8')
        ctype = 'text/plain'
    if fmt == 'plain' and not body:
        return webob.Response(status=status_empty, headerlist=list(headers.items()))
    resp = webob.Response(status=200, headerlist=list(headers.items()), body=body)
    resp.content_type = ctype
    resp.charset = 'utf-8'
    if req.method == 'HEAD':
        resp.app_iter = []
    return resp


def info_headers(info, metadata):
    headers = {'X-Timestamp': info['created_at'], 'X-Put-Timestamp': info['put_timestamp'],
               'X-Backend-Put-Timestamp': info['put_timestamp'],
               'X-Backend-Delete-Timestamp': info['delete_timestamp'],
               'X-Backend-Status-Changed-At': info['status_changed_at'],
               'Last-Modified': timestamp.to_http_date(info['put_timestamp'])}
    headers.update(metadata)
    return headers


class DBServer:
    """REPLICATE handling for a server whose replicas are SQLite databases."""

    KIND = None           # 'account' | 'container'
    BROKER = None

    def __init__(self, conf):
        self.conf = conf
        self.devices = conf.storage.devices
        self.conn_timeout = conf.storage.conn_timeout
        self.node_timeout = conf.storage.node_timeout
        self.disk_full_check = conf.storage.disk_full_check

    def __call__(self, environ, start_response):
        return rq.wsgi_app(self.handle)(environ, start_response)

    def broker(self, device, part, account, container=None):
        from objectstore.ring import utils as ring_utils
        path = db.db_path(self.devices, device, self.KIND, part,
                          ring_utils.hash_path(account, container))
        return self.BROKER(path, account, container)

    def dispatch(self, req, broker, child, child_verbs):
        """Run the handler for ``req.method``: ``child_verbs`` when the path names a child
        row (an account's container, a container's object), the database's own verbs
        otherwise; a database that does not exist answers 404."""
        verbs = child_verbs if child else {'PUT': self.PUT, 'DELETE': self.DELETE,
                                           'POST': self.POST, 'GET': self.GET,
                                           'HEAD': self.GET}
        handler = verbs.get(req.method)
        if handler is None:
            raise rq.HTTPError(405, 'method %s not allowed here' % req.method)
        try:
            return handler(req, broker, child) if child else handler(req, broker)
        except db.DatabaseNotFound:
            return webob.Response(status=404)

    def REPLICATE(self, req):
        """Body {op: sync, info} -> our info and how far we merged the sender's rows;
        {op: merge_items, items, source_id, sync_point} -> rows merged."""
        device, part, db_hash = rq.split_path(req, 3, 3)
        rq.check_device_part(device, part)
        rq.device_path(self.devices, device)
        if not HASH_RE.match(db_hash):
            raise rq.HTTPError(400, 'invalid database hash')
        try:
            body = json.loads(req.body or b'{}')
            op = body['op']
        except (ValueError, KeyError, TypeError):
            raise rq.HTTPError(400, 'body must be JSON with an "op"')
        broker = self.BROKER(db.db_path(self.devices, device, self.KIND, part, db_hash))
        try:
            if op == 'sync':
                return self._sync(broker, body, db_hash)
            if op == 'merge_items':
                items, source, point = body['items'], body['source_id'], int(body['sync_point'])
                if not isinstance(items, list) or not isinstance(source, str):
                    raise rq.HTTPError(400, 'items must be a list, source_id a string')
                broker.merge_items(items, source, point)
                return webob.Response(status=202)
        except (KeyError, TypeError, ValueError) as exc:
            raise rq.HTTPError(400, 'malformed %s request: %s' % (op, exc))
        except db.DatabaseNotFound:
            return webob.Response(status=404)
        raise rq.HTTPError(400, 'unknown op %r' % op)

    def _sync(self, broker, body, db_hash):
        info = body['info']
        if not broker.exists():
            from objectstore.ring import utils as ring_utils
            if ring_utils.hash_path(info['account'], info.get('container')) != db_hash:
                raise rq.HTTPError(400, 'info names do not hash to %s' % db_hash)
            broker.account, broker.container = info['account'], info.get('container')
            broker.initialize(info['put_timestamp'], info['created_at'])
        broker.merge_info(info)
        mine = broker.replication_info()
        mine['sync_point'] = broker.get_sync(info['id'])
        return webob.Response(status=200, content_type='application/json',
                              body=json.dumps(mine).encode('utf-8'))

    def device_dir(self, device):
        return os.path.join(self.devices, device)
