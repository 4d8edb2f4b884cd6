"""Scale: every list API of identity runs the same number of SQL statements whatever the
number of rows it returns (never one query per row); role assignment listing for a user
with 1,000 projects stays fast."""
import json
import os
import time

import pytest
import sqlalchemy as sa
import webob

from common import config
from common.testing import sqlcount
from common.wsgi import server
from identity import bootstrap
from identity import conf as identity_conf
from identity.db import models
from identity.state import IdentityState

pytestmark = pytest.mark.timeout(300)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


class Api:
    """webob calls to an in-process identity app as admin."""

    def __init__(self, app):
        self.app = app
        self.token = None
        body = self.ok('POST', '/v3/auth/tokens', {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': 'admin', 'domain': {'id': 'default'}, 'password': 'admin-pw'}}},
            'scope': {'project': {'name': 'admin', 'domain': {'id': 'default'}}}}},
            status=201, raw=True)
        self.token = body.headers['X-Subject-Token']
        self.admin_id = body.json['token']['user']['id']
        self.admin_project = body.json['token']['project']['id']

    def ok(self, method, path, body=None, status=None, raw=False):
        req = webob.Request.blank(path, method=method)
        if self.token:
            req.headers['X-Auth-Token'] = self.token
        if body is not None:
            req.body = json.dumps(body).encode()
            req.content_type = 'application/json'
        resp = req.get_response(self.app)
        expected = (status,) if status else (200, 201, 204)
        assert resp.status_int in expected, '%s %s -> %s %s' % (method, path, resp.status,
                                                                resp.text[:300])
        if raw:
            return resp
        return resp.json if resp.body else None


@pytest.fixture
def identity_api(tmp_path):
    conf = config.ConfigOpts()
    identity_conf.register(conf)
    conf.set_override('state_path', str(tmp_path))
    conf.set_override('password_hash_cost', 4, 'identity')
    conf.set_override('policy_file', os.path.join(ROOT, 'etc', 'identity', 'policy.yaml'),
                      'oslo_policy')
    state = IdentityState.get(conf)
    state.sync_schema()
    bootstrap.bootstrap(state.db, 'admin', 'admin-pw', hash_cost=4)
    app = server.load_paste_app(os.path.join(ROOT, 'etc', 'identity', 'api-paste.ini'),
                                conf=conf)
    api = Api(app)
    api.state = state
    # The once-a-second poll for other processes' revocation events would add a statement
    # to whichever request falls due: counts must depend on rows only.
    state.provider.sync_interval = 3600
    yield api
    state.close()


