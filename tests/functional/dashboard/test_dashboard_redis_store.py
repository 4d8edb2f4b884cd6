"""The Redis session store on the machine's Redis (tools/services.sh starts it): sessions
round-trip, the idle timeout is Redis's expiry, delete forgets them, and two dashboard
processes' managers sharing the store see one session."""
import os
import time
import uuid

import pytest

from dashboard import session as session_mod

URL = os.environ.get('DASHBOARD_TEST_REDIS', 'redis://127.0.0.1:6379/15')


@pytest.fixture
def store():
    redis = pytest.importorskip('redis')
    s = session_mod.make_store(URL, 2)
    try:
        s.client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip('no Redis at %s' % URL)
    yield s


def test_redis_store_round_trip_expiry_and_delete(store):
    sid = 'test-' + uuid.uuid4().hex
    store.put(sid, {'token': 't', 'roles': ['member']})
    assert store.get(sid) == {'token': 't', 'roles': ['member']}
    assert 0 < store.client.ttl(store.PREFIX + sid) <= 2
    time.sleep(1.2)
    assert store.get(sid) is not None           # used: the idle clock starts again
    time.sleep(2.3)
    assert store.get(sid) is None
    store.put(sid, {'x': 1})
    store.delete(sid)
    assert store.get(sid) is None


def test_two_managers_share_sessions(store):
    import webob
    signer = session_mod.CookieSigner(b's' * 32)
    first = session_mod.SessionManager(store, signer)
    second = session_mod.SessionManager(session_mod.make_store(URL, 2), signer)
    sess = first.new({'token': 'shared'})
    resp = webob.Response()
    first.save(sess, resp)
    value = resp.headers['Set-Cookie'].split(';')[0].split('=', 1)[1]
    req = webob.Request.blank('/', cookies={session_mod.COOKIE_NAME: value})
    assert second.load(req)['token'] == 'shared'
    store.delete(sess.sid)
