"""The real OpenStack clients against identity: the ``openstack`` CLI, python-keystoneclient
and openstacksdk, as admin, as an ordinary member and with an application credential."""
import json
import os
import subprocess
import sys
import uuid

import pytest
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3 as ks_v3
from keystoneclient.v3 import client as ks_client
import openstack.connection

OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')

pytestmark = pytest.mark.timeout(120)


def _env(identity, user='admin', extra=None, drop=()):
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(identity.os_env(user))
    for key in drop:
        env.pop(key, None)
    env.update(extra or {})
    return env


def osc(identity, *args, user='admin', extra=None, drop=(), check=True):
    """Run ``openstack <args> -f json`` (when it lists or shows); return (rc, parsed, stderr)."""
    cmd = [OPENSTACK] + list(args)
    proc = subprocess.run(cmd, env=_env(identity, user, extra, drop), capture_output=True,
                          text=True, timeout=60)
    if check:
        assert proc.returncode == 0, '%s: %s' % (' '.join(args), proc.stderr)
    out = proc.stdout.strip()
    parsed = json.loads(out) if out.startswith(('{', '[')) else out
    return proc.returncode, parsed, proc.stderr


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


def test_openstack_cli_admin_flow_and_application_credential(identity, api):
    _, token, _ = osc(identity, 'token', 'issue', '-f', 'json')
    assert token['project_id'] and token['user_id']
    assert identity.request('GET', '/v3/auth/tokens', token=api.admin,
                            headers={'X-Subject-Token': token['id']})[0] == 200

    _, catalog, _ = osc(identity, 'catalog', 'list', '-f', 'json')
    identity_entry = [c for c in catalog if c['Type'] == 'identity']
    assert identity_entry and identity.url in json.dumps(identity_entry)

    pname, uname, password = _name('cli-project'), _name('cli-user'), _name('pw')
    _, project, _ = osc(identity, 'project', 'create', pname, '-f', 'json')
    api._created.append(('project', project['id']))
    _, user, _ = osc(identity, 'user', 'create', '--password', password, uname, '-f', 'json')
    api._created.append(('user', user['id']))
    assert password not in json.dumps(user)
    osc(identity, 'role', 'add', '--project', pname, '--user', uname, 'member')

    _, assignments, _ = osc(identity, 'role', 'assignment', 'list', '--effective', '--names',
                            '--user', uname, '-f', 'json')
    roles = {(a['Role'], a['Project']) for a in assignments}
    # member implies reader: the effective list shows both on the new project.
    assert roles == {('member', '%s@Default' % pname), ('reader', '%s@Default' % pname)}

    # The new user logs in with the password given to the CLI and makes an app credential.
    as_user = {'OS_USERNAME': uname, 'OS_PASSWORD': password, 'OS_PROJECT_NAME': pname}
    _, cred, _ = osc(identity, 'application', 'credential', 'create', _name('cli-ac'),
                     '-f', 'json', extra=as_user)
    assert cred['Secret'] and {r['name'] for r in cred['Roles']} >= {'member'}

    app_env = {'OS_AUTH_TYPE': 'v3applicationcredential',
               'OS_APPLICATION_CREDENTIAL_ID': cred['ID'],
               'OS_APPLICATION_CREDENTIAL_SECRET': cred['Secret']}
    drop = ('OS_USERNAME', 'OS_PASSWORD', 'OS_PROJECT_NAME', 'OS_PROJECT_DOMAIN_NAME',
            'OS_USER_DOMAIN_NAME')
    _, via_app, _ = osc(identity, 'token', 'issue', '-f', 'json', extra=app_env, drop=drop)
    assert via_app['user_id'] == user['id'] and via_app['project_id'] == project['id']

    # A wrong secret is refused.
    app_env['OS_APPLICATION_CREDENTIAL_SECRET'] = 'wrong'
    rc, _, err = osc(identity, 'token', 'issue', '-f', 'json', extra=app_env, drop=drop,
                     check=False)
    assert rc != 0 and '401' in err


def test_openstack_cli_as_demo_sees_only_demo(identity):
    _, projects, _ = osc(identity, 'project', 'list', '-f', 'json', user='demo')
    assert [p['Name'] for p in projects] == ['demo']
    rc, _, err = osc(identity, 'user', 'list', user='demo', check=False)
    assert rc != 0 and '403' in err


def test_demo_token_cannot_list_users_or_see_admin_project(identity, api):
    demo = identity.token('demo', project='demo')
    status, _, body = identity.request('GET', '/v3/users', token=demo)
    assert status == 403 and 'identity:list_users' in body['error']['message']
    admin_project = identity.request('GET', '/v3/projects?name=admin', token=api.admin)[2]
    admin_id = admin_project['projects'][0]['id']
    status, _, _ = identity.request('GET', '/v3/projects/%s' % admin_id, token=demo)
    assert status in (403, 404)
    # As in Keystone, a member may not list projects (clients fall back to their own).
    status, _, body = identity.request('GET', '/v3/projects', token=demo)
    assert status == 403 and 'identity:list_projects' in body['error']['message']
    status, _, body = identity.request('GET', '/v3/auth/projects', token=demo)
    assert status == 200 and [p['name'] for p in body['projects']] == ['demo']
    # Its own project and that project's domain it may read, and nothing it does not hold.
    status, _, body = identity.request('GET', '/v3/projects/%s' % identity.project_ids['demo'],
                                       token=demo)
    assert status == 200 and body['project']['name'] == 'demo'
    assert identity.request('GET', '/v3/domains', token=demo)[0] == 403
    status, _, listed = identity.request('GET', '/v3/auth/domains', token=demo)
    assert status == 200 and listed['domains'] == []
    assert identity.request('GET', '/v3/domains/default', token=demo)[0] == 200
    for path in ('/v3/roles', '/v3/groups', '/v3/role_assignments',
                 '/v3/projects/%s' % identity.project_ids['service']):
        assert identity.request('GET', path, token=demo)[0] in (403, 404), path


