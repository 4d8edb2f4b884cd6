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
    params_seen = {}

    def fake_json(self, name, method, path, body=None, params=None, headers=None):
        calls.append((name, method, path, body))
        params_seen[(name, method, path)] = params
        answer = answers.get((name, method, path))
        if isinstance(answer, Exception):
            raise answer
        return answer if answer is not None else {}

    monkeypatch.setattr(cloud_mod.Cloud, 'json', fake_json)
    app = app_mod.Dashboard(CONF)
    app.calls, app.answers, app.params = calls, answers, params_seen
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


def flashes(app, sess):
    """The messages flashed since the last call (as the next page would show them)."""
    data = app.sessions.store.get(sess.sid)
    shown = data.pop('flash', None)
    app.sessions.store.put(sess.sid, data)
    return shown


def post(app, path, cookie, sess, **fields):
    return get(app, path, cookie, method='POST', POST=dict(fields, csrf_token=sess.csrf_token))


def test_volumes_table_shows_attachments_and_attach_detach_forms(dash):
    cookie, _ = login(dash)
    dash.answers[('volume', 'GET', '/volumes/detail')] = {'volumes': [
        {'id': 'v1', 'name': 'data', 'status': 'in-use', 'size': 1, 'attachments': [
            {'server_id': 's1', 'device': '/dev/vdb'}]},
        {'id': 'v2', 'name': 'spare', 'status': 'available', 'size': 2, 'attachments': []},
        {'id': 'v3', 'name': 'new', 'status': 'attaching', 'size': 2, 'attachments': []}]}
    dash.answers[('compute', 'GET', '/servers')] = {'servers': [{'id': 's1', 'name': 'web'}]}
    dash.answers[('image', 'GET', '/v2/images')] = {'images': []}
    page = get(dash, '/project/volumes', cookie)
    assert page.status_int == 200
    assert '<div>web (/dev/vdb)</div>' in page.text
    assert 'action="/project/volumes/v1/detach"' in page.text
    assert 'Detach from web' in page.text
    # Only an available volume is offered for attaching, to the project's servers.
    assert 'action="/project/volumes/v2/attach"' in page.text
    assert 'action="/project/volumes/v1/attach"' not in page.text
    assert '<option value="s1">web</option>' in page.text
    # A volume that is changing keeps the page polling.
    assert re.search(r'data-id="v3" data-stable="no"', page.text)
    assert re.search(r'data-id="v2" data-stable="yes"', page.text)


def test_volume_status_json_for_polling(dash):
    cookie, _ = login(dash)
    dash.answers[('volume', 'GET', '/volumes/v1')] = {'volume': {
        'id': 'v1', 'name': 'data', 'status': 'attaching', 'attachments': []}}
    dash.answers[('volume', 'GET', '/volumes/gone')] = client.ClientError(404, 'no')
    dash.answers[('compute', 'GET', '/servers')] = {'servers': []}
    body = get(dash, '/project/volumes/status.json?id=v1&id=gone', cookie).json
    assert body == {'volumes': {'v1': {'name': 'data', 'status': 'attaching',
                                       'attached': [], 'stable': False}}}
    assert get(dash, '/project/volumes/status.json?id=../x', cookie).status_int == 404


def test_attach_from_the_volumes_page(dash):
    cookie, sess = login(dash)
    resp = post(dash, '/project/volumes/v2/attach', cookie, sess, server_id='s1')
    assert resp.status_int == 303 and resp.location.endswith('/project/volumes')
    assert ('compute', 'POST', '/servers/s1/os-volume_attachments',
            {'volumeAttachment': {'volumeId': 'v2'}}) in dash.calls
    assert flashes(dash, sess) == [['success', 'Attaching the volume.', None]]


def test_attach_and_detach_from_the_server_page_go_back_there(dash):
    cookie, sess = login(dash)
    resp = post(dash, '/project/servers/s1/volumes', cookie, sess, volume_id='v2')
    assert resp.status_int == 303 and resp.location.endswith('/project/servers/s1')
    assert ('compute', 'POST', '/servers/s1/os-volume_attachments',
            {'volumeAttachment': {'volumeId': 'v2'}}) in dash.calls
    resp = post(dash, '/project/volumes/v2/detach', cookie, sess, server_id='s1',
                **{'from': 'server'})
    assert resp.status_int == 303 and resp.location.endswith('/project/servers/s1')
    assert ('compute', 'DELETE', '/servers/s1/os-volume_attachments/v2', None) in dash.calls


def test_attach_errors_are_flashed_not_500(dash):
    cookie, sess = login(dash)
    dash.answers[('compute', 'POST', '/servers/s1/os-volume_attachments')] = \
        client.ClientError(409, 'Volume v2 is in-use, not available', 'req-att')
    resp = post(dash, '/project/volumes/v2/attach', cookie, sess, server_id='s1')
    assert resp.status_int == 303
    assert flashes(dash, sess) == [['error', 'Volume v2 is in-use, not available',
                                    'req-att']]
    dash.answers[('compute', 'DELETE', '/servers/s1/os-volume_attachments/v2')] = \
        client.ClientError(404, 'Volume v2 is not attached to server s1', 'req-det')
    resp = post(dash, '/project/volumes/v2/detach', cookie, sess, server_id='s1')
    assert resp.status_int == 303 and resp.location.endswith('/project/volumes')
    assert flashes(dash, sess) == [['error', 'Volume v2 is not attached to server s1',
                                    'req-det']]


