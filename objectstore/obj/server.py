"""Object server: stores object versions of its local devices (backend protocol)."""
import json
import logging
import math
import os
import re
import time
import uuid

import webob

from objectstore.ring import utils as ring_utils
from objectstore.storage import asyncpending
from objectstore.storage import diskfile
from objectstore.storage import request as rq
from objectstore.storage import timestamp
from objectstore.storage import updates
from objectstore.obj import http_range

LOG = logging.getLogger(__name__)
CHUNK = 65536
KEPT_HEADERS = ('content-disposition', 'content-encoding', 'x-static-large-object',
                'x-object-manifest', 'x-delete-at')
KEPT_PREFIXES = ('x-object-meta-', 'x-object-sysmeta-', 'x-object-transient-sysmeta-')
HASH_RE = re.compile(r'^[0-9a-f]{32}$')


def kept_metadata(headers):
    return {k.title(): v for k, v in headers.items()
            if k.lower() in KEPT_HEADERS or k.lower().startswith(KEPT_PREFIXES)}


class ObjectServer:
    def __init__(self, conf):
        self.conf = conf
        self.devices = conf.storage.devices
        self.conn_timeout = conf.storage.conn_timeout
        self.node_timeout = conf.storage.node_timeout
        self.max_size = conf.storage.max_object_size
        self.reclaim_age = conf.storage.reclaim_age
        self.disk_full_check = conf.storage.disk_full_check
        self.fsync_every = conf.storage.fsync_every_bytes

    def __call__(self, environ, start_response):
        return rq.wsgi_app(self.handle)(environ, start_response)

    def handle(self, req):
        handler = {'PUT': self.PUT, 'GET': self.GET, 'HEAD': self.GET, 'POST': self.POST,
                   'DELETE': self.DELETE, 'REPLICATE': self.REPLICATE,
                   'SYNC': self.SYNC}.get(req.method)
        if handler is None:
            raise rq.HTTPError(405, 'method %s not allowed' % req.method)
        try:
            return handler(req)
        except diskfile.DiskFileError as exc:
            LOG.error('unreadable object file: %s', exc)
            return webob.Response(status=404)

    # helpers -----------------------------------------------------------
    def _diskfile(self, req, write=False):
        device, part, account, container, obj = rq.split_path(req, 5, 5, rest_with_last=True)
        rq.check_device_part(device, part)
        rq.check_names(account=account, container=container, object=obj)
        rq.device_path(self.devices, device, write and self.disk_full_check)
        return diskfile.DiskFile(self.devices, device, part, account, container, obj), \
            (device, account, container, obj)

    @staticmethod
    def _delete_at(req, ts):
        if 'X-Delete-After' in req.headers:
            after = rq.req_int(req, 'X-Delete-After')
            req.headers['X-Delete-At'] = str(int(float(ts)) + after)
            del req.headers['X-Delete-After']
        delete_at = rq.req_int(req, 'X-Delete-At')
        if delete_at is not None and delete_at <= time.time():
            raise rq.HTTPError(400, 'X-Delete-At is in the past')

    @staticmethod
    def _expired(metadata):
        delete_at = metadata.get('X-Delete-At')
        try:
            return delete_at is not None and int(delete_at) <= time.time()
        except ValueError:
            return False

    def _check_newer(self, state, metadata, ts):
        if state != 'missing' and metadata.get('X-Timestamp', '') >= ts:
            raise rq.HTTPError(409, 'a version at least as new exists',
                               {'X-Backend-Timestamp': metadata['X-Timestamp']})

    def _container_update(self, req, op, names, metadata, ts):
        device, account, container, obj = names
        try:
            part, nodes = updates.hosts_from_headers(req.headers)
        except ValueError as exc:
            raise rq.HTTPError(400, str(exc))
        if not nodes:
            return
        headers = updates.container_update_headers(op, metadata, ts)
        failed = [n for n in nodes if not updates.send(
            n, part, op, account, container, obj, headers, self.conn_timeout, self.node_timeout)]
        if failed:
            # The updater finds the container's nodes in the ring again; it needs only the change.
            asyncpending.save(os.path.join(self.devices, device), op, account, container, obj,
                              headers)

    # object verbs ------------------------------------------------------
    def PUT(self, req):
        disk, names = self._diskfile(req, write=True)
        ts = rq.req_timestamp(req)
        self._delete_at(req, ts)
        length = rq.req_int(req, 'Content-Length')
        chunked = 'chunked' in req.headers.get('Transfer-Encoding', '').lower()
        if length is None and not chunked:
            raise rq.HTTPError(411, 'Content-Length or chunked Transfer-Encoding required')
        if length is not None and length > self.max_size:
            raise rq.HTTPError(413, 'object larger than %d bytes' % self.max_size)
        etag = req.headers.get('ETag', '').strip('"').lower() or None
        if etag is not None and not HASH_RE.match(etag):
            raise rq.HTTPError(400, 'ETag must be a 32-character hex MD5')
        state, old, _, _ = disk.open()
        self._check_newer(state, old, ts)
        writer = disk.writer(self.fsync_every)
        try:
            stream = req.environ['wsgi.input']
            remaining = length
            while remaining is None or remaining > 0:
                chunk = stream.read(CHUNK if remaining is None else min(CHUNK, remaining))
                if not chunk:
                    break
                writer.write(chunk)
                if remaining is not None:
                    remaining -= len(chunk)
                if writer.size > self.max_size:
                    raise rq.HTTPError(413, 'object larger than %d bytes' % self.max_size)
            if remaining:
                raise rq.HTTPError(499, 'client sent %d of %d bytes' % (writer.size, length))
            body_md5 = writer.md5.hexdigest()
            if etag is not None and etag != body_md5:
                raise rq.HTTPError(422, 'ETag %s does not match the body MD5 %s' % (etag, body_md5))
            metadata = {'name': disk.name, 'X-Timestamp': ts,
                        'Content-Type': req.headers.get('Content-Type') or
                        'application/octet-stream',
                        'Content-Length': writer.size, 'ETag': body_md5}
            metadata.update(kept_metadata(req.headers))
            writer.commit(metadata, '.data')
        finally:
            writer.close()
        self._container_update(req, 'PUT', names, metadata, ts)
        return webob.Response(status=201, headerlist=[('ETag', '"%s"' % body_md5)])

    def _headers(self, metadata, length):
        headers = {'Content-Type': metadata['Content-Type'], 'ETag': '"%s"' % metadata['ETag'],
                   'Content-Length': str(length), 'X-Timestamp': metadata['X-Timestamp'],
                   'X-Backend-Timestamp': metadata['X-Timestamp'],
                   'Last-Modified': timestamp.to_http_date(metadata['X-Timestamp']),
                   'Accept-Ranges': 'bytes'}
        for key, value in metadata.items():
            if key.lower() in KEPT_HEADERS or key.lower().startswith(KEPT_PREFIXES):
                headers[key] = str(value)
        return headers

    def GET(self, req):
        disk, _ = self._diskfile(req)
        state, metadata, path, body_len = disk.open()
        if state != 'present' or self._expired(metadata):
            headers = {}
            if metadata.get('X-Timestamp'):
                headers['X-Backend-Timestamp'] = metadata['X-Timestamp']
            return webob.Response(status=404, headerlist=list(headers.items()))
        headers = self._headers(metadata, body_len)
        last_modified = math.ceil(float(metadata['X-Timestamp']))
        status = http_range.check_conditions(req.headers, metadata['ETag'], last_modified)
        if status is not None:
            keep = {k: v for k, v in headers.items() if k != 'Content-Length'}
            return webob.Response(status=status, headerlist=list(keep.items()))
        ranges = http_range.parse_range(req.headers.get('Range'), body_len) \
            if 'Range' in req.headers else None
        if ranges == []:
            return webob.Response(status=416, headerlist=[
                ('Content-Range', 'bytes */%d' % body_len)] + [
                (k, v) for k, v in headers.items() if k != 'Content-Length'])
        handle = open(path, 'rb')
        if req.method == 'HEAD':
            handle.close()
            resp = webob.Response(status=200, headerlist=list(headers.items()))
            resp.app_iter = []
            resp.content_length = body_len
            return resp
        if ranges is None:
            return self._response(200, headers, _file_iter(handle, [(0, body_len)]))
        if len(ranges) == 1:
            start, end = ranges[0]
            headers['Content-Range'] = 'bytes %d-%d/%d' % (start, end - 1, body_len)
            headers['Content-Length'] = str(end - start)
            return self._response(206, headers, _file_iter(handle, ranges))
        boundary = uuid.uuid4().hex
        parts, length = [], 0
        for start, end in ranges:
            head = ('--%s\r\nContent-Type: %s\r\nContent-Range: bytes %d-%d/%d\r\n\r\n' % (
                boundary, metadata['Content-Type'], start, end - 1, body_len)).encode()
            parts.append((head, start, end))
            length += len(head) + (end - start) + 2
        tail = ('--%s--\r\n' % boundary).encode()
        length += len(tail)
        headers['Content-Type'] = 'multipart/byteranges; boundary=%s' % boundary
        headers['Content-Length'] = str(length)
        return self._response(206, headers, _multipart_iter(handle, parts, tail))

    @staticmethod
    def _response(status, headers, app_iter):
        resp = webob.Response(status=status, headerlist=list(headers.items()))
        resp.app_iter = app_iter
        # Setting app_iter drops Content-Length; clients need it to detect truncation.
        resp.content_length = int(headers['Content-Length'])
        return resp

    def POST(self, req):
        disk, _ = self._diskfile(req, write=True)
        ts = rq.req_timestamp(req)
        self._delete_at(req, ts)
        state, metadata, _, _ = disk.open()
        if state != 'present' or self._expired(metadata):
            return webob.Response(status=404, headerlist=[
                ('X-Backend-Timestamp', metadata['X-Timestamp'])] if metadata else [])
        newest = max(metadata['X-Timestamp'], metadata.get('X-Meta-Timestamp', ''))
        if newest >= ts:
            raise rq.HTTPError(409, 'a newer update exists', {'X-Backend-Timestamp': newest})
        meta = {'name': disk.name, 'X-Timestamp': ts}
        meta.update({k: v for k, v in kept_metadata(req.headers).items()
                     if diskfile.post_key(k)})
        disk.write_metadata_only(meta, '.meta')
        return webob.Response(status=202)

    def DELETE(self, req):
        disk, names = self._diskfile(req)
        ts = rq.req_timestamp(req)
        state, metadata, _, _ = disk.open()
        self._check_newer(state, metadata, ts)
        existed = state == 'present' and not self._expired(metadata)
        disk.write_metadata_only({'name': disk.name, 'X-Timestamp': ts}, '.ts')
        self._container_update(req, 'DELETE', names, metadata, ts)
        return webob.Response(status=204 if existed else 404,
                              headerlist=[('X-Backend-Timestamp', ts)])

    # replication -------------------------------------------------------
    def REPLICATE(self, req):
        """Suffix hashes of a partition, plus file lists of the suffixes asked for."""
        device, part = rq.split_path(req, 2, 2)
        rq.check_device_part(device, part)
        dev_path = rq.device_path(self.devices, device)
        wanted = []
        if req.content_length:
            try:
                body = json.loads(req.body)
                wanted = [str(s) for s in body.get('suffixes', [])]
            except (ValueError, AttributeError):
                raise rq.HTTPError(400, 'body must be JSON {"suffixes": [...]}')
            if any(not re.fullmatch(r'[0-9a-f]{3}', s) for s in wanted):
                raise rq.HTTPError(400, 'suffixes must be 3 hex digits')
        part_path = os.path.join(dev_path, 'objects', part)
        hashes = diskfile.get_hashes(part_path, self.reclaim_age, recalculate=wanted)
        files = {s: diskfile.list_suffix(part_path, s) for s in wanted}
        return webob.Response(status=200, content_type='application/json',
                              body=json.dumps({'hashes': hashes, 'files': files}).encode())

    def SYNC(self, req):
        """Receive one diskfile from a replicator: /<dev>/<part>/<suffix>/<hash>/<file>."""
        device, part, suffix, obj_hash, name = rq.split_path(req, 5, 5)
        rq.check_device_part(device, part)
        dev_path = rq.device_path(self.devices, device, self.disk_full_check)
        ts, _ = diskfile.split_name(name)
        if not HASH_RE.match(obj_hash) or suffix != obj_hash[-3:] or ts is None:
            raise rq.HTTPError(400, 'invalid suffix, hash or file name')
        length = rq.req_int(req, 'Content-Length')
        if length is None or length > self.max_size + 65536:
            raise rq.HTTPError(411, 'Content-Length required')
        hash_dir = os.path.join(dev_path, 'objects', part, suffix, obj_hash)
        if os.path.exists(os.path.join(hash_dir, name)):
            return webob.Response(status=200)
        tmp_dir = os.path.join(dev_path, 'tmp')
        os.makedirs(tmp_dir, exist_ok=True)
        tmp_path = os.path.join(tmp_dir, '.tmp-%s' % uuid.uuid4().hex)
        try:
            with open(tmp_path, 'wb') as handle:
                remaining = length
                while remaining > 0:
                    chunk = req.environ['wsgi.input'].read(min(CHUNK, remaining))
                    if not chunk:
                        raise rq.HTTPError(499, 'short body')
                    handle.write(chunk)
                    remaining -= len(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                metadata, _ = diskfile.read_metadata(tmp_path)
            except diskfile.DiskFileError as exc:
                raise rq.HTTPError(400, 'not a diskfile: %s' % exc)
            if metadata.get('X-Timestamp') != ts or not isinstance(metadata.get('name'), str):
                raise rq.HTTPError(400, 'file metadata does not match its name')
            acct, cont, obj = (metadata['name'].split('/', 3) + [None] * 4)[1:4]
            if ring_utils.hash_path(acct, cont, obj) != obj_hash:
                raise rq.HTTPError(400, 'object name does not hash to %s' % obj_hash)
            diskfile.publish(tmp_path, hash_dir, name)
            diskfile.invalidate_suffix(os.path.join(dev_path, 'objects', part), suffix)
        finally:
            if os.path.exists(tmp_path):
                os.unlink(tmp_path)
        return webob.Response(status=201)


def _file_iter(handle, ranges):
    try:
        for start, end in ranges:
            handle.seek(start)
            remaining = end - start
            while remaining > 0:
                chunk = handle.read(min(CHUNK, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk
    finally:
        handle.close()


def _multipart_iter(handle, parts, tail):
    try:
        for head, start, end in parts:
            yield head
            yield from _file_iter_open(handle, start, end)
            yield b'\r\n'
        yield tail
    finally:
        handle.close()


def _file_iter_open(handle, start, end):
    handle.seek(start)
    remaining = end - start
    while remaining > 0:
        chunk = handle.read(min(CHUNK, remaining))
        if not chunk:
            return
        remaining -= len(chunk)
        yield chunk


def app_factory(conf):
    return ObjectServer(conf)