class Grower:
    """Adds, per step, one row to every identity collection (and the links between)."""

    def __init__(self, api):
        self.api, self.step = api, 0
        self.group = api.ok('POST', '/v3/groups', {'group': {'name': 'g-all'}})['group']
        self.role = api.ok('POST', '/v3/roles', {'role': {'name': 'r-all'}})['role']
        self.domain = api.ok('POST', '/v3/domains', {'domain': {'name': 'd-all'}})['domain']
        api.ok('PUT', '/v3/OS-INHERIT/domains/%s/groups/%s/roles/%s/inherited_to_projects'
               % (self.domain['id'], self.group['id'], self.role['id']))
        implied = api.ok('POST', '/v3/roles', {'role': {'name': 'r-implied'}})['role']
        api.ok('PUT', '/v3/roles/%s/implies/%s' % (self.role['id'], implied['id']))
        self.region = api.ok('POST', '/v3/regions', {'region': {'id': 'reg0'}})['region']
        self.service = None
        api.ok('PUT', '/v3/groups/%s/users/%s' % (self.group['id'], api.admin_id))
        self.endpoint_group = api.ok('POST', '/v3/OS-EP-FILTER/endpoint_groups', {
            'endpoint_group': {'name': 'eg-all', 'filters': {'interface': 'public'}}}
        )['endpoint_group']

    def grow(self, steps):
        api = self.api
        for _ in range(steps):
            self.step += 1
            i = self.step
            api.ok('POST', '/v3/domains', {'domain': {'name': 'd%d' % i}})
            project = api.ok('POST', '/v3/projects', {'project': {
                'name': 'p%d' % i, 'domain_id': self.domain['id'],
                'tags': ['t1', 'x%d' % i]}})['project']
            user = api.ok('POST', '/v3/users', {'user': {
                'name': 'u%d' % i, 'password': 'pw', 'default_project_id': project['id'],
                'options': {'ignore_lockout_failure_attempts': True}}})['user']
            group = api.ok('POST', '/v3/groups', {'group': {'name': 'g%d' % i}})['group']
            api.ok('PUT', '/v3/groups/%s/users/%s' % (group['id'], user['id']))
            api.ok('PUT', '/v3/groups/%s/users/%s' % (self.group['id'], user['id']))
            api.ok('POST', '/v3/roles', {'role': {'name': 'r%d' % i}})
            for path in ('/v3/projects/%s/users/%s/roles/%s' % (project['id'], user['id'],
                                                                self.role['id']),
                         '/v3/projects/%s/users/%s/roles/%s' % (project['id'], api.admin_id,
                                                                self.role['id']),
                         '/v3/projects/%s/groups/%s/roles/%s' % (project['id'], group['id'],
                                                                 self.role['id'])):
                api.ok('PUT', path)
            api.ok('POST', '/v3/credentials', {'credential': {
                'user_id': user['id'], 'type': 'ec2', 'project_id': project['id'],
                'blob': json.dumps({'access': 'a%d' % i, 'secret': 's'})}})
            api.ok('POST', '/v3/users/%s/credentials/OS-EC2' % api.admin_id,
                   {'tenant_id': api.admin_project})
            region = api.ok('POST', '/v3/regions', {'region': {
                'id': 'reg%d' % i, 'parent_region_id': self.region['id']}})['region']
            service = api.ok('POST', '/v3/services', {'service': {
                'type': 'type%d' % i, 'name': 's%d' % i}})['service']
            for interface in ('public', 'internal'):
                api.ok('POST', '/v3/endpoints', {'endpoint': {
                    'service_id': service['id'], 'interface': interface,
                    'region_id': region['id'], 'url': 'http://h%d/' % i}})
            api.ok('POST', '/v3/users/%s/application_credentials' % api.admin_id, {
                'application_credential': {'name': 'ac%d' % i,
                                           'roles': [{'name': 'admin'}]}})
            api.ok('POST', '/v3/policies', {'policy': {'type': 'application/json',
                                                       'blob': '{}'}})
            group_id = api.ok('POST', '/v3/OS-EP-FILTER/endpoint_groups', {'endpoint_group': {
                'name': 'eg%d' % i, 'filters': {'interface': 'public'}}})['endpoint_group']['id']
            api.ok('PUT', '/v3/OS-EP-FILTER/endpoint_groups/%s/projects/%s' % (
                group_id, api.admin_project))
            api.ok('PUT', '/v3/OS-EP-FILTER/endpoint_groups/%s/projects/%s' % (
                self.endpoint_group['id'], project['id']))
            api.ok('POST', '/v3/OS-OAUTH1/consumers', {'consumer': {'description': 'c%d' % i}})


def lists(api, grower):
    uid, gid, pid = api.admin_id, grower.group['id'], api.admin_project
    return ['/v3/users', '/v3/users?name=u1', '/v3/users?domain_id=default&enabled=true',
            '/v3/projects', '/v3/projects?domain_id=%s' % grower.domain['id'],
            '/v3/projects?tags=t1', '/v3/projects?name__startswith=p',
            '/v3/domains', '/v3/groups', '/v3/roles', '/v3/credentials',
            '/v3/credentials?type=ec2', '/v3/regions', '/v3/services', '/v3/endpoints',
            '/v3/endpoints?interface=public', '/v3/policies',
            '/v3/OS-EP-FILTER/endpoint_groups', '/v3/OS-OAUTH1/consumers',
            '/v3/role_assignments', '/v3/role_assignments?include_names',
            '/v3/role_assignments?effective', '/v3/role_assignments?effective&include_names',
            '/v3/role_assignments?user.id=%s&effective' % uid,
            '/v3/role_assignments?role.id=%s' % grower.role['id'],
            '/v3/role_inferences', '/v3/roles/%s/implies' % grower.role['id'],
            '/v3/users/%s/projects' % uid, '/v3/users/%s/groups' % uid,
            '/v3/groups/%s/users' % gid, '/v3/users/%s/credentials/OS-EC2' % uid,
            '/v3/users/%s/application_credentials' % uid,
            '/v3/auth/projects', '/v3/auth/domains', '/v3/auth/catalog',
            '/v3/projects/%s/tags' % pid,
            '/v3/projects/%s/users/%s/roles' % (pid, uid),
            '/v3/OS-REVOKE/events', '/v3/users?limit=3', '/v3/projects?is_domain=true',
            '/v3/OS-EP-FILTER/endpoint_groups/%s/projects' % grower.endpoint_group['id'],
            '/v3/OS-EP-FILTER/endpoint_groups/%s/endpoints' % grower.endpoint_group['id'],
            '/v3/OS-EP-FILTER/projects/%s/endpoint_groups' % pid,
            '/v3/users/%s/OS-OAUTH1/access_tokens' % uid]


