"""The validation walk: every kind of bad request gets the right 4xx with Keystone's JSON
error body whose message names the problem -- never a 500."""
import json
import urllib.request

import pytest

pytestmark = pytest.mark.timeout(60)

N65, N256 = 'n' * 65, 'n' * 256


def _pw(user, password, scope=None, domain='Default'):
    auth = {'identity': {'methods': ['password'], 'password': {'user': {
        'name': user, 'domain': {'name': domain}, 'password': password}}}}
    if scope is not None:
        auth['scope'] = scope
    return {'auth': auth}


# (id, method, path, body (dict, or str sent raw), status, words the message must contain,
#  who calls: 'admin', 'demo' or None for no token)
CASES = [
    # malformed bodies
    ('malformed-json', 'POST', '/v3/projects', '{"project": {', 400, ['malformed json'],
     'admin'),
    ('body-not-object', 'POST', '/v3/projects', '[1, 2]', 400, ['json object'], 'admin'),
    ('body-string', 'POST', '/v3/users', '"user"', 400, ['json object'], 'admin'),
    ('empty-body', 'POST', '/v3/groups', '', 400, ['body'], 'admin'),
    ('not-utf8', 'POST', '/v3/projects', b'{"project": {"name": "\xff"}}', 400, ['json'],
     'admin'),
    ('auth-malformed-json', 'POST', '/v3/auth/tokens', '{auth', 400, ['malformed json'],
     None),
    # missing required fields
    ('project-missing-wrapper', 'POST', '/v3/projects', {}, 400, ['project'], 'admin'),
    ('project-missing-name', 'POST', '/v3/projects', {'project': {}}, 400, ['name'],
     'admin'),
    ('domain-missing-name', 'POST', '/v3/domains', {'domain': {'enabled': True}}, 400,
     ['name'], 'admin'),
    ('user-missing-name', 'POST', '/v3/users', {'user': {'password': 'x'}}, 400, ['name'],
     'admin'),
    ('group-missing-name', 'POST', '/v3/groups', {'group': {}}, 400, ['name'], 'admin'),
    ('role-missing-name', 'POST', '/v3/roles', {'role': {}}, 400, ['name'], 'admin'),
    ('endpoint-missing-url', 'POST', '/v3/endpoints', {'endpoint': {
        'service_id': 'x', 'interface': 'public'}}, 400, ['url'], 'admin'),
    ('credential-missing-blob', 'POST', '/v3/credentials', {'credential': {
        'user_id': '{demo_user}', 'type': 'ec2'}}, 400, ['blob'], 'admin'),
    ('password-change-missing-original', 'POST', '/v3/users/{demo_user}/password',
     {'user': {'password': 'new'}}, 400, ['original_password'], 'demo'),
    ('s3tokens-missing-signature', 'POST', '/v3/s3tokens', {'credentials': {
        'access': 'a', 'token': 'dA=='}}, 400, ['signature'], None),
    ('app-cred-missing-name', 'POST', '/v3/users/{demo_user}/application_credentials',
     {'application_credential': {}}, 400, ['name'], 'demo'),
    # wrong types
    # (issue 14's fuzz: a list as the user id reached the database and was a 500)
    ('auth-user-id-list', 'POST', '/v3/auth/tokens', {'auth': {'identity': {
        'methods': ['password'], 'password': {'user': {'id': [None, None],
                                                       'password': ''}}}}}, 400,
     ['password/user/id'], None),
    ('auth-domain-name-object', 'POST', '/v3/auth/tokens', {'auth': {'identity': {
        'methods': ['password'], 'password': {'user': {
            'name': 'u', 'domain': {'name': {}}, 'password': 'p'}}}}}, 400,
     ['user/domain/name'], None),
    ('auth-scope-project-id-list', 'POST', '/v3/auth/tokens',
     _pw('u', 'p', {'project': {'id': ['x']}}), 400, ['scope/project/id'], None),
    ('project-name-int', 'POST', '/v3/projects', {'project': {'name': 5}}, 400,
     ['project/name'], 'admin'),
    ('project-enabled-string', 'POST', '/v3/projects', {'project': {
        'name': 'p', 'enabled': 'yes'}}, 400, ['project/enabled'], 'admin'),
    ('user-password-int', 'POST', '/v3/users', {'user': {'name': 'u', 'password': 1}}, 400,
     ['user/password'], 'admin'),
    ('domain-tags-not-list', 'POST', '/v3/domains', {'domain': {'name': 'd', 'tags': 'a'}},
     400, ['domain/tags'], 'admin'),
    ('user-update-enabled-null', 'PATCH', '/v3/users/{demo_user}', {'user': {
        'enabled': None}}, 400, ['user/enabled'], 'admin'),
    ('project-update-empty', 'PATCH', '/v3/projects/{demo_project}', {'project': {}}, 400,
     ['project'], 'admin'),
    ('endpoint-bad-interface', 'POST', '/v3/endpoints', {'endpoint': {
        'service_id': 'x', 'interface': 'sideways', 'url': 'http://x'}}, 400,
     ['endpoint/interface'], 'admin'),
    ('app-cred-bad-expiry', 'POST', '/v3/users/{demo_user}/application_credentials',
     {'application_credential': {'name': 'ac', 'expires_at': 'tomorrow'}}, 400,
     ['expires_at'], 'demo'),
    ('app-cred-past-expiry', 'POST', '/v3/users/{demo_user}/application_credentials',
     {'application_credential': {'name': 'ac', 'expires_at': '2001-01-01T00:00:00Z'}}, 400,
     ['expires_at'], 'demo'),
    # over-long names
    ('project-name-65', 'POST', '/v3/projects', {'project': {'name': N65}}, 400,
     ['project/name', 'too long'], 'admin'),
    ('domain-name-65', 'POST', '/v3/domains', {'domain': {'name': N65}}, 400,
     ['domain/name', 'too long'], 'admin'),
    ('group-name-65', 'POST', '/v3/groups', {'group': {'name': N65}}, 400,
     ['group/name', 'too long'], 'admin'),
    ('user-name-256', 'POST', '/v3/users', {'user': {'name': N256}}, 400,
     ['user/name', 'too long'], 'admin'),
    ('role-name-256', 'POST', '/v3/roles', {'role': {'name': N256}}, 400,
     ['role/name', 'too long'], 'admin'),
    ('project-rename-65', 'PATCH', '/v3/projects/{demo_project}', {'project': {'name': N65}},
     400, ['project/name', 'too long'], 'admin'),
    ('empty-name', 'POST', '/v3/groups', {'group': {'name': ''}}, 400, ['group/name'],
     'admin'),
    # unknown ids in paths
    ('get-unknown-project', 'GET', '/v3/projects/nope', None, 404, ['project', 'nope'],
     'admin'),
    ('get-unknown-user', 'GET', '/v3/users/nope', None, 404, ['user', 'nope'], 'admin'),
    ('get-unknown-domain', 'GET', '/v3/domains/nope', None, 404, ['domain', 'nope'],
     'admin'),
    ('get-unknown-group', 'GET', '/v3/groups/nope', None, 404, ['group', 'nope'], 'admin'),
    ('get-unknown-role', 'GET', '/v3/roles/nope', None, 404, ['role', 'nope'], 'admin'),
    ('get-unknown-credential', 'GET', '/v3/credentials/nope', None, 404,
     ['credential', 'nope'], 'admin'),
    ('patch-unknown-user', 'PATCH', '/v3/users/nope', {'user': {'email': 'a@b'}}, 404,
     ['user', 'nope'], 'admin'),
    ('delete-unknown-project', 'DELETE', '/v3/projects/nope', None, 404, ['project', 'nope'],
     'admin'),
    ('grant-unknown-project', 'PUT', '/v3/projects/nope/users/{demo_user}/roles/{member}',
     None, 404, ['project', 'nope'], 'admin'),
    ('grant-unknown-user', 'PUT', '/v3/projects/{demo_project}/users/nope/roles/{member}',
     None, 404, ['user', 'nope'], 'admin'),
    ('grant-unknown-role', 'PUT', '/v3/projects/{demo_project}/users/{demo_user}/roles/nope',
     None, 404, ['role', 'nope'], 'admin'),
    ('grant-unknown-domain', 'PUT', '/v3/domains/nope/users/{demo_user}/roles/{member}', None,
     404, ['domain', 'nope'], 'admin'),
    ('inherited-grant-unknown-role', 'PUT',
     '/v3/OS-INHERIT/domains/default/users/{demo_user}/roles/nope/inherited_to_projects',
     None, 404, ['role', 'nope'], 'admin'),
    ('membership-unknown-group', 'PUT', '/v3/groups/nope/users/{demo_user}', None, 404,
     ['group', 'nope'], 'admin'),
    ('implied-unknown-role', 'PUT', '/v3/roles/nope/implies/{member}', None, 404,
     ['role', 'nope'], 'admin'),
    ('ec2-unknown-access', 'GET', '/v3/users/{demo_user}/credentials/OS-EC2/nope', None, 404,
     ['credential', 'nope'], 'demo'),
    ('app-cred-unknown', 'GET', '/v3/users/{demo_user}/application_credentials/nope', None,
     404, ['application credential', 'nope'], 'demo'),
    # unknown ids in bodies
    ('project-unknown-domain', 'POST', '/v3/projects', {'project': {
        'name': 'p', 'domain_id': 'nope'}}, 404, ['domain', 'nope'], 'admin'),
    ('project-unknown-parent', 'POST', '/v3/projects', {'project': {
        'name': 'p', 'parent_id': 'nope'}}, 404, ['project', 'nope'], 'admin'),
    ('user-unknown-domain', 'POST', '/v3/users', {'user': {'name': 'u', 'domain_id': 'nope'}},
     404, ['domain', 'nope'], 'admin'),
    ('user-unknown-default-project', 'POST', '/v3/users', {'user': {
        'name': 'u', 'default_project_id': 'nope'}}, 404, ['project', 'nope'], 'admin'),
    ('user-update-unknown-default-project', 'PATCH', '/v3/users/{demo_user}', {'user': {
        'default_project_id': 'nope'}}, 404, ['project', 'nope'], 'admin'),
    ('group-unknown-domain', 'POST', '/v3/groups', {'group': {'name': 'g', 'domain_id': 'nope'}},
     404, ['domain', 'nope'], 'admin'),
    ('role-unknown-domain', 'POST', '/v3/roles', {'role': {'name': 'r', 'domain_id': 'nope'}},
     404, ['domain', 'nope'], 'admin'),
    ('endpoint-unknown-service', 'POST', '/v3/endpoints', {'endpoint': {
        'service_id': 'nope', 'interface': 'public', 'url': 'http://x'}}, 404,
     ['service', 'nope'], 'admin'),
    ('credential-unknown-user', 'POST', '/v3/credentials', {'credential': {
        'user_id': 'nope', 'type': 'totp', 'blob': 'x'}}, 404, ['user', 'nope'], 'admin'),
    ('ec2-unknown-project', 'POST', '/v3/users/{demo_user}/credentials/OS-EC2',
     {'tenant_id': 'nope'}, 404, ['project', 'nope'], 'demo'),
    ('app-cred-unknown-role', 'POST', '/v3/users/{demo_user}/application_credentials',
     {'application_credential': {'name': 'ac', 'roles': [{'name': 'nope'}]}}, 404,
     ['role', 'nope'], 'demo'),
    ('app-cred-role-not-held', 'POST', '/v3/users/{demo_user}/application_credentials',
     {'application_credential': {'name': 'ac', 'roles': [{'name': 'admin'}]}}, 403,
     ['admin'], 'demo'),
    # duplicates
    ('duplicate-project', 'POST', '/v3/projects', {'project': {'name': 'demo'}}, 409,
     ['duplicate', 'demo'], 'admin'),
    ('duplicate-domain', 'POST', '/v3/domains', {'domain': {'name': 'Default'}}, 409,
     ['duplicate', 'default'], 'admin'),
    ('duplicate-domain-id', 'POST', '/v3/domains', {'domain': {
        'name': 'another-default', 'explicit_domain_id': 'default'}}, 409,
     ['duplicate', 'default'], 'admin'),
    ('duplicate-user', 'POST', '/v3/users', {'user': {'name': 'demo'}}, 409,
     ['duplicate', 'demo'], 'admin'),
    ('duplicate-role', 'POST', '/v3/roles', {'role': {'name': 'member'}}, 409,
     ['duplicate', 'member'], 'admin'),
    ('duplicate-region', 'POST', '/v3/regions', {'region': {'id': 'RegionOne'}}, 409,
     ['duplicate', 'regionone'], 'admin'),
    ('rename-user-to-duplicate', 'PATCH', '/v3/users/{demo_user}', {'user': {'name': 'admin'}},
     409, ['duplicate', 'admin'], 'admin'),
    # query parameters
    ('bad-enabled-filter-projects', 'GET', '/v3/projects?enabled=maybe', None, 400,
     ['enabled', 'boolean'], 'admin'),
    ('bad-enabled-filter-users', 'GET', '/v3/users?enabled=perhaps', None, 400,
     ['enabled', 'boolean'], 'admin'),
    ('bad-enabled-filter-domains', 'GET', '/v3/domains?enabled=2', None, 400,
     ['enabled', 'boolean'], 'admin'),
    ('bad-effective', 'GET', '/v3/role_assignments?effective=sometimes', None, 400,
     ['effective', 'boolean'], 'admin'),
    ('bad-include-names', 'GET', '/v3/role_assignments?include_names=x', None, 400,
     ['include_names', 'boolean'], 'admin'),
    ('bad-limit', 'GET', '/v3/users?limit=ten', None, 400, ['limit', 'integer'], 'admin'),
    ('zero-limit', 'GET', '/v3/users?limit=0', None, 400, ['limit'], 'admin'),
    ('bad-filter-operator', 'GET', '/v3/users?name__like=a', None, 400, ['like'], 'admin'),
    ('bad-revoke-since', 'GET', '/v3/OS-REVOKE/events?since=yesterday', None, 400, ['since'],
     'admin'),
    ('bad-revoke-since-id', 'GET', '/v3/OS-REVOKE/events?since_id=x', None, 400,
     ['since_id'], 'admin'),
    # auth bodies
    ('auth-missing-auth', 'POST', '/v3/auth/tokens', {}, 400, ['auth'], None),
    ('auth-missing-identity', 'POST', '/v3/auth/tokens', {'auth': {}}, 400, ['identity'],
     None),
    ('auth-methods-not-list', 'POST', '/v3/auth/tokens', {'auth': {'identity': {
        'methods': 'password'}}}, 400, ['methods'], None),
    ('auth-unknown-method', 'POST', '/v3/auth/tokens', {'auth': {'identity': {
        'methods': ['kerberos'], 'kerberos': {}}}}, 401, ['kerberos'], None),
    ('auth-method-without-data', 'POST', '/v3/auth/tokens', {'auth': {'identity': {
        'methods': ['password']}}}, 400, ['identity/password'], None),
    ('auth-missing-password', 'POST', '/v3/auth/tokens', {'auth': {'identity': {
        'methods': ['password'], 'password': {'user': {'name': 'demo',
                                                       'domain': {'name': 'Default'}}}}}},
     400, ['password'], None),
    ('auth-user-without-domain', 'POST', '/v3/auth/tokens', {'auth': {'identity': {
        'methods': ['password'], 'password': {'user': {'name': 'demo', 'password': 'x'}}}}},
     400, ['domain'], None),
    ('auth-wrong-password', 'POST', '/v3/auth/tokens', _pw('demo', 'wrong'), 401,
     ['authentication'], None),
    ('auth-unknown-user', 'POST', '/v3/auth/tokens', _pw('nobody-here', 'x'), 401,
     ['authentication'], None),
    ('auth-unknown-user-domain', 'POST', '/v3/auth/tokens', _pw('demo', 'x', domain='Nope'),
     401, ['authentication'], None),
    ('auth-garbage-token', 'POST', '/v3/auth/tokens', {'auth': {'identity': {
        'methods': ['token'], 'token': {'id': 'not-a-token'}}}}, 401, ['token'], None),
    ('auth-app-cred-no-secret', 'POST', '/v3/auth/tokens', {'auth': {'identity': {
        'methods': ['application_credential'], 'application_credential': {'id': 'x'}}}}, 400,
     ['secret'], None),
    ('auth-app-cred-unknown', 'POST', '/v3/auth/tokens', {'auth': {'identity': {
        'methods': ['application_credential'], 'application_credential': {
            'id': 'nope', 'secret': 's'}}}}, 401, ['authentication'], None),
    # bad scope
    ('scope-two-targets', 'POST', '/v3/auth/tokens', _pw('demo', '{demo_password}', {
        'project': {'id': '{demo_project}'}, 'domain': {'id': 'default'}}), 400,
     ['exactly one'], None),
    ('scope-unknown-kind', 'POST', '/v3/auth/tokens', _pw('demo', '{demo_password}', {
        'galaxy': {'id': 'x'}}), 400, ['galaxy'], None),
    ('scope-unknown-project', 'POST', '/v3/auth/tokens', _pw('demo', '{demo_password}', {
        'project': {'id': 'nope'}}), 401, ['nope'], None),
    ('scope-project-no-domain', 'POST', '/v3/auth/tokens', _pw('demo', '{demo_password}', {
        'project': {'name': 'demo'}}), 400, ['domain'], None),
    ('scope-project-without-role', 'POST', '/v3/auth/tokens', _pw('demo', '{demo_password}', {
        'project': {'name': 'admin', 'domain': {'name': 'Default'}}}), 401, ['access'], None),
    ('scope-domain-without-role', 'POST', '/v3/auth/tokens', _pw('demo', '{demo_password}', {
        'domain': {'id': 'default'}}), 401, ['domain'], None),
    ('scope-system-without-role', 'POST', '/v3/auth/tokens', _pw('demo', '{demo_password}', {
        'system': {'all': True}}), 401, ['system'], None),
    ('scope-system-bad', 'POST', '/v3/auth/tokens', _pw('demo', '{demo_password}', {
        'system': 'all'}), 400, ['scope/system'], None),
    ('scope-not-object', 'POST', '/v3/auth/tokens', _pw('demo', '{demo_password}', 7), 400,
     ['scope'], None),
    # token-related headers and rights
    ('validate-without-subject', 'GET', '/v3/auth/tokens', None, 400, ['x-subject-token'],
     'admin'),
    ('no-token', 'GET', '/v3/users', None, 401, ['authentication'], None),
    ('demo-lists-users', 'GET', '/v3/users', None, 403, ['identity:list_users'], 'demo'),
    ('demo-creates-project', 'POST', '/v3/projects', {'project': {'name': 'x'}}, 403,
     ['identity:create_project'], 'demo'),
    ('content-type-not-json', 'POST', '/v3/projects', 'name=x', 415, ['content-type'],
     'admin'),
    # other
    ('unknown-path', 'GET', '/v3/no-such-thing', None, 404, ['could not be found'], 'admin'),
    ('role-implies-itself', 'PUT', '/v3/roles/{member}/implies/{member}', None, 400,
     ['cycle'], 'admin'),
    ('implied-cycle', 'PUT', '/v3/roles/{reader}/implies/{admin}', None, 409, ['cycle'],
     'admin'),
    ('delete-enabled-domain', 'DELETE', '/v3/domains/default', None, 403, ['enabled'],
     'admin'),
    ('wrong-original-password', 'POST', '/v3/users/{demo_user}/password', {'user': {
        'original_password': 'wrong', 'password': 'new'}}, 401, ['original password'], 'demo'),
    ('ec2-blob-not-json', 'POST', '/v3/credentials', {'credential': {
        'user_id': '{demo_user}', 'type': 'ec2', 'blob': 'nope',
        'project_id': '{demo_project}'}}, 400, ['blob'], 'admin'),
    ('s3-token-not-base64', 'POST', '/v3/s3tokens', {'credentials': {
        'access': 'a', 'token': '%%%', 'signature': 's'}}, 400, ['token'], None),
    ('s3-unknown-access', 'POST', '/v3/s3tokens', {'credentials': {
        'access': 'nope', 'token': 'dA==', 'signature': 's'}}, 401, ['nope'], None),
]


