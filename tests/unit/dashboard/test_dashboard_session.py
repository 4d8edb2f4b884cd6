"""Session cookies, stores and the CSRF check of the dashboard."""
import webob

from dashboard import session as session_mod


def manager(clock=None, timeout=60):
    store = session_mod.MemoryStore(timeout, clock=clock) if clock else \
        session_mod.MemoryStore(timeout)
    return session_mod.SessionManager(store, session_mod.CookieSigner(b'k' * 32))


def test_cookie_signature_round_trip_and_tampering():
    signer = session_mod.CookieSigner(b'x' * 32)
    value = signer.sign('abc')
    assert signer.unsign(value) == 'abc'
    assert signer.unsign('abd' + value[3:]) is None
    assert signer.unsign(value[:-1] + ('A' if value[-1] != 'A' else 'B')) is None
    assert signer.unsign(session_mod.CookieSigner(b'y' * 32).sign('abc')) is None
    assert signer.unsign('') is None and signer.unsign('nodot') is None
    assert signer.unsign('a' * 300 + '.x') is None


def test_saved_session_comes_back_with_its_cookie_only():
    mgr = manager()
    # A token no random session id or signature can contain by chance.
    token = 'gAAAAA-the-users-token-' + 'x' * 40
    sess = mgr.new({'token': token})
    resp = webob.Response()
    mgr.save(sess, resp)
    cookie = resp.headers['Set-Cookie']
    assert 'HttpOnly' in cookie and 'samesite=lax' in cookie.lower()
    assert 'the-users-token' not in cookie   # the token never leaves the server
    value = cookie.split(';')[0].split('=', 1)[1]
    req = webob.Request.blank('/', cookies={session_mod.COOKIE_NAME: value})
    assert mgr.load(req)['token'] == token
    forged = webob.Request.blank('/', cookies={session_mod.COOKIE_NAME: sess.sid + '.bad'})
    loaded = mgr.load(forged)
    assert loaded.new and 'token' not in loaded


def test_idle_session_expires():
    now = [1000.0]
    mgr = manager(clock=lambda: now[0], timeout=60)
    sess = mgr.new({'token': 't'})
    mgr.store.put(sess.sid, dict(sess))
    now[0] += 59
    assert mgr.store.get(sess.sid)['token'] == 't'
    now[0] += 59                          # used 59 s ago: still alive
    assert mgr.store.get(sess.sid) is not None
    now[0] += 61
    assert mgr.store.get(sess.sid) is None
    assert len(mgr.store) == 0


def test_secure_cookie_when_configured():
    mgr = manager()
    mgr.secure = True
    resp = webob.Response()
    mgr.save(mgr.new(), resp)
    assert 'secure' in resp.headers['Set-Cookie'].lower()


def _post(sess, **kw):
    req = webob.Request.blank('/x', method='POST', POST=kw.pop('form', None), **kw)
    return req


def test_csrf_check():
    mgr = manager()
    sess = mgr.new()
    sess.new = False                      # as loaded from the store
    token = sess.csrf_token
    assert mgr.check_csrf(sess, _post(sess, form={'csrf_token': token}))
    assert not mgr.check_csrf(sess, _post(sess, form={'csrf_token': token + 'x'}))
    assert not mgr.check_csrf(sess, _post(sess, form={'other': '1'}))
    assert mgr.check_csrf(sess, _post(sess, headers={'X-CSRF-Token': token}))
    other = mgr.new()
    other.new = False
    assert not mgr.check_csrf(other, _post(other, form={'csrf_token': token}))
    # A session the request did not bring (no cookie) is never good enough.
    fresh = mgr.new()
    assert not mgr.check_csrf(fresh, _post(fresh, form={'csrf_token': fresh.csrf_token}))


def test_store_urls():
    assert isinstance(session_mod.make_store('memory://', 10), session_mod.MemoryStore)
    try:
        session_mod.make_store('file:///tmp/x', 10)
    except session_mod.SessionError as exc:
        assert 'redis' in str(exc)
    else:
        raise AssertionError('a bad store URL was accepted')


def test_secret_key_file_is_made_private_and_reused(tmp_path):
    from dashboard.conf import CONF
    import os
    CONF.set_override('secret_key_file', str(tmp_path / 'k'), 'dashboard')
    try:
        first = session_mod.load_secret_key(CONF)
        assert oct(os.stat(tmp_path / 'k').st_mode & 0o777) == '0o600'
        assert session_mod.load_secret_key(CONF) == first and len(first) >= 32
    finally:
        CONF.clear_override('secret_key_file', 'dashboard')
