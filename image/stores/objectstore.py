"""A store keeping image data in the object store service, through its Swift API.

The image service authenticates as its own service user (a keystoneauth1 session with the
credentials in this store's section) and finds the object store in the catalog.  Data
smaller than ``swift_store_large_object_size`` of a known size goes up as one object;
anything else as segments of ``swift_store_large_object_chunk_size`` tied together by a
static (SLO) or dynamic (DLO) large-object manifest.  Everything is streamed: a segment is
sent with chunked transfer encoding while it is read from the client.
"""
import hashlib
import json
import logging
import urllib.parse
import uuid

from common import client
from common import config
from image.stores import base

LOG = logging.getLogger(__name__)
MiB = 1024 * 1024

OPTS = [
    config.StrOpt('swift_store_auth_address', default=None,
                  help='Identity URL of the service credentials (default: [keystone_authtoken] '
                       'auth_url or www_authenticate_uri).'),
    config.StrOpt('swift_store_user', default=None, help='Service user owning the image data.'),
    config.StrOpt('swift_store_key', default=None, secret=True,
                  help='Password of swift_store_user.'),
    config.StrOpt('swift_store_project_name', default='service',
                  help='Project of swift_store_user (its object store account holds the data).'),
    config.StrOpt('swift_store_user_domain_name', default='Default', help='Domain of the user.'),
    config.StrOpt('swift_store_project_domain_name', default='Default',
                  help='Domain of the project.'),
    config.StrOpt('swift_store_region', default=None, help='Catalog region of the object store.'),
    config.StrOpt('swift_store_service_type', default='object-store',
                  help='Catalog service type of the object store.'),
    config.StrOpt('swift_store_endpoint_type', default='public',
                  choices=['public', 'internal', 'admin', 'publicURL', 'internalURL', 'adminURL'],
                  help='Catalog interface used.'),
    config.StrOpt('swift_store_endpoint', default=None,
                  help='Account URL used instead of the catalog\'s (http://host:8080/v1/AUTH_x).'),
    config.StrOpt('swift_store_container', default='glance',
                  help='Container of the image objects (segments go to <name>_segments).'),
    config.BoolOpt('swift_store_create_container_on_put', default=True,
                   help='Create the containers when they are missing.'),
    config.IntOpt('swift_store_large_object_size', default=5120, min=1,
                  help='MiB above which (or when the size is unknown) data is segmented.'),
    config.IntOpt('swift_store_large_object_chunk_size', default=200, min=1,
                  help='MiB per segment of a segmented upload.'),
    config.StrOpt('swift_store_large_object_mode', default='slo', choices=['slo', 'dlo'],
                  help='Manifest kind of segmented uploads: static (slo) or dynamic (dlo).'),
    config.IntOpt('swift_store_timeout', default=60, min=1,
                  help='Seconds to wait for any one reply of the object store.'),
]