def test_attach_without_a_server_or_csrf_calls_nothing(dash):
    cookie, sess = login(dash)
    resp = post(dash, '/project/volumes/v2/attach', cookie, sess, server_id='')
    assert resp.status_int == 303
    assert flashes(dash, sess) == [['error', 'Choose a server.', None]]
    resp = post(dash, '/project/servers/s1/volumes', cookie, sess)
    assert flashes(dash, sess) == [['error', 'Choose a volume.', None]]
    resp = get(dash, '/project/volumes/v2/attach', cookie, method='POST',
               POST={'server_id': 's1'})
    assert resp.status_int == 403
    resp = post(dash, '/project/volumes/v2/attach', cookie, sess, server_id='../admin')
    assert resp.status_int == 404
    assert not [c for c in dash.calls if c[1] in ('POST', 'DELETE')]


def test_server_page_lists_its_volumes_and_offers_available_ones(dash):
    cookie, _ = login(dash)
    dash.answers[('compute', 'GET', '/servers/s1')] = {'server': {
        'id': 's1', 'name': 'web', 'status': 'ACTIVE', 'flavor': {'id': 'f1'}}}
    dash.answers[('compute', 'GET', '/flavors')] = {'flavors': []}
    dash.answers[('compute', 'GET', '/servers/s1/os-volume_attachments')] = {
        'volumeAttachments': [{'id': 'v1', 'volumeId': 'v1', 'serverId': 's1',
                               'device': '/dev/vdb'}]}
    dash.answers[('volume', 'GET', '/volumes/detail')] = {'volumes': [
        {'id': 'v1', 'name': '<script>alert(3)</script>', 'status': 'detaching'},
        {'id': 'v2', 'name': 'spare', 'status': 'available'}]}
    page = get(dash, '/project/servers/s1', cookie)
    assert page.status_int == 200
    assert '<script>alert(3)' not in page.text
    assert '<td class="name">&lt;script&gt;alert(3)&lt;/script&gt;</td><td>/dev/vdb</td>' \
        in page.text
    assert 'data-poll="/project/volumes/status.json?id=v1"' in page.text
    assert 'data-id="v1" data-stable="no"' in page.text
    assert '<option value="v2">spare</option>' in page.text
    assert 'action="/project/servers/s1/volumes"' in page.text


def test_volume_and_server_named_script_are_escaped_on_the_volumes_page(dash):
    cookie, _ = login(dash)
    dash.answers[('volume', 'GET', '/volumes/detail')] = {'volumes': [
        {'id': 'v1', 'name': '<script>alert(1)</script>', 'status': 'in-use', 'size': 1,
         'attachments': [{'server_id': 's1', 'device': '/dev/vdb'}]}]}
    dash.answers[('compute', 'GET', '/servers')] = {'servers': [
        {'id': 's1', 'name': '<script>alert(2)</script>'}]}
    dash.answers[('image', 'GET', '/v2/images')] = {'images': []}
    page = get(dash, '/project/volumes', cookie)
    assert page.status_int == 200
    assert '<script>alert' not in page.text
    assert '&lt;script&gt;alert(1)&lt;/script&gt;' in page.text
    assert '&lt;script&gt;alert(2)&lt;/script&gt; (/dev/vdb)' in page.text


def test_snapshots_of_a_volume_listed_created_deleted(dash):
    cookie, sess = login(dash)
    dash.answers[('volume', 'GET', '/volumes/v1')] = {'volume': {
        'id': 'v1', 'name': 'data', 'status': 'in-use', 'size': 1}}
    dash.answers[('volume', 'GET', '/snapshots/detail')] = {'snapshots': [
        {'id': 'sn1', 'name': '<b>nightly</b>', 'status': 'creating', 'size': 1}]}
    page = get(dash, '/project/volumes/v1/snapshots', cookie)
    assert page.status_int == 200
    assert dash.params[('volume', 'GET', '/snapshots/detail')]['volume_id'] == 'v1'
    assert '&lt;b&gt;nightly&lt;/b&gt;' in page.text and '<b>nightly' not in page.text
    assert 'data-id="sn1" data-stable="no"' in page.text
    assert 'name="force"' in page.text          # the volume is attached
    status = get(dash, '/project/volumes/v1/snapshots/status.json', cookie).json
    assert status['snapshots']['sn1']['status'] == 'creating'
    dash.answers[('volume', 'POST', '/snapshots')] = {'snapshot': {'id': 'sn2',
                                                                   'name': 'weekly'}}
    resp = post(dash, '/project/volumes/v1/snapshots', cookie, sess, name='weekly',
                description='d', force='yes')
    assert resp.status_int == 303 and resp.location.endswith('/project/volumes/v1/snapshots')
    assert ('volume', 'POST', '/snapshots', {'snapshot': {
        'volume_id': 'v1', 'name': 'weekly', 'description': 'd', 'force': True}}) \
        in dash.calls
    assert flashes(dash, sess) == [['success', 'Creating snapshot weekly.', None]]
    resp = post(dash, '/project/volumes/v1/snapshots/sn1/delete', cookie, sess)
    assert resp.location.endswith('/project/volumes/v1/snapshots')
    assert ('volume', 'DELETE', '/snapshots/sn1', None) in dash.calls


