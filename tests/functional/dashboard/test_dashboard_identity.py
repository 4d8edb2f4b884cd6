"""The dashboard (in-process) against a real identity-api: login, session id renewed at
login, logout revokes the token, project switch, admin creates a project and a user with
a role, a member is refused the admin pages."""
import uuid

from common.testing.dashboard_browser import InProcessClient as Browser


def token_valid(identity, token):
    status, _, _ = identity.request('GET', '/v3/auth/tokens', token=identity.token(),
                                    headers={'X-Subject-Token': token})
    return status == 200


def test_login_renews_the_session_and_logout_revokes_the_token(identity, dash):
    b = Browser(dash)
    bad = b.login('demo', 'wrong')
    assert bad.status_int == 401 and 'not correct' in bad.text
    before = b.cookie
    resp = b.login('demo', identity.demo_password)
    assert resp.status_int == 303 and resp.location.endswith('/project/overview')
    assert b.cookie and b.cookie != before          # a new session id after login
    assert dash.sessions.store.get(dash.sessions.signer.unsign(before)) is None
    sid = dash.sessions.signer.unsign(b.cookie)
    data = dash.sessions.store.get(sid)
    assert data['project_name'] == 'demo' and 'member' in data['roles']
    assert token_valid(identity, data['token'])
    page = b.request('/project/overview')
    assert page.status_int == 200 and 'Overview of demo' in page.text
    assert b.post('/auth/logout', {}).status_int == 303
    assert not token_valid(identity, data['token'])
    assert not token_valid(identity, data['unscoped_token'])
    assert dash.sessions.store.get(sid) is None
    assert b.request('/project/overview').status_int == 303


def test_member_is_refused_admin_pages(identity, dash):
    b = Browser(dash)
    b.login('demo', identity.demo_password)
    assert b.request('/identity/users').status_int == 403
    assert b.post('/identity/projects', {'name': 'sneaky'}).status_int == 403
    _, _, body = identity.request('GET', '/v3/projects?name=sneaky', token=identity.token())
    assert body['projects'] == []


def test_admin_creates_a_project_and_a_user_with_a_role(identity, dash):
    b = Browser(dash)
    b.login('admin', identity.admin_password)
    name = 'dash-%s' % uuid.uuid4().hex[:8]
    resp = b.post('/identity/projects', {'name': name, 'description': '<b>x</b>'},
                  '/identity/projects')
    assert resp.status_int == 303
    page = b.request('/identity/projects')
    assert name in page.text and '&lt;b&gt;x&lt;/b&gt;' in page.text
    admin = identity.token()
    _, _, body = identity.request('GET', '/v3/projects?name=%s' % name, token=admin)
    project_id = body['projects'][0]['id']
    member = identity.role_ids['member']
    resp = b.post('/identity/users', {'name': name + '-user', 'password': 'pw-123456',
                                      'project_id': project_id, 'role_id': member},
                  '/identity/users')
    assert resp.status_int == 303
    _, _, body = identity.request('GET', '/v3/users?name=%s-user' % name, token=admin)
    user_id = body['users'][0]['id']
    status, _, _ = identity.request('HEAD', '/v3/projects/%s/users/%s/roles/%s'
                                    % (project_id, user_id, member), token=admin)
    assert status == 204
    # The new user logs in to the dashboard in the new project.
    other = Browser(dash)
    assert other.login(name + '-user', 'pw-123456').status_int == 303
    assert 'Overview of %s' % name in other.request('/project/overview').text
    # A grant that fails leaves no user behind.
    resp = b.post('/identity/users', {'name': name + '-half', 'password': 'pw-123456',
                                      'project_id': project_id, 'role_id': 'no-such-role'},
                  '/identity/users')
    assert resp.status_int == 303
    _, _, body = identity.request('GET', '/v3/users?name=%s-half' % name, token=admin)
    assert body['users'] == []


def test_project_switch_rescopes_and_revokes_the_old_token(identity, dash):
    admin = identity.token()
    identity.request('PUT', '/v3/projects/%s/users/%s/roles/%s' % (
        identity.project_ids['demo'], _user_id(identity, 'admin'),
        identity.role_ids['member']), token=admin)
    b = Browser(dash)
    b.login('admin', identity.admin_password)
    sid = dash.sessions.signer.unsign(b.cookie)
    old = dash.sessions.store.get(sid)
    assert old['project_name'] == 'admin'
    resp = b.post('/auth/switch', {'project_id': identity.project_ids['demo']})
    assert resp.status_int == 303
    new = dash.sessions.store.get(sid)
    assert new['project_name'] == 'demo' and 'admin' not in new['roles']
    assert not token_valid(identity, old['token']) and token_valid(identity, new['token'])
    assert b.request('/identity/users').status_int == 403   # member in this project


def _user_id(identity, name):
    _, _, body = identity.request('GET', '/v3/users?name=%s' % name, token=identity.token())
    return body['users'][0]['id']
