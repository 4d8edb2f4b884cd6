"""The image-api daemon behind the real identity: found through the catalog, tokens
validated offline, revocations pushed over RabbitMQ and caught up with the service user's
credentials after a restart."""
import time

import requests
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

DEADLINE = 5.0


def _status(daemon, token):
    return requests.get(daemon.url + '/v2/images', headers={'X-Auth-Token': token},
                        timeout=10).status_code


def _revoke(identity, token):
    status, _, body = identity.request('DELETE', '/v3/auth/tokens', token=token,
                                       headers={'X-Subject-Token': token})
    assert status == 204, body


def _wait_refused(daemon, token):
    start = time.monotonic()
    while _status(daemon, token) != 401:
        assert time.monotonic() - start < DEADLINE, \
            'token still accepted %.1fs after revocation' % DEADLINE
        time.sleep(0.05)
    return time.monotonic() - start


def test_catalog_finds_the_daemon(image_daemon, identity):
    env = identity.os_env('demo')
    auth = v3.Password(auth_url=env['OS_AUTH_URL'], username='demo',
                       password=env['OS_PASSWORD'], project_name='demo',
                       user_domain_name='Default', project_domain_name='Default')
    sess = ks_session.Session(auth=auth)
    assert sess.get_endpoint(service_type='image', interface='public') == image_daemon.url
    resp = sess.get('/v2/images', endpoint_filter={'service_type': 'image'})
    assert resp.status_code == 200 and resp.json()['images'] == []


def test_revocation_pushed_and_caught_up(image_daemon, identity, image_auth):
    # Pushed: refused within the deadline (polling alone would take 30 s).
    token = image_auth.token('p-alice', fresh=True)
    assert _status(image_daemon, token) == 200
    _revoke(identity, token)
    _wait_refused(image_daemon, token)
    # Caught up: a token revoked while the daemon is down is refused from the first
    # request after the restart (events fetched with the service user's credentials).
    token = image_auth.token('p-alice', fresh=True)
    assert _status(image_daemon, token) == 200
    image_daemon.stop()
    _revoke(identity, token)
    image_daemon.start()
    assert _status(image_daemon, token) == 401
    other = image_auth.token('p-alice', fresh=True)
    assert _status(image_daemon, other) == 200
    log = image_daemon.logtext()
    assert 'cannot fetch revocation events' not in log, log[-2000:]
    assert 'revocation push unavailable' not in log, log[-2000:]
