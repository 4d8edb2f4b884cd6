"""Container sync realms: the clusters a container may sync to, as the operator lists
them, and the signature a sync request carries.

The realms file (``[objectstore] container_sync_realms_file``, readable by the object
store only) has one section per realm::

    [realm1]
    key = <secret shared by the realm's clusters>
    key2 = <optional second key, while the first is being replaced>
    cluster_name1 = http://192.0.2.10:8080/v1/

A container syncs to ``//<realm>/<cluster>/<account>/<container>``: the sync daemon sends
its changes only to the endpoint the operator gave that cluster, never to a host a tenant
names.  Realm and cluster names are matched without regard to case.

A sync request carries ``X-Container-Sync-Auth: <realm> <nonce> <signature>``, the
signature an HMAC-SHA256 under the realm key of the method, path, X-Timestamp, nonce,
ETag (empty for DELETE) and the containers' shared X-Container-Sync-Key: only a cluster
of the realm that knows the destination container's sync key can write into it, and a
captured request cannot be replayed with another body (the object server checks the
body against the signed ETag).
"""
import configparser
import hashlib
import hmac
import logging
import os
import secrets
import urllib.parse

LOG = logging.getLogger(__name__)
CLUSTER_PREFIX = 'cluster_'


class RealmsError(ValueError):
    """The realms file is unreadable or malformed."""


def parse_sync_to(value):
    """(realm, cluster, account, container) of ``//realm/cluster/account/container``,
    or None when the value does not have that form."""
    if not value or not value.startswith('//'):
        return None
    parts = value[2:].split('/')
    if len(parts) != 4 or not all(parts) or any(c < ' ' for c in value):
        return None
    return tuple(parts)


class Realms:
    """The realms of a file (empty when no file is configured)."""

    def __init__(self, path=None):
        self.path = path
        self.realms = {}
        if path:
            self.load(path)

    def load(self, path):
        parser = configparser.ConfigParser(interpolation=None)
        try:
            with open(path) as handle:
                parser.read_file(handle)
        except (OSError, configparser.Error) as exc:
            raise RealmsError('container sync realms file %s: %s' % (path, exc))
        realms = {}
        for section in parser.sections():
            opts = parser[section]
            key = opts.get('key', '').strip()
            if not key:
                raise RealmsError('%s: realm %s has no key' % (path, section))
            clusters = {}
            for name, url in opts.items():
                if not name.startswith(CLUSTER_PREFIX):
                    continue
                url = url.strip()
                parsed = urllib.parse.urlsplit(url)
                if parsed.scheme not in ('http', 'https') or not parsed.hostname:
                    raise RealmsError('%s: %s of realm %s is not an http(s) URL'
                                      % (path, name, section))
                clusters[name[len(CLUSTER_PREFIX):].lower()] = url.rstrip('/') + '/'
            realms[section.lower()] = {'name': section, 'keys': [key] + (
                [opts['key2'].strip()] if opts.get('key2', '').strip() else []),
                'clusters': clusters}
        self.realms = realms

    def keys(self, realm):
        found = self.realms.get((realm or '').lower())
        return found['keys'] if found else []

    def endpoint(self, realm, cluster):
        """The operator's URL of ``cluster`` in ``realm`` (ends with /), or None."""
        found = self.realms.get((realm or '').lower())
        return found['clusters'].get((cluster or '').lower()) if found else None

    def as_info(self):
        """What /info says of the realms: names only, never keys or endpoints."""
        return {r['name'].upper(): {'clusters': {c.upper(): {} for c in r['clusters']}}
                for r in self.realms.values() if r['clusters']}


def signature(key, method, path, timestamp, nonce, etag, sync_key):
    message = '\n'.join((method, path, timestamp, nonce, etag or '', sync_key))
    return hmac.new(key.encode('utf-8'), message.encode('utf-8'), hashlib.sha256).hexdigest()


def auth_header(realm, key, method, path, timestamp, etag, sync_key):
    """The X-Container-Sync-Auth value of a request the sync daemon sends."""
    nonce = secrets.token_hex(16)
    return '%s %s %s' % (realm, nonce, signature(key, method, path, timestamp, nonce, etag,
                                                 sync_key))


def verify(realms, value, method, path, timestamp, etag, sync_key):
    """Whether an X-Container-Sync-Auth value is valid for this request."""
    parts = (value or '').split()
    if len(parts) != 3 or not sync_key:
        return False
    realm, nonce, sig = parts
    return any(hmac.compare_digest(signature(key, method, path, timestamp, nonce, etag,
                                             sync_key), sig)
               for key in realms.keys(realm))


def from_conf(conf):
    """The realms of ``[objectstore] container_sync_realms_file`` (None: no file)."""
    path = conf.objectstore.container_sync_realms_file
    if path and not os.path.isabs(path) and conf.config_files:
        path = os.path.join(os.path.dirname(conf.config_files[0]), path)
    return Realms(path or None)
