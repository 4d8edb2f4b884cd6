"""The dashboard app in-process: access, CSRF, escaping, error pages. The services are
replaced by a stub of the dashboard's Cloud (a test double, in this file only)."""
import re
import time

import pytest
import webob

from common import client
from dashboard import app as app_mod
from dashboard import cloud as cloud_mod
from dashboard import session as session_mod
from dashboard.conf import CONF

SERVERS = []


@pytest.fixture
def dash(tmp_path, monkeypatch):
    CONF.set_override('secret_key', 'unit-test-key-' + 'x' * 32, 'dashboard')
    CONF.set_override('state_path', str(tmp_path))
    calls = []
    answers = {}

    def fake_json(self, name, method, path, body=None, params=None, headers=None):
        calls.append((name, method, path, body))
        answer = answers.get((name, method, path))
        if isinstance(answer, Exception):
            raise answer
        return answer if answer is not None else {}

    monkeypatch.setattr(cloud_mod.Cloud, 'json', fake_json)
    app = app_mod.Dashboard(CONF)
    app.calls, app.answers = calls, answers
    yield app
    CONF.clear_override('secret_key', 'dashboard')
    CONF.clear_override('state_path')


def login(app, roles=('member',), expires=None):
    sess = app.sessions.new({'token': 'tok', 'unscoped_token': 'u', 'roles': list(roles),
                             'user': {'id': 'uid', 'name': 'demo', 'domain': 'Default'},
                             'project_id': 'p1', 'project_name': 'demo',
                             'projects': [{'id': 'p1', 'name': 'demo'}],
                             'expires': expires or time.time() + 3600,
                             'catalog': {'compute': 'http://c', 'network': 'http://n',
                                         'image': 'http://i', 'identity': 'http://k/v3'}})
    app.sessions.store.put(sess.sid, dict(sess))
    return app.sessions.signer.sign(sess.sid), sess


def get(app, path, cookie=None, **kw):
    req = webob.Request.blank(path, **kw)
    if cookie:
        req.cookies[session_mod.COOKIE_NAME] = cookie
    return req.get_response(app)


def test_anonymous_is_sent_to_login(dash):
    resp = get(dash, '/project/servers')
    assert resp.status_int == 303
    assert '/auth/login?next=%2Fproject%2Fservers' in resp.location
    page = get(dash, '/auth/login')
    assert page.status_int == 200 and 'name="csrf_token"' in page.text
    assert page.headers['X-Frame-Options'] == 'DENY'
    assert "default-src 'self'" in page.headers['Content-Security-Policy']


def test_server_names_are_escaped(dash):
    cookie, _ = login(dash)
    dash.answers[('compute', 'GET', '/servers/detail')] = {'servers': [{
        'id': 'a1', 'name': '<script>alert(1)</script>', 'status': 'ACTIVE',
        'addresses': {'net"><b>': [{'addr': '10.0.0.3'}]}, 'flavor': {'id': 'f1'}}]}
    dash.answers[('compute', 'GET', '/flavors')] = {'flavors': [
        {'id': 'f1', 'name': '<img src=x onerror=alert(2)>'}]}
    resp = get(dash, '/project/servers', cookie)
    assert resp.status_int == 200
    assert '<script>alert(1)' not in resp.text and '<img src=x' not in resp.text
    assert '&lt;script&gt;alert(1)&lt;/script&gt;' in resp.text
    assert '&lt;img src=x onerror=alert(2)&gt;' in resp.text
    assert 'net&#34;&gt;&lt;b&gt;' in resp.text


def test_post_without_csrf_token_is_refused(dash):
    cookie, sess = login(dash)
    resp = get(dash, '/project/servers/a1/action', cookie, method='POST',
               POST={'action': 'stop'})
    assert resp.status_int == 403 and 'CSRF' in resp.text
    resp = get(dash, '/project/servers/a1/action', cookie, method='POST',
               POST={'action': 'stop', 'csrf_token': 'wrong'})
    assert resp.status_int == 403
    assert not [c for c in dash.calls if c[1] == 'POST']
    resp = get(dash, '/project/servers/a1/action', cookie, method='POST',
               POST={'action': 'stop', 'csrf_token': sess.csrf_token})
    assert resp.status_int == 303
    assert ('compute', 'POST', '/servers/a1/action', {'os-stop': None}) in dash.calls


