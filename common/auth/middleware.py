"""Auth middleware for every service but identity: tokens verified offline.

The middleware holds identity's public signing keys (fetched from ``/v3/auth/keys``,
refreshed when a token names an unknown key) and the revocation events (pushed by
identity over an AMQP fanout, caught up from ``/v3/OS-REVOKE/events`` at start and
periodically).  A request's token is checked without any call to identity.
"""
import collections
import hashlib
import logging
import threading
import time

from common import config
from common.auth import headers as auth_headers
from common.auth import revocation
from common.auth import tokens
from common.wsgi import faults

LOG = logging.getLogger(__name__)

GROUP = 'keystone_authtoken'
OPTS = [
    config.StrOpt('www_authenticate_uri', default='http://127.0.0.1:5000',
                  help='Public URL of identity, sent to clients in WWW-Authenticate and used '
                       'to fetch signing keys and revocation events.'),
    config.StrOpt('auth_url', default=None,
                  help='Identity URL for this service\'s own credentials (default: '
                       'www_authenticate_uri).'),
    config.StrOpt('username', default=None, help='Service user for reading revocation events.'),
    config.StrOpt('password', default=None, secret=True, help='Password of the service user.'),
    config.StrOpt('project_name', default='service', help='Project of the service user.'),
    config.StrOpt('user_domain_name', default='Default', help='Domain of the service user.'),
    config.StrOpt('project_domain_name', default='Default',
                  help='Domain of the service user\'s project.'),
    config.IntOpt('keys_min_refresh_interval', default=5, min=0,
                  help='Least seconds between two fetches of the signing keys.'),
    config.IntOpt('revocation_poll_interval', default=30, min=1,
                  help='Seconds between catch-up fetches of revocation events (pushes arrive '
                       'at once; polling covers a lost broker connection).'),
    config.BoolOpt('revocation_push', default=True,
                   help='Subscribe to revocation events pushed over the message broker.'),
    config.BoolOpt('delay_auth_decision', default=False,
                   help='Pass requests without a valid token on (X-Identity-Status: Invalid) so '
                        'the app can decide (object store ACLs, temporary URLs).'),
    config.IntOpt('token_cache_size', default=10000, min=0,
                  help='Verified tokens remembered (by digest) so a repeated token skips the '
                       'signature check; expiry, revocation and the signing key are still '
                       'checked on every request. 0 turns the cache off.'),
    config.StrOpt('fault_style', default='keystone',
                  help='Fault body style of 401 answers.',
                  choices=['keystone', 'nova', 'neutron', 'html', 'plain']),
]

REVOCATION_EXCHANGE = 'identity_revocations'


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)


class RemoteKeySource:
    """Identity's public keys, fetched over HTTP and cached."""

    def __init__(self, identity_url, min_refresh=5, http=None):
        self.url = identity_url.rstrip('/') + '/v3/auth/keys'
        self.min_refresh = min_refresh
        self._keys = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()
        self._http = http

    def _get(self):
        import requests
        http = self._http or requests
        resp = http.get(self.url, timeout=10)
        resp.raise_for_status()
        return resp.json()

    def refresh(self, force=False):
        """Refetch the keys; refetches for unknown key ids (not forced) happen at most once
        per ``min_refresh`` seconds, counted from the last of them, so the first fetch
        never delays accepting a key identity has just rotated in."""
        with self._lock:
            if not force and time.monotonic() - self._fetched_at < self.min_refresh \
                    and self._keys:
                return False
            if not force:
                self._fetched_at = time.monotonic()
            try:
                jwks = self._get()
                keys = {}
                for jwk in jwks.get('keys', []):
                    keys[jwk['kid']] = tokens.jwk_to_public_key(jwk)
            except Exception as exc:
                LOG.warning('cannot fetch signing keys from %s: %s', self.url, exc)
                return False
            self._keys = keys
            return True

    def keys(self):
        if not self._keys:
            self.refresh(force=True)
        return self._keys