def _password_session(identity, user, password, project):
    auth = ks_v3.Password(auth_url=identity.auth_url, username=user, password=password,
                          project_name=project, user_domain_name='Default',
                          project_domain_name='Default')
    return ks_session.Session(auth=auth)


def test_keystoneclient_flow(identity, api):
    sess = _password_session(identity, 'admin', identity.admin_password, 'admin')
    ks = ks_client.Client(session=sess, interface='public')
    assert sess.get_token()
    services = sess.auth.get_access(sess).service_catalog.get_endpoints()
    assert 'identity' in services

    project = ks.projects.create(name=_name('ksc-project'), domain='default')
    api._created.append(('project', project.id))
    password = _name('pw')
    user = ks.users.create(name=_name('ksc-user'), password=password, domain='default')
    api._created.append(('user', user.id))
    member = ks.roles.find(name='member')
    ks.roles.grant(member, user=user, project=project)
    effective = ks.role_assignments.list(user=user, effective=True, include_names=True)
    assert {(a.role['name'], a.scope['project']['name']) for a in effective} == {
        ('member', project.name), ('reader', project.name)}

    user_sess = _password_session(identity, user.name, password, project.name)
    user_ks = ks_client.Client(session=user_sess, interface='public')
    cred = user_ks.application_credentials.create(name=_name('ksc-ac'), user=user.id)
    app_auth = ks_v3.ApplicationCredential(auth_url=identity.auth_url,
                                           application_credential_id=cred.id,
                                           application_credential_secret=cred.secret)
    app_sess = ks_session.Session(auth=app_auth)
    access = app_auth.get_access(app_sess)
    assert access.user_id == user.id and access.project_id == project.id
    assert 'admin' not in access.role_names and 'member' in access.role_names

    demo_ks = ks_client.Client(session=_password_session(identity, 'demo',
                                                         identity.demo_password, 'demo'),
                               interface='public')
    with pytest.raises(ks_exc.Forbidden):
        demo_ks.users.list()
    with pytest.raises(ks_exc.Forbidden):
        demo_ks.projects.list()  # as in Keystone: members list their own projects only
    demo_id = demo_ks.session.get_user_id()
    assert [p.name for p in demo_ks.projects.list(user=demo_id)] == ['demo']


def test_openstacksdk_flow(identity, api):
    auth = {'auth_url': identity.auth_url, 'username': 'admin',
            'password': identity.admin_password, 'project_name': 'admin',
            'user_domain_name': 'Default', 'project_domain_name': 'Default'}
    conn = openstack.connection.Connection(auth=auth, region_name='RegionOne',
                                           identity_interface='public')
    assert conn.authorize()
    assert any(s['type'] == 'identity' for s in conn.service_catalog)

    project = conn.identity.create_project(name=_name('sdk-project'), domain_id='default')
    api._created.append(('project', project.id))
    password = _name('pw')
    user = conn.identity.create_user(name=_name('sdk-user'), password=password,
                                     domain_id='default')
    api._created.append(('user', user.id))
    member = conn.identity.find_role('member')
    conn.identity.assign_project_role_to_user(project, user, member)
    assert conn.identity.validate_user_has_project_role(project, user, member)
    effective = list(conn.identity.role_assignments(user_id=user.id, effective=True))
    assert {a.role['id'] for a in effective} == {member.id, api.role_id('reader')}

    user_conn = openstack.connection.Connection(auth=dict(
        auth, username=user.name, password=password, project_name=project.name),
        region_name='RegionOne')
    cred = user_conn.identity.create_application_credential(user=user.id,
                                                            name=_name('sdk-ac'))
    app_conn = openstack.connection.Connection(
        auth_type='v3applicationcredential', region_name='RegionOne',
        auth={'auth_url': identity.auth_url, 'application_credential_id': cred.id,
              'application_credential_secret': cred.secret})
    assert app_conn.current_user_id == user.id
    assert app_conn.current_project_id == project.id

    demo_conn = openstack.connection.Connection(auth=dict(
        auth, username='demo', password=identity.demo_password, project_name='demo'),
        region_name='RegionOne')
    with pytest.raises(openstack.exceptions.ForbiddenException):
        list(demo_conn.identity.users())
    with pytest.raises(openstack.exceptions.ForbiddenException):
        list(demo_conn.identity.projects())
    assert [p.name for p in demo_conn.identity.user_projects(demo_conn.current_user_id)] == \
        ['demo']
    for c in (conn, user_conn, app_conn, demo_conn):
        c.close()