def test_member_cannot_open_admin_pages(dash):
    cookie, sess = login(dash, roles=('member', 'reader'))
    for path in ('/identity/users', '/identity/projects', '/admin/anything'):
        resp = get(dash, path, cookie)
        assert resp.status_int == 403, path
    resp = get(dash, '/identity/projects', cookie, method='POST',
               POST={'name': 'x', 'csrf_token': sess.csrf_token})
    assert resp.status_int == 403
    page = get(dash, '/project/overview', cookie)
    assert '/identity/users' not in page.text
    assert not dash.calls or all(c[0] != 'identity' for c in dash.calls)


def test_service_error_shows_message_and_request_id_not_a_trace(dash):
    cookie, _ = login(dash)
    dash.answers[('compute', 'GET', '/servers/detail')] = client.ClientError(
        409, 'Server <b>busy</b>', 'req-1234')
    resp = get(dash, '/project/servers', cookie)
    assert resp.status_int == 409
    assert 'Server &lt;b&gt;busy&lt;/b&gt;' in resp.text and 'req-1234' in resp.text
    dash.answers[('compute', 'GET', '/servers/detail')] = RuntimeError('secret detail')
    resp = get(dash, '/project/servers', cookie)
    assert resp.status_int == 500
    assert 'secret detail' not in resp.text and 'Traceback' not in resp.text


def test_failed_action_is_flashed_with_request_id(dash):
    cookie, sess = login(dash)
    dash.answers[('compute', 'POST', '/servers/a1/action')] = client.ClientError(
        409, 'Cannot stop a server in state BUILD', 'req-77')
    resp = get(dash, '/project/servers/a1/action', cookie, method='POST',
               POST={'action': 'stop', 'csrf_token': sess.csrf_token})
    assert resp.status_int == 303
    flashed = dash.sessions.store.get(sess.sid)['flash']
    assert flashed == [['error', 'Cannot stop a server in state BUILD', 'req-77']]


def test_token_refused_by_a_service_ends_the_session(dash):
    cookie, sess = login(dash)
    dash.answers[('compute', 'GET', '/servers/detail')] = client.ClientError(401, 'no')
    resp = get(dash, '/project/servers', cookie)
    assert resp.status_int == 303 and '/auth/login' in resp.location
    assert dash.sessions.store.get(sess.sid) is None


def test_expired_token_ends_the_session(dash):
    cookie, sess = login(dash, expires=time.time() - 1)
    resp = get(dash, '/project/overview', cookie)
    assert resp.status_int == 303 and 'expired=1' in resp.location
    assert dash.sessions.store.get(sess.sid) is None


def test_launch_form_errors_are_shown_next_to_fields_and_nothing_is_made(dash):
    cookie, sess = login(dash)
    dash.answers.update({
        ('image', 'GET', '/v2/images'): {'images': [{'id': 'img1', 'name': 'guest'}]},
        ('compute', 'GET', '/flavors/detail'): {'flavors': [
            {'id': 'f1', 'name': 'tiny', 'ram': 64, 'vcpus': 1, 'disk': 1}]},
        ('network', 'GET', '/v2.0/networks'): {'networks': [{'id': 'n1', 'name': 'net'}]},
        ('compute', 'GET', '/os-keypairs'): {'keypairs': []},
        ('network', 'GET', '/v2.0/security-groups'): {'security_groups': [
            {'id': 's1', 'name': 'default'}]}})
    resp = get(dash, '/project/servers/launch', cookie, method='POST', POST={
        'csrf_token': sess.csrf_token, 'name': '', 'image': 'other', 'flavor': 'f1',
        'network': 'n1', 'security_groups': 'nope'})
    assert resp.status_int == 400
    for field in ('name', 'image', 'security_groups'):
        assert 'id="error-%s"' % field in resp.text
    assert not [c for c in dash.calls if c[1] == 'POST']