class _Source:
    """Hands out the incoming chunks a segment at a time, counting and hashing each segment."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._pending = None
        self.finished = False

    def _next(self):
        if self._pending is not None:
            data, self._pending = self._pending, None
            return data
        for data in self._chunks:
            if data:
                return data
        self.finished = True
        return None

    def at_end(self):
        if self._pending is None and not self.finished:
            self._pending = self._next()
        return self._pending is None

    def segment(self, limit, tally):
        """Yield up to ``limit`` bytes; ``tally`` gets 'size' and an md5 of what was yielded."""
        tally['size'], tally['md5'] = 0, hashlib.md5(usedforsecurity=False)
        while tally['size'] < limit:
            data = self._next()
            if data is None:
                return
            room = limit - tally['size']
            if len(data) > room:
                data, self._pending = data[:room], data[room:]
            tally['size'] += len(data)
            tally['md5'].update(data)
            yield data


class ObjectStore(base.Store):
    type_name = 'objectstore'

    def __init__(self, name, conf):
        super().__init__(name, conf)
        self._session = None
        self._endpoint = None

    # connection ------------------------------------------------------------
    @property
    def session(self):
        if self._session is None:
            opts = self.opts
            if not opts.swift_store_user or not opts.swift_store_key:
                raise base.StoreError('store %s: swift_store_user and swift_store_key are not '
                                      'configured' % self.name)
            # The store's own user, at identity's URL unless the store names another.
            self._session = client.service_session(
                self.conf, 'keystone_authtoken', timeout=opts.swift_store_timeout,
                auth_url=opts.swift_store_auth_address, username=opts.swift_store_user,
                password=opts.swift_store_key, project_name=opts.swift_store_project_name,
                user_domain_name=opts.swift_store_user_domain_name,
                project_domain_name=opts.swift_store_project_domain_name)
        return self._session

    @property
    def endpoint(self):
        if self._endpoint is None:
            if self.opts.swift_store_endpoint:
                self._endpoint = self.opts.swift_store_endpoint.rstrip('/')
            else:
                try:
                    url = self.session.get_endpoint(
                        service_type=self.opts.swift_store_service_type,
                        interface=self.opts.swift_store_endpoint_type.replace('URL', ''),
                        region_name=self.opts.swift_store_region)
                except Exception as exc:
                    raise base.StoreError('store %s: cannot find the object store: %s'
                                          % (self.name, exc))
                if not url:
                    raise base.StoreError('store %s: the catalog has no %s endpoint'
                                          % (self.name, self.opts.swift_store_service_type))
                self._endpoint = url.rstrip('/')
        return self._endpoint

    def _request(self, method, path, ok=(200, 201, 202, 204), query=None, **kwargs):
        url = '%s/%s' % (self.endpoint, urllib.parse.quote(path))
        if query:
            url += '?' + query
        from keystoneauth1 import exceptions as ks_exc
        import requests
        try:
            # log=False: request bodies are image data (or generators of it).
            resp = self.session.request(url, method, raise_exc=False, log=False, **kwargs)
        except (ks_exc.ClientException, requests.exceptions.RequestException) as exc:
            # Errors raised by the data iterator itself (client gone, quota) pass unchanged.
            raise base.StoreError('store %s: %s %s failed: %s' % (self.name, method, path, exc))
        if resp.status_code not in ok:
            if resp.status_code == 413:
                raise base.StorageFull('store %s: the object store refused the data as too '
                                       'large or over quota' % self.name)
            if resp.status_code == 404:
                raise base.DataNotFound('store %s: %s not found' % (self.name, path))
            raise base.StoreError('store %s: %s %s answered %s' % (self.name, method, path,
                                                                   resp.status_code))
        return resp

    @property
    def container(self):
        return self.opts.swift_store_container

    @property
    def segment_container(self):
        return self.container + '_segments'

    def _ensure_container(self, name):
        try:
            self._request('HEAD', name)
        except base.DataNotFound:
            if not self.opts.swift_store_create_container_on_put:
                raise base.StoreError('store %s: container %s does not exist'
                                      % (self.name, name))
            self._request('PUT', name)

    def configure(self):
        # Reaching the object store is checked lazily: it may start after the image API.
        if self.opts.swift_store_large_object_chunk_size > self.opts.swift_store_large_object_size:
            LOG.info('store %s: segments are larger than the large object threshold', self.name)

    # data ------------------------------------------------------------------
    def add(self, image_id, chunks, size_hint=None):
        self._ensure_container(self.container)
        source = _Source(chunks)
        threshold = self.opts.swift_store_large_object_size * MiB
        if size_hint is not None and size_hint <= threshold:
            tally = {}
            path = '%s/%s' % (self.container, image_id)
            try:
                resp = self._request('PUT', path, data=source.segment(size_hint + 1, tally),
                                     headers={'Content-Type': 'application/octet-stream'})
            except BaseException:
                self._delete_segments([path])
                raise
            self._check_etag(resp, tally, path)
            return self._url(image_id), {'kind': 'object'}
        return self._add_segmented(image_id, source)

    def _add_segmented(self, image_id, source):
        self._ensure_container(self.segment_container)
        prefix = '%s/%s/' % (image_id, uuid.uuid4().hex)
        seg_size = self.opts.swift_store_large_object_chunk_size * MiB
        written = []
        try:
            while True:
                tally = {}
                name = '%s%05d' % (prefix, len(written) + 1)
                path = '%s/%s' % (self.segment_container, name)
                resp = self._request('PUT', path, data=source.segment(seg_size, tally),
                                     headers={'Content-Type': 'application/octet-stream'})
                written.append({'path': '/' + path, 'etag': tally['md5'].hexdigest(),
                                'size_bytes': tally['size']})
                self._check_etag(resp, tally, path)
                if source.at_end():
                    break
            obj = '%s/%s' % (self.container, image_id)
            if self.opts.swift_store_large_object_mode == 'slo':
                self._request('PUT', obj, query='multipart-manifest=put',
                              data=json.dumps(written).encode(),
                              headers={'Content-Type': 'application/json'})
            else:
                self._request('PUT', obj, data=b'', headers={
                    'X-Object-Manifest': '%s/%s' % (self.segment_container, prefix),
                    'Content-Type': 'application/octet-stream'})
        except BaseException:
            self._delete_segments([w['path'].lstrip('/') for w in written])
            raise
        meta = {'kind': self.opts.swift_store_large_object_mode,
                'segments': '%s/%s' % (self.segment_container, prefix)}
        return self._url(image_id), meta

    def _check_etag(self, resp, tally, path):
        etag = resp.headers.get('Etag', '').strip('"')
        if etag and etag != tally['md5'].hexdigest():
            self._delete_segments([path])
            raise base.StoreError('store %s: %s arrived corrupted (etag mismatch)'
                                  % (self.name, path))

    def _url(self, image_id):
        return 'objectstore://%s/%s/%s' % (self.name, self.container, image_id)

    def _object_path(self, url):
        prefix = 'objectstore://%s/' % self.name
        if not url.startswith(prefix):
            raise base.DataNotFound('location %s is not in store %s' % (url, self.name))
        return url[len(prefix):]

    def get(self, url, metadata, offset=0, length=None, chunk_size=65536):
        headers = {}
        if offset or length is not None:
            end = '' if length is None else str(offset + length - 1)
            headers['Range'] = 'bytes=%d-%s' % (offset, end)
        resp = self._request('GET', self._object_path(url), ok=(200, 206), headers=headers,
                             stream=True)
        if headers and resp.status_code == 200:
            resp.close()
            raise base.StoreError('store %s: the object store ignored a range request'
                                  % self.name)
        return _stream(resp, chunk_size)

    def delete(self, url, metadata):
        path = self._object_path(url)
        kind = (metadata or {}).get('kind', 'object')
        try:
            if kind == 'slo':
                self._request('DELETE', path, query='multipart-manifest=delete')
                return
            self._request('DELETE', path)
        except base.DataNotFound:
            pass
        if kind == 'dlo' and metadata.get('segments'):
            container, prefix = metadata['segments'].split('/', 1)
            self._delete_segments(['%s/%s' % (container, n) for n in self._list(container, prefix)])

    def _list(self, container, prefix):
        names, marker = [], ''
        while True:
            query = urllib.parse.urlencode({'format': 'json', 'prefix': prefix, 'marker': marker})
            try:
                page = self._request('GET', container, query=query).json()
            except base.DataNotFound:
                return names
            if not page:
                return names
            names += [item['name'] for item in page]
            marker = page[-1]['name']

    def _delete_segments(self, paths):
        for path in paths:
            try:
                self._request('DELETE', path)
            except base.DataNotFound:
                pass
            except base.StoreError as exc:
                LOG.warning('store %s: cannot remove segment %s: %s', self.name, path, exc)

    def cleanup_partial(self, image_id):
        """Segments of an upload a crash interrupted, and an object or manifest a crash
        kept from being recorded: the image has no location in this store, so nothing of
        it here is in use (a new upload writes segments under a new prefix, so leaving
        them would leak them)."""
        self._delete_segments(['%s/%s' % (self.container, image_id)])
        segs = self._list(self.segment_container, image_id + '/')
        self._delete_segments(['%s/%s' % (self.segment_container, n) for n in segs])


def _stream(resp, chunk_size):
    try:
        for data in resp.iter_content(chunk_size):
            yield data
    finally:
        resp.close()