def test_snapshot_errors_are_flashed(dash):
    cookie, sess = login(dash)
    post(dash, '/project/volumes/v1/snapshots', cookie, sess, name='')
    assert flashes(dash, sess) == [['error', 'Name is required.', None]]
    assert not [c for c in dash.calls if c[1] == 'POST']
    dash.answers[('volume', 'POST', '/snapshots')] = client.ClientError(
        400, 'Volume v1 is in-use; pass force to snapshot it', 'req-sn')
    resp = post(dash, '/project/volumes/v1/snapshots', cookie, sess, name='x')
    assert resp.status_int == 303
    assert flashes(dash, sess) == [['error', 'Volume v1 is in-use; pass force to snapshot '
                                             'it', 'req-sn']]


ADMIN_PAGES = ('/admin/hypervisors', '/admin/services', '/admin/instances')


def test_member_neither_sees_nor_opens_the_admin_pages(dash):
    cookie, _ = login(dash, roles=('member', 'reader'))
    page = get(dash, '/project/overview', cookie)
    for path in ADMIN_PAGES:
        assert 'href="%s"' % path not in page.text
        assert get(dash, path, cookie).status_int == 403, path
    assert not [c for c in dash.calls if c[0] == 'compute' and c[2].startswith(
        ('/os-hypervisors', '/os-services', '/servers/detail'))]


def test_admin_sees_hypervisors_services_and_all_instances(dash, monkeypatch):
    from dashboard.views import admin
    monkeypatch.setattr(admin.Admin, '_project_names',
                        staticmethod(lambda cloud: {'p2': '<script>proj</script>'}))
    cookie, _ = login(dash, roles=('admin', 'member'))
    page = get(dash, '/project/overview', cookie)
    for path in ADMIN_PAGES:
        assert 'href="%s"' % path in page.text
    dash.answers[('compute', 'GET', '/os-hypervisors/detail')] = {'hypervisors': [
        {'id': 1, 'hypervisor_hostname': 'node1', 'state': 'up', 'status': 'enabled',
         'vcpus': 4, 'vcpus_used': 1, 'memory_mb': 2048, 'memory_mb_used': 512,
         'running_vms': 1}]}
    page = get(dash, '/admin/hypervisors', cookie)
    assert page.status_int == 200
    assert '<td class="vcpus">1 / 4</td>' in page.text
    assert '<td class="ram">512.0 MiB / 2.0 GiB</td>' in page.text
    assert '<td class="running">1</td>' in page.text and 'node1' in page.text
    dash.answers[('compute', 'GET', '/os-services')] = {'services': [
        {'id': 1, 'binary': 'nova-compute', 'host': 'node1', 'zone': 'nova',
         'status': 'enabled', 'state': 'down', 'updated_at': 't'}]}
    page = get(dash, '/admin/services', cookie)
    assert page.status_int == 200
    assert 'nova-compute' in page.text and '<td class="state state-down">down</td>' in page.text
    dash.answers[('compute', 'GET', '/servers/detail')] = {'servers': [
        {'id': 'a1', 'name': '<script>alert(1)</script>', 'status': 'ACTIVE',
         'tenant_id': 'p2', 'flavor': {'id': 'f1'}},
        {'id': 'a2', 'name': 'mine', 'status': 'ACTIVE', 'tenant_id': 'p9'}]}
    dash.answers[('compute', 'GET', '/flavors')] = {'flavors': []}
    page = get(dash, '/admin/instances', cookie)
    assert page.status_int == 200
    assert dash.params[('compute', 'GET', '/servers/detail')]['all_tenants'] == 1
    assert '<script>' not in page.text
    assert '<td class="project">&lt;script&gt;proj&lt;/script&gt;</td>' in page.text
    assert '&lt;script&gt;alert(1)&lt;/script&gt;' in page.text
    assert '<td class="project">p9</td>' in page.text     # unknown project: its id


def test_admin_page_error_from_compute_is_shown_not_500(dash):
    cookie, _ = login(dash, roles=('admin',))
    dash.answers[('compute', 'GET', '/os-hypervisors/detail')] = client.ClientError(
        403, 'Policy doesn\'t allow os_compute_api:os-hypervisors', 'req-hv')
    page = get(dash, '/admin/hypervisors', cookie)
    assert page.status_int == 403 and 'req-hv' in page.text