class StaticKeySource:
    """Keys handed in directly (tests, or a service sharing identity's key directory)."""

    def __init__(self, keys=None, repository=None):
        self._keys = keys or {}
        self.repository = repository

    def keys(self):
        return self.repository.public_keys() if self.repository else self._keys

    def refresh(self, force=False):
        return False


class RevocationTracker:
    """Keeps a RevocationList current: pushed events plus periodic catch-up fetches."""

    def __init__(self, conf=None, transport=None, fetcher=None):
        self.list = revocation.RevocationList()
        self.conf = conf
        self.transport = transport
        self.fetcher = fetcher
        self._subscriber = None
        self._poller = None
        self._stop = threading.Event()

    def start(self):
        if self.transport is not None:
            from common import rpc
            try:
                self._subscriber = rpc.FanoutSubscriber(self.transport, REVOCATION_EXCHANGE,
                                                        self._on_push)
                self._subscriber.start()
            except Exception as exc:
                LOG.warning('revocation push unavailable (%s); polling only', exc)
        if self.fetcher is not None:
            self.catch_up()
            interval = self.conf.revocation_poll_interval if self.conf else 30
            self._poller = threading.Thread(target=self._poll, args=(interval,), daemon=True)
            self._poller.start()

    def _on_push(self, message):
        for event in message.get('events', []):
            self.list.add(event)

    def catch_up(self):
        try:
            self.list.extend(self.fetcher(self.list.last_id))
        except Exception as exc:
            LOG.warning('cannot fetch revocation events: %s', exc)

    def _poll(self, interval):
        while not self._stop.wait(interval):
            self.catch_up()
            self.list.prune(time.time() - 7 * 86400)

    def stop(self):
        self._stop.set()
        if self._subscriber is not None:
            self._subscriber.stop()


def make_event_fetcher(conf):
    """A function fetching events newer than an id with the service user's credentials."""
    group = getattr(conf, GROUP)
    if not group.username or not group.password:
        return None
    from common import client
    sess = client.service_session(conf, GROUP)
    url = group.www_authenticate_uri.rstrip('/') + '/v3/OS-REVOKE/events'

    def fetch(since_id):
        resp = sess.get(url, params={'since_id': since_id}, timeout=10, raise_exc=True)
        return resp.json().get('events', [])
    return fetch


class Verified:
    """A token whose signature was verified: its claims, key id and (made once) the
    environ entries describing it to the app."""
    __slots__ = ('claims', 'kid', '_environ')

    def __init__(self, claims, kid):
        self.claims, self.kid, self._environ = claims, kid, None

    @property
    def environ(self):
        if self._environ is None:
            self._environ = auth_headers.identity_environ(self.claims)
        return self._environ


class VerifiedTokens:
    """A bounded LRU of tokens whose signature was verified: {digest: Verified}.

    Only the signature check is skipped on a hit; the caller still checks expiry, the key
    (a key identity withdrew invalidates its tokens) and revocation every time."""

    def __init__(self, size):
        self.size = size
        self._items = collections.OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def digest(token):
        return hashlib.sha256(token.encode('utf-8', 'surrogatepass')).digest()

    def get(self, digest):
        with self._lock:
            item = self._items.get(digest)
            if item is not None:
                self._items.move_to_end(digest)
            return item

    def put(self, digest, entry):
        if not self.size:
            return
        with self._lock:
            self._items[digest] = entry
            self._items.move_to_end(digest)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self):
        return len(self._items)


