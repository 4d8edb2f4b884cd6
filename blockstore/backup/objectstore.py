"""Where backups go: the object store interface the backup driver writes through, and its
implementation on the object store service's Swift API.

The interface is small on purpose (whole objects in and out, listing by prefix), so unit
tests use common.testing.fake_objectstore.FakeObjectStore and production uses
``SwiftObjectStore`` with a keystoneauth1 session (the backup service's own credentials
or the requesting user's token) that finds ``object-store`` in the catalog.
"""
import hashlib
import json
import urllib.parse

from common import client as client_mod


class ObjectStoreError(Exception):
    """The object store refused or failed a request."""


class ObjectNotFound(ObjectStoreError):
    pass


class ObjectStore:
    """What the backup driver needs of an object store."""

    def ensure_container(self, container):
        """Create ``container`` unless it exists."""
        raise NotImplementedError

    def put_object(self, container, name, data):
        """Store ``data`` (bytes) as ``name``; the store checks it arrived whole (MD5).
        Returns the object's MD5 (hex)."""
        raise NotImplementedError

    def get_object(self, container, name):
        """The object's bytes; ObjectNotFound when it is missing."""
        raise NotImplementedError

    def delete_object(self, container, name):
        """Remove ``name``; a missing object is fine."""
        raise NotImplementedError

    def list_objects(self, container, prefix=''):
        """Names in ``container`` starting with ``prefix``, sorted; [] without container."""
        raise NotImplementedError


class SwiftObjectStore(ObjectStore):
    """ObjectStore on a Swift v1 account (the object store service's proxy)."""

    def __init__(self, session, endpoint_override=None, region_name=None, interface='public',
                 timeout=300):
        self.client = client_mod.ServiceClient(session, 'object-store', interface=interface,
                                               region_name=region_name,
                                               endpoint_override=endpoint_override)
        self.timeout = timeout

    @staticmethod
    def _path(container, name=None):
        path = '/' + urllib.parse.quote(container, safe='')
        if name is not None:
            path += '/' + urllib.parse.quote(name, safe='/')
        return path

    def _request(self, method, path, **kwargs):
        try:
            return self.client.request(method, path, **kwargs)
        except client_mod.ClientError as exc:
            if exc.status == 404:
                raise ObjectNotFound('%s %s: not found' % (method, path)) from None
            raise ObjectStoreError('%s %s: %s' % (method, path, exc)) from None

    def ensure_container(self, container):
        try:
            self._request('HEAD', self._path(container))
        except ObjectNotFound:
            self._request('PUT', self._path(container))

    def put_object(self, container, name, data):
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        # With the ETag header the object server refuses (422) data that arrived changed.
        resp = self._request('PUT', self._path(container, name), data=data, headers={
            'Content-Type': 'application/octet-stream', 'ETag': md5})
        etag = resp.headers.get('Etag', '').strip('"')
        if etag and etag != md5:
            raise ObjectStoreError('PUT %s/%s: stored data differs from what was sent'
                                   % (container, name))
        return md5

    def get_object(self, container, name):
        return self._request('GET', self._path(container, name)).content

    def delete_object(self, container, name):
        try:
            self._request('DELETE', self._path(container, name))
        except ObjectNotFound:
            pass

    def list_objects(self, container, prefix=''):
        names, marker = [], ''
        while True:
            try:
                resp = self._request('GET', self._path(container), params={
                    'format': 'json', 'prefix': prefix, 'marker': marker})
            except ObjectNotFound:
                return names
            try:
                page = json.loads(resp.content or b'[]')
            except ValueError:
                raise ObjectStoreError('listing of %s is not JSON' % container) from None
            if not page:
                return names
            names += [item['name'] for item in page]
            marker = page[-1]['name']
