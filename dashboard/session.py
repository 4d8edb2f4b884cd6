"""Dashboard sessions: a signed cookie holds only a random session id; everything else
(the user's token, catalog, CSRF token) stays on the server in a store.

The cookie is ``<id>.<HMAC-SHA256(key, id)>`` (HttpOnly, SameSite=Lax, Secure when
configured). A session unused for ``idle_timeout`` seconds is gone. Stores: ``memory://``
(one process) or ``redis://`` (several dashboard processes share it).
"""
import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time

COOKIE_NAME = 'csdash_session'


class SessionError(Exception):
    pass


def load_secret_key(conf):
    """The cookie signing key: ``[dashboard] secret_key`` or the key file (made once)."""
    if conf.dashboard.secret_key:
        return conf.dashboard.secret_key.encode()
    path = conf.dashboard.secret_key_file or os.path.join(conf.state_path,
                                                          'dashboard-secret.key')
    try:
        with open(path, 'rb') as f:
            key = f.read().strip()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    key = secrets.token_hex(32).encode()
    fd = os.open(path + '.tmp', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'wb') as f:
        f.write(key)
    os.replace(path + '.tmp', path)
    return key


class CookieSigner:
    def __init__(self, key):
        if len(key) < 16:
            raise SessionError('the session signing key is too short')
        self.key = key

    def _mac(self, sid):
        digest = hmac.new(self.key, sid.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b'=').decode()

    def sign(self, sid):
        return '%s.%s' % (sid, self._mac(sid))

    def unsign(self, value):
        """The session id of a cookie value, or None when it is not one we signed."""
        if not value or len(value) > 200 or '.' not in value:
            return None
        sid, mac = value.rsplit('.', 1)
        if not sid or not hmac.compare_digest(mac, self._mac(sid)):
            return None
        return sid


class MemoryStore:
    """Sessions in this process's memory; expired ones are swept as new ones are made."""

    def __init__(self, idle_timeout, clock=time.monotonic):
        self.idle_timeout = idle_timeout
        self.clock = clock
        self._data = {}
        self._lock = threading.Lock()

    def get(self, sid):
        with self._lock:
            item = self._data.get(sid)
            if item is None:
                return None
            data, last = item
            now = self.clock()
            if now - last > self.idle_timeout:
                del self._data[sid]
                return None
            self._data[sid] = (data, now)
            return json.loads(data)

    def put(self, sid, data):
        with self._lock:
            self._data[sid] = (json.dumps(data), self.clock())
            if len(self._data) % 64 == 0:
                self._sweep()

    def touch(self, sid):
        with self._lock:
            if sid in self._data:
                self._data[sid] = (self._data[sid][0], self.clock())

    def delete(self, sid):
        with self._lock:
            self._data.pop(sid, None)

    def _sweep(self):
        now = self.clock()
        for sid in [s for s, (_, last) in self._data.items()
                    if now - last > self.idle_timeout]:
            del self._data[sid]

    def __len__(self):
        return len(self._data)


class RedisStore:
    """Sessions in Redis under ``csdash:<id>``, each expiring after the idle timeout."""

    PREFIX = 'csdash:'

    def __init__(self, url, idle_timeout):
        import redis
        self.idle_timeout = idle_timeout
        self.client = redis.Redis.from_url(url)

    def get(self, sid):
        raw = self.client.get(self.PREFIX + sid)
        if raw is None:
            return None
        self.client.expire(self.PREFIX + sid, self.idle_timeout)
        return json.loads(raw)

    def put(self, sid, data):
        self.client.set(self.PREFIX + sid, json.dumps(data), ex=self.idle_timeout)

    def touch(self, sid):
        self.client.expire(self.PREFIX + sid, self.idle_timeout)

    def delete(self, sid):
        self.client.delete(self.PREFIX + sid)


def make_store(url, idle_timeout):
    if url in ('memory', 'memory://'):
        return MemoryStore(idle_timeout)
    if url.startswith(('redis://', 'rediss://', 'unix://')):
        return RedisStore(url, idle_timeout)
    raise SessionError('[dashboard] session_store must be memory:// or a redis:// URL, '
                       'not %r' % url)


class Session(dict):
    """The server-side data of one browser session."""

    def __init__(self, sid, data, new=False):
        super().__init__(data)
        self.sid = sid
        self.new = new
        self.modified = new

    @property
    def user(self):
        return self.get('user')

    @property
    def csrf_token(self):
        return self['csrf']

    def set(self, key, value):
        self[key] = value
        self.modified = True

    def flash(self, level, message, request_id=None):
        self.setdefault('flash', []).append([level, message, request_id])
        self.modified = True

    def pop_flash(self):
        messages = self.pop('flash', [])
        if messages:
            self.modified = True
        return messages


class SessionManager:
    def __init__(self, store, signer, secure=False):
        self.store = store
        self.signer = signer
        self.secure = secure

    def load(self, req):
        """The request's session, or a new anonymous one (not stored until modified)."""
        sid = self.signer.unsign(req.cookies.get(COOKIE_NAME))
        if sid:
            data = self.store.get(sid)
            if data is not None:
                return Session(sid, data)
        return self.new()

    def new(self, data=None):
        data = dict(data or {})
        data['csrf'] = secrets.token_urlsafe(32)
        return Session(secrets.token_urlsafe(32), data, new=True)

    def save(self, session, resp):
        if session.modified:
            self.store.put(session.sid, dict(session))
        else:
            self.store.touch(session.sid)
        if session.new or session.modified:
            resp.set_cookie(COOKIE_NAME, self.signer.sign(session.sid), httponly=True,
                            samesite='lax', secure=self.secure, path='/')

    def destroy(self, session, resp):
        self.store.delete(session.sid)
        resp.delete_cookie(COOKIE_NAME, path='/')

    def check_csrf(self, session, req):
        """True when the request carries this session's CSRF token (form field
        ``csrf_token`` or header ``X-CSRF-Token``)."""
        sent = req.headers.get('X-CSRF-Token')
        if sent is None and req.content_type in ('application/x-www-form-urlencoded',
                                                 'multipart/form-data'):
            sent = req.POST.get('csrf_token')
        expected = session.get('csrf')
        return bool(sent and expected and not session.new
                    and hmac.compare_digest(sent.encode(), expected.encode()))