@pytest.fixture(scope='module')
def ctx(identity, admin_token):
    def first(path, key):
        return identity.request('GET', path, token=admin_token)[2][key][0]['id']
    roles = {name: first('/v3/roles?name=%s' % name, 'roles')
             for name in ('admin', 'member', 'reader')}
    return dict(roles, demo_user=first('/v3/users?name=demo', 'users'),
                demo_project=first('/v3/projects?name=demo', 'projects'),
                demo_password=identity.demo_password,
                tokens={'admin': admin_token,
                        'demo': identity.token('demo', project='demo')})


def _fill(value, ctx):
    if isinstance(value, str):
        return value.format(**ctx) if '{' in value else value
    if isinstance(value, dict):
        return {k: _fill(v, ctx) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ctx) for v in value]
    return value


def _send(identity, method, path, body, token, content_type='application/json'):
    data = body if isinstance(body, bytes) else (
        body.encode() if isinstance(body, str) else
        (json.dumps(body).encode() if body is not None else None))
    req = urllib.request.Request(identity.url + path, data=data, method=method)
    req.add_header('Content-Type', content_type)
    if token:
        req.add_header('X-Auth-Token', token)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.mark.parametrize('case', CASES, ids=[c[0] for c in CASES])
def test_bad_request_gets_named_4xx(identity, ctx, case):
    _id, method, path, body, status, words, who = case
    body = _fill(body, ctx) if not isinstance(body, (str, bytes)) else body
    ctype = 'text/plain' if _id == 'content-type-not-json' else 'application/json'
    got, headers, raw = _send(identity, method, _fill(path, ctx), body,
                              ctx['tokens'].get(who), ctype)
    assert got == status, raw
    error = json.loads(raw)['error']
    assert set(error) == {'code', 'title', 'message'}
    assert error['code'] == status and error['title']
    for word in words:
        assert word in error['message'].lower(), error['message']
    assert headers.get('Content-Type', '').startswith('application/json')