def test_uploads_need_a_length_and_ids_are_checked(dash):
    cookie, sess = login(dash)
    resp = get(dash, '/project/images/..%2F..%2Fx/data', cookie, method='PUT',
               headers={'X-CSRF-Token': sess.csrf_token}, body=b'abc')
    assert resp.status_int == 404
    assert not [c for c in dash.calls if c[0] == 'image']


def test_next_after_login_stays_on_this_site():
    assert app_mod.safe_next('/project/servers?marker=x') == '/project/servers?marker=x'
    for bad in ('//evil.example/', 'http://evil.example/', '/\\evil', '', 'javascript:x'):
        assert app_mod.safe_next(bad) == '/project/overview'


def test_project_switch_only_to_own_projects(dash):
    cookie, sess = login(dash)
    resp = get(dash, '/auth/switch', cookie, method='POST',
               POST={'project_id': 'someone-elses', 'csrf_token': sess.csrf_token})
    assert resp.status_int == 303
    assert dash.sessions.store.get(sess.sid)['project_id'] == 'p1'
    assert re.search('not a member', str(dash.sessions.store.get(sess.sid)['flash']))


def test_private_key_is_downloadable_once(dash):
    cookie, sess = login(dash)
    dash.answers[('compute', 'POST', '/os-keypairs')] = {'keypair': {
        'name': 'k1', 'private_key': '-----BEGIN PRIVATE KEY-----\nabc\n'}}
    dash.answers[('compute', 'GET', '/os-keypairs')] = {'keypairs': [
        {'keypair': {'name': 'k1', 'fingerprint': 'f'}}]}
    resp = get(dash, '/project/keypairs', cookie, method='POST',
               POST={'name': 'k1', 'csrf_token': sess.csrf_token})
    assert resp.status_int == 303
    page = get(dash, '/project/keypairs', cookie)
    assert 'id="download-key"' in page.text and 'BEGIN PRIVATE KEY' not in page.text
    key = get(dash, '/project/keypairs/download', cookie)
    assert key.status_int == 200 and key.body.startswith(b'-----BEGIN PRIVATE KEY')
    assert key.headers['Content-Disposition'] == 'attachment; filename="k1.pem"'
    assert get(dash, '/project/keypairs/download', cookie).status_int == 404
    assert 'private_key' not in dash.sessions.store.get(sess.sid)


def test_bad_key_pair_name_is_refused_before_any_call(dash):
    cookie, sess = login(dash)
    resp = get(dash, '/project/keypairs', cookie, method='POST',
               POST={'name': 'bad/name\n', 'csrf_token': sess.csrf_token})
    assert resp.status_int == 303
    assert not [c for c in dash.calls if c[1] == 'POST']
    assert 'key pair name' in str(dash.sessions.store.get(sess.sid)['flash'])


def test_network_with_bad_cidr_makes_nothing(dash):
    cookie, sess = login(dash)
    resp = get(dash, '/project/networks', cookie, method='POST', POST={
        'name': 'n', 'cidr': '10.0.0.1/33', 'csrf_token': sess.csrf_token})
    assert resp.status_int == 303
    assert not [c for c in dash.calls if c[1] == 'POST']
    assert 'not a network address' in str(dash.sessions.store.get(sess.sid)['flash'])


def test_network_whose_subnet_fails_is_deleted(dash):
    cookie, sess = login(dash)
    dash.answers[('network', 'POST', '/v2.0/networks')] = {'network': {'id': 'n9',
                                                                      'name': 'n'}}
    dash.answers[('network', 'POST', '/v2.0/subnets')] = client.ClientError(
        409, 'overlaps', 'req-5')
    get(dash, '/project/networks', cookie, method='POST', POST={
        'name': 'n', 'cidr': '10.0.0.0/24', 'csrf_token': sess.csrf_token})
    assert ('network', 'DELETE', '/v2.0/networks/n9', None) in dash.calls
    assert dash.sessions.store.get(sess.sid)['flash'] == [['error', 'overlaps', 'req-5']]