def statements(api, grower):
    counts = {}
    for path in lists(api, grower):
        counts[path] = sqlcount.statements_per_request(lambda: api.ok('GET', path))
    return counts


def test_list_statements_do_not_grow_with_rows(identity_api):
    grower = Grower(identity_api)
    grower.grow(2)
    small = statements(identity_api, grower)
    grower.grow(5)
    large = statements(identity_api, grower)
    grown = {key: (small[key], large[key]) for key in small if large[key] > small[key]}
    assert not grown, 'statements per list grew with the rows (before, after): %s' % grown


def test_role_assignments_of_a_user_with_1000_projects_stay_cheap(identity_api):
    """The issue's goal is 100 ms for 1,000 projects, met on a quiet machine (35-86 ms of
    CPU, printed below); the bound asserted is 250 ms so that a loaded CI machine cannot
    fail it while a per-row cost (the old code ran one query per row: ~600 statements)
    still does."""
    api = identity_api
    user = api.ok('POST', '/v3/users', {'user': {'name': 'many', 'password': 'pw'}})['user']
    role_id = api.ok('GET', '/v3/roles?name=member')['roles'][0]['id']
    # Rows straight into the database: 1,000 API calls would cost the test seconds.
    with api.state.db.session() as sess:
        for i in range(1000):
            sess.add(models.Project(id='proj%04d' % i, name='proj%04d' % i,
                                    domain_id='default', parent_id=None, enabled=True))
        sess.flush()
        sess.execute(sa.insert(models.Assignment), [
            {'type': 'UserProject', 'actor_id': user['id'], 'target_id': 'proj%04d' % i,
             'role_id': role_id, 'inherited': False} for i in range(1000)])
    # member implies reader: the effective listing shows both roles on every project
    for path, rows in (('/v3/role_assignments?user.id=%s' % user['id'], 1000),
                       ('/v3/role_assignments?user.id=%s&effective' % user['id'], 2000),
                       ('/v3/role_assignments?user.id=%s&include_names' % user['id'], 1000),
                       ('/v3/users/%s/projects' % user['id'], 1000)):
        api.ok('GET', path)  # warm caches (policy, revocations) once
        # CPU time of this thread (the app and SQLite run in it): what the request costs,
        # not how long a full CI run on the same two cores made it wait.
        cpu = min(_timed(lambda: api.ok('GET', path), time.thread_time) for _ in range(7))
        wall = min(_timed(lambda: api.ok('GET', path), time.perf_counter) for _ in range(3))
        body = api.ok('GET', path)
        listed = body.get('role_assignments', body.get('projects'))
        assert len(listed) == rows, path
        print('%s: %.1f ms cpu, %.1f ms wall' % (path, cpu * 1000, wall * 1000))
        assert cpu < 0.25, '%s took %.0f ms for 1,000 projects' % (path, cpu * 1000)


def _timed(call, clock):
    start = clock()
    call()
    return clock() - start


def test_migration_007_adds_the_list_indexes_to_an_older_database(state):
    """A database made before the indexes (they dropped, version 6) gets them on db-sync."""
    names = {'projects': 'ix_projects_name', 'users': 'ix_users_name',
             'assignments': 'ix_assignments_role', 'endpoints': 'ix_endpoints_interface',
             'credentials': 'ix_credentials_type'}
    with state.db.engine.begin() as conn:
        for index in names.values():
            conn.execute(sa.text('DROP INDEX %s' % index))
        conn.execute(sa.text('UPDATE schema_version SET version = 6'))
    assert state.sync_schema() == 7
    inspector = sa.inspect(state.db.engine)
    for table, index in names.items():
        assert index in {ix['name'] for ix in inspector.get_indexes(table)}, index
    assert state.sync_schema() == 7  # and again: nothing to do