ALLOWED = [
    ('/v3/projects', 'DELETE', {'GET', 'HEAD', 'POST'}),
    ('/v3/users', 'PUT', {'GET', 'HEAD', 'POST'}),
    ('/v3/projects/{demo_project}', 'POST', {'GET', 'HEAD', 'PATCH', 'DELETE'}),
    ('/v3/auth/tokens', 'PATCH', {'GET', 'HEAD', 'POST', 'DELETE'}),
    ('/v3/auth/keys', 'POST', {'GET', 'HEAD'}),
    ('/v3/role_assignments', 'DELETE', {'GET', 'HEAD'}),
    ('/v3/users/{demo_user}/password', 'GET', {'POST'}),
    ('/v3/s3tokens', 'GET', {'POST'}),
]


@pytest.mark.parametrize('path,method,allowed', ALLOWED, ids=[a[0] + ' ' + a[1] for a in ALLOWED])
def test_unsupported_method_is_405_with_allow(identity, ctx, path, method, allowed):
    status, headers, raw = _send(identity, method, _fill(path, ctx), None,
                                 ctx['tokens']['admin'])
    assert status == 405
    assert {m.strip() for m in headers['Allow'].split(',')} == allowed
    error = json.loads(raw)['error']
    assert error['code'] == 405 and method in error['message']


def test_no_valid_request_leaves_partial_state(identity, ctx, admin_token):
    """The failed creations above must not have created anything."""
    for path, key in (('/v3/projects?name=p', 'projects'), ('/v3/users?name=u', 'users'),
                      ('/v3/groups?name=g', 'groups'), ('/v3/roles?name=r', 'roles'),
                      ('/v3/domains?name=another-default', 'domains')):
        status, _, body = identity.request('GET', path, token=admin_token)
        assert status == 200 and body[key] == [], path
