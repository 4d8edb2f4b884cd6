"""identity-api's life cycle: SIGTERM stops it cleanly even with a keep-alive client, SIGHUP
reloads its configuration, and a malformed configuration is refused on reload."""
import datetime
import http.client
import re
import signal
import time

import pytest

pytestmark = pytest.mark.timeout(90)

# An idle keep-alive connection is closed after the server's 5 s keep-alive idle time.
STOP_WITHIN = 8.0


def _lifetime(server):
    """Seconds between issued_at and expires_at of a new admin token."""
    status, _, body = server.request('POST', '/v3/auth/tokens', {'auth': {'identity': {
        'methods': ['password'], 'password': {'user': {
            'name': 'admin', 'domain': {'name': 'Default'},
            'password': server.admin_password}}}}})
    assert status == 201
    parse = lambda text: datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))  # noqa
    token = body['token']
    return round((parse(token['expires_at']) - parse(token['issued_at'])).total_seconds())


def _set_option(path, section, key, value):
    with open(path) as handle:
        text = handle.read()
    pattern = r'(\[%s\][^\[]*?)^%s = .*$' % (re.escape(section), re.escape(key))
    new, count = re.subn(pattern, r'\g<1>%s = %s' % (key, value), text, flags=re.M | re.S)
    assert count == 1
    with open(path, 'w') as handle:
        handle.write(new)


def _wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_sigterm_exits_zero_with_keepalive_client(fresh_identity):
    proc = fresh_identity.daemon.proc
    conn = http.client.HTTPConnection('127.0.0.1', fresh_identity.port, timeout=10)
    try:
        for _ in range(2):  # the same connection is kept open between requests
            conn.request('GET', '/v3', headers={'Connection': 'keep-alive'})
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200 and not resp.will_close
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert _wait_for(lambda: proc.poll() is not None, STOP_WITHIN), \
            'identity-api still running %.0fs after SIGTERM' % STOP_WITHIN
        assert proc.returncode == 0
        assert time.monotonic() - started <= STOP_WITHIN
    finally:
        conn.close()


def test_sigterm_closes_a_busy_keepalive_connection(fresh_identity):
    proc = fresh_identity.daemon.proc
    conn = http.client.HTTPConnection('127.0.0.1', fresh_identity.port, timeout=10)
    served_after = 0
    try:
        conn.request('GET', '/v3')
        conn.getresponse().read()
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        while proc.poll() is None and time.monotonic() - started < STOP_WITHIN + 2:
            time.sleep(0.5)
            try:
                conn.request('GET', '/v3')
                resp = conn.getresponse()
                resp.read()
            except (OSError, http.client.HTTPException):
                break
            served_after += 1
            if resp.will_close:
                break
        assert _wait_for(lambda: proc.poll() is not None, STOP_WITHIN)
        assert proc.returncode == 0 and served_after <= 1
    finally:
        conn.close()


def test_sighup_reloads_config_and_refuses_a_malformed_one(fresh_identity):
    server = fresh_identity
    proc = server.daemon.proc
    assert _lifetime(server) == 3600

    _set_option(server.config_file, 'identity', 'token_expiration', '600')
    proc.send_signal(signal.SIGHUP)
    assert _wait_for(lambda: _lifetime(server) == 600, 10), 'reload did not apply'

    with open(server.config_file) as handle:
        good = handle.read()
    _set_option(server.config_file, 'identity', 'token_expiration', 'soon')
    proc.send_signal(signal.SIGHUP)
    assert _wait_for(lambda: 'reload refused' in server.daemon.log(), 10)
    assert proc.poll() is None
    assert _lifetime(server) == 600
    with open(server.config_file, 'a') as handle:
        handle.write('[identity]\nno_such_option = 1\n')
    proc.send_signal(signal.SIGHUP)
    assert _wait_for(lambda: server.daemon.log().count('reload refused') >= 2, 10)
    assert proc.poll() is None and _lifetime(server) == 600

    # A good file again is taken on the next reload; the daemon still stops cleanly.
    with open(server.config_file, 'w') as handle:
        handle.write(good.replace('token_expiration = 600', 'token_expiration = 900'))
    proc.send_signal(signal.SIGHUP)
    assert _wait_for(lambda: _lifetime(server) == 900, 10)
    assert server.daemon.stop() == 0