class AuthProtocol:
    """Validates X-Auth-Token (and X-Service-Token) offline and sets the identity headers."""

    def __init__(self, app, key_source, revocations, www_authenticate_uri,
                 delay_auth_decision=False, fault_style='keystone', cache_size=10000):
        self.app = app
        self.verified = VerifiedTokens(cache_size)
        self.key_source = key_source
        self.revocations = revocations
        self.www_authenticate_uri = www_authenticate_uri
        self.delay_auth_decision = delay_auth_decision
        self.fault_style = fault_style

    @classmethod
    def factory(cls, global_conf, **local_conf):
        """paste filter factory: ``conf`` (the service's ConfigOpts) comes in global_conf."""
        conf = config.from_paste(global_conf)

        def _filter(app):
            return cls.from_conf(app, conf, local_conf)
        return _filter

    @classmethod
    def from_conf(cls, app, conf, local_conf=None):
        local_conf = local_conf or {}
        group = getattr(conf, GROUP)
        key_source = RemoteKeySource(group.www_authenticate_uri, group.keys_min_refresh_interval)
        transport = None
        if group.revocation_push:
            from common import rpc
            transport = rpc.get_transport(conf.transport_url)
        tracker = RevocationTracker(group, transport, make_event_fetcher(conf))
        tracker.start()
        delay = local_conf.get('delay_auth_decision')
        delay = group.delay_auth_decision if delay is None else delay in ('true', 'True', True)
        protocol = cls(app, key_source, tracker.list, group.www_authenticate_uri, delay,
                       local_conf.get('fault_style', group.fault_style),
                       group.token_cache_size)
        protocol.tracker = tracker  # so its owner can stop the push subscriber and poller
        return protocol

    def verify(self, token):
        """The claims of a valid, unrevoked token; raise tokens.InvalidToken otherwise."""
        return self._verify(token).claims

    def _verify(self, token):
        """The ``Verified`` entry of a valid, unrevoked token (from the cache when its
        signature was checked before); raise tokens.InvalidToken otherwise."""
        digest = self.verified.digest(token) if isinstance(token, str) else None
        entry = self.verified.get(digest) if digest is not None else None
        if entry is not None:
            if entry.claims['exp'] <= time.time():
                raise tokens.ExpiredToken('token expired')
            if entry.kid not in self.key_source.keys():
                entry = None   # the key was withdrawn: verify again (and fail) below
        if entry is None:
            try:
                claims = tokens.decode(token, self.key_source.keys())
            except tokens.UnknownKey:
                # Identity may have rotated keys since we fetched them.
                if not self.key_source.refresh():
                    raise
                claims = tokens.decode(token, self.key_source.keys())
            entry = Verified(claims, tokens.header_kid(token))
            self.verified.put(digest, entry)
        if self.revocations is not None and self.revocations.is_revoked(entry.claims):
            raise tokens.InvalidToken('token has been revoked')
        return entry

    def _reject(self, reason):
        LOG.info('authentication failed: %s', reason)
        resp = faults.render(self.fault_style, 401, 'Unauthorized',
                             'The request you have made requires authentication.')
        resp.headers['WWW-Authenticate'] = 'Keystone uri="%s"' % self.www_authenticate_uri
        return resp

    def __call__(self, environ, start_response):
        """Plain WSGI: the hot path of every request of every service builds no webob
        objects (a rejection does)."""
        auth_headers.strip_identity(environ)
        token = environ.get('HTTP_X_AUTH_TOKEN') or environ.get('HTTP_X_STORAGE_TOKEN')
        if not token:
            return self._undecided(environ, start_response, 'no token')
        try:
            entry = self._verify(token)
        except tokens.InvalidToken as exc:
            return self._undecided(environ, start_response, str(exc))
        environ.update(entry.environ)
        service_token = environ.get('HTTP_X_SERVICE_TOKEN')
        if service_token:
            try:
                environ.update(auth_headers.service_environ(self.verify(service_token)))
            except tokens.InvalidToken as exc:
                return self._reject('service token: %s' % exc)(environ, start_response)
        return self.app(environ, start_response)

    def _undecided(self, environ, start_response, reason):
        """No valid token: 401, or the app decides (``delay_auth_decision``)."""
        if self.delay_auth_decision:
            environ['HTTP_X_IDENTITY_STATUS'] = 'Invalid'
            return self.app(environ, start_response)
        return self._reject(reason)(environ, start_response)
