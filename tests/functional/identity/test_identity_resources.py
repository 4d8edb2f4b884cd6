"""The Identity API's resources end to end: domains, project hierarchy, users, groups,
roles and implied roles, assignments (OS-INHERIT too), the /v3/auth/* views, token scopes
and rescoping, application and EC2 credentials with S3 signatures, list filters and the
catalog's endpoint URL substitution."""
import base64
import datetime
import hashlib
import hmac
import json
import os
import sqlite3
import time

import pytest

pytestmark = pytest.mark.timeout(60)


def _role_names(body):
    return sorted(r['name'] for r in body['token'].get('roles', []))


def _scoped(api, user, project):
    status, token, body = api.auth(user, {'project': {'id': project['id']}})
    assert status == 201, body
    return token, body


def test_domain_lifecycle(api):
    domain = api.create('domain', description='d1')
    assert domain['enabled'] is True and domain['description'] == 'd1'
    _, _, body = api.call('PATCH', '/v3/domains/%s' % domain['id'],
                          {'domain': {'description': 'd2', 'tags': ['t1']}}, expect=200)
    assert body['domain']['description'] == 'd2' and body['domain']['tags'] == ['t1']
    status, _, body = api.call('DELETE', '/v3/domains/%s' % domain['id'])
    assert status == 403 and 'disable' in body['error']['message']
    api.call('PATCH', '/v3/domains/%s' % domain['id'], {'domain': {'enabled': False}},
             expect=200)
    _, _, listed = api.call('GET', '/v3/domains?enabled=false', expect=200)
    assert domain['id'] in [d['id'] for d in listed['domains']]
    api.call('DELETE', '/v3/domains/%s' % domain['id'], expect=204)
    api.call('GET', '/v3/domains/%s' % domain['id'], expect=404)


def test_project_hierarchy(api):
    domain = api.create('domain')
    top = api.create('project', domain_id=domain['id'])
    assert top['parent_id'] == domain['id'] and top['is_domain'] is False
    child = api.create('project', parent_id=top['id'])
    grandchild = api.create('project', parent_id=child['id'])
    # Children live in their parent's domain without naming it.
    assert child['domain_id'] == grandchild['domain_id'] == domain['id']
    assert child['parent_id'] == top['id'] and grandchild['parent_id'] == child['id']
    status, _, body = api.call('POST', '/v3/projects', {'project': {
        'name': api.name('p'), 'parent_id': top['id'], 'domain_id': 'default'}})
    assert status == 400 and top['id'] in body['error']['message']

    _, _, body = api.call('GET', '/v3/projects?parent_id=%s' % top['id'], expect=200)
    assert [p['id'] for p in body['projects']] == [child['id']]
    status, _, body = api.call('DELETE', '/v3/projects/%s' % top['id'])
    assert status == 403 and 'child' in body['error']['message']
    status, _, body = api.call('PATCH', '/v3/projects/%s' % child['id'],
                               {'project': {'parent_id': None}})
    assert status == 400
    api.call('DELETE', '/v3/projects/%s' % grandchild['id'], expect=204)
    api.call('DELETE', '/v3/projects/%s' % child['id'], expect=204)
    api.call('DELETE', '/v3/projects/%s' % top['id'], expect=204)
    api.call('GET', '/v3/projects/%s' % top['id'], expect=404)


def test_password_is_hashed_and_never_returned(identity, api):
    password = 'plain-' + os.urandom(6).hex()
    user = api.user(password=password, email='u@example.org')
    responses = [api.call('GET', '/v3/users/%s' % user['id'], expect=200)[2],
                 api.call('GET', '/v3/users?name=%s' % user['name'], expect=200)[2],
                 api.call('PATCH', '/v3/users/%s' % user['id'],
                          {'user': {'password': password + 'x'}}, expect=200)[2],
                 api.call('GET', '/v3/role_assignments?include_names=true', expect=200)[2]]
    user['password'] = password + 'x'
    responses.append(api.auth(user)[2])
    for body in responses:
        text = json.dumps(body)
        assert password not in text and 'password_hash' not in text and 'scrypt' not in text
        assert '"password":' not in text
    db = sqlite3.connect(os.path.join(identity.workdir, 'state', 'identity.sqlite'))
    try:
        (stored,) = db.execute('SELECT password_hash FROM users WHERE id = ?',
                               (user['id'],)).fetchone()
    finally:
        db.close()
    assert stored.startswith('scrypt$') and password not in stored
    assert api.auth(user, password=password)[0] == 401


def test_groups_membership_and_group_roles(api):
    user = api.user()
    group = api.create('group', description='g')
    project = api.create('project')
    member_path = '/v3/groups/%s/users/%s' % (group['id'], user['id'])
    api.call('HEAD', member_path, expect=404)
    api.call('PUT', member_path, expect=204)
    api.call('HEAD', member_path, expect=204)
    _, _, body = api.call('GET', '/v3/groups/%s/users' % group['id'], expect=200)
    assert [u['id'] for u in body['users']] == [user['id']]
    _, _, body = api.call('GET', '/v3/users/%s/groups' % user['id'], expect=200)
    assert [g['id'] for g in body['groups']] == [group['id']]

    assert api.auth(user, {'project': {'id': project['id']}})[0] == 401
    api.call('PUT', '/v3/projects/%s/groups/%s/roles/%s'
             % (project['id'], group['id'], api.role_id('member')), expect=204)
    _, body = _scoped(api, user, project)
    assert _role_names(body) == ['member', 'reader']
    _, _, body = api.call('GET', '/v3/role_assignments?effective&user.id=%s' % user['id'],
                          expect=200)
    [entry] = [a for a in body['role_assignments'] if a['role']['id'] == api.role_id('member')]
    assert entry['links']['membership'].endswith(member_path)

    api.call('DELETE', member_path, expect=204)
    api.call('HEAD', member_path, expect=404)
    assert api.auth(user, {'project': {'id': project['id']}})[0] == 401


def test_implied_roles_expand_in_tokens(api):
    user = api.user()
    project = api.create('project')
    api.grant(user['id'], 'admin', project['id'])
    _, body = _scoped(api, user, project)
    assert _role_names(body) == ['admin', 'member', 'reader']

    _, _, body = api.call('GET', '/v3/roles/%s/implies' % api.role_id('admin'), expect=200)
    assert [r['name'] for r in body['role_inference']['implies']] == ['member']
    _, _, body = api.call('GET', '/v3/role_inferences', expect=200)
    rules = {r['prior_role']['name']: [i['name'] for i in r['implies']]
             for r in body['role_inferences']}
    assert rules['admin'] == ['member'] and rules['member'] == ['reader']

    # A new implication applies to tokens issued after it.
    extra = api.create('role')
    path = '/v3/roles/%s/implies/%s' % (api.role_id('reader'), extra['id'])
    _, _, rule = api.call('PUT', path, expect=201)
    assert rule['role_inference']['implies']['id'] == extra['id']
    api.call('HEAD', path, expect=204)
    try:
        _, body = _scoped(api, user, project)
        assert _role_names(body) == sorted(['admin', 'member', 'reader', extra['name']])
    finally:
        api.call('DELETE', path, expect=204)
    api.call('GET', path, expect=404)
    api.call('HEAD', path, expect=404)


def test_system_and_domain_assignments_and_scopes(api):
    user = api.user()
    domain = api.create('domain')
    api.call('PUT', '/v3/system/users/%s/roles/%s' % (user['id'], api.role_id('reader')),
             expect=204)
    api.grant(user['id'], 'member', domain_id=domain['id'])

    status, token, body = api.auth(user, {'system': {'all': True}})
    assert status == 201 and body['token']['system'] == {'all': True}
    assert _role_names(body) == ['reader']
    _, _, system = api.call('GET', '/v3/auth/system', token=token, expect=200)
    assert system['system'] == [{'all': True}]
    # A system reader may read every user but not change one.
    api.call('GET', '/v3/users', token=token, expect=200)
    api.call('PATCH', '/v3/users/%s' % user['id'], {'user': {'email': 'x@y'}}, token=token,
             expect=403)

    status, token, body = api.auth(user, {'domain': {'id': domain['id']}})
    assert status == 201 and body['token']['domain']['id'] == domain['id']
    assert _role_names(body) == ['member', 'reader']
    assert 'project' not in body['token']
    _, _, domains = api.call('GET', '/v3/auth/domains', token=token, expect=200)
    assert [d['id'] for d in domains['domains']] == [domain['id']]

    _, _, body = api.call('GET', '/v3/role_assignments?user.id=%s' % user['id'], expect=200)
    scopes = sorted(json.dumps(a['scope'], sort_keys=True) for a in body['role_assignments'])
    assert scopes == sorted([json.dumps({'system': {'all': True}}),
                             json.dumps({'domain': {'id': domain['id']}})])
    api.call('HEAD', '/v3/domains/%s/users/%s/roles/%s'
             % (domain['id'], user['id'], api.role_id('member')), expect=204)
    _, _, body = api.call('GET', '/v3/domains/%s/users/%s/roles' % (domain['id'], user['id']),
                          expect=200)
    assert [r['name'] for r in body['roles']] == ['member']


def test_inherited_domain_role_reaches_every_project(api):
    user = api.user()
    domain = api.create('domain')
    first = api.create('project', domain_id=domain['id'])
    second = api.create('project', domain_id=domain['id'])
    nested = api.create('project', parent_id=first['id'])
    api.grant(user['id'], 'member', domain_id=domain['id'], inherited=True)
    # Inherited to projects only: no domain-scoped token.
    assert api.auth(user, {'domain': {'id': domain['id']}})[0] == 401
    for project in (first, second, nested):
        _, body = _scoped(api, user, project)
        assert _role_names(body) == ['member', 'reader'], project['name']

    _, _, body = api.call('GET', '/v3/role_assignments?effective&user.id=%s' % user['id'],
                          expect=200)
    effective = {(a['scope']['project']['id'], a['role']['id'])
                 for a in body['role_assignments']}
    expected = {(p['id'], api.role_id(r)) for p in (first, second, nested)
                for r in ('member', 'reader')}
    assert effective == expected
    _, _, body = api.call('GET', '/v3/role_assignments?user.id=%s'
                          '&scope.OS-INHERIT:inherited_to=projects' % user['id'], expect=200)
    [raw] = body['role_assignments']
    assert raw['scope'] == {'domain': {'id': domain['id']},
                            'OS-INHERIT:inherited_to': 'projects'}
    _, _, body = api.call('GET', '/v3/OS-INHERIT/domains/%s/users/%s/roles/inherited_to_projects'
                          % (domain['id'], user['id']), expect=200)
    assert [r['name'] for r in body['roles']] == ['member']

    # A project made later inherits too.
    later = api.create('project', domain_id=domain['id'])
    _, body = _scoped(api, user, later)
    assert _role_names(body) == ['member', 'reader']


def test_inherited_project_role_reaches_subtree_only(api):
    user = api.user()
    parent = api.create('project')
    child = api.create('project', parent_id=parent['id'])
    api.call('PUT', '/v3/OS-INHERIT/projects/%s/users/%s/roles/%s/inherited_to_projects'
             % (parent['id'], user['id'], api.role_id('reader')), expect=204)
    assert api.auth(user, {'project': {'id': parent['id']}})[0] == 401
    _, body = _scoped(api, user, child)
    assert _role_names(body) == ['reader']


def test_auth_views_unscoped_token_and_rescope(api):
    user = api.user()
    project, other = api.create('project'), api.create('project')
    api.grant(user['id'], 'member', project['id'])
    status, unscoped, body = api.auth(user)
    assert status == 201
    assert 'project' not in body['token'] and 'roles' not in body['token']
    assert 'catalog' not in body['token']
    _, _, projects = api.call('GET', '/v3/auth/projects', token=unscoped, expect=200)
    assert [p['id'] for p in projects['projects']] == [project['id']]
    _, _, domains = api.call('GET', '/v3/auth/domains', token=unscoped, expect=200)
    assert domains['domains'] == []
    api.call('GET', '/v3/auth/catalog', token=unscoped, expect=403)
    _, _, system = api.call('GET', '/v3/auth/system', token=unscoped, expect=200)
    assert system['system'] == []

    rescope = {'auth': {'identity': {'methods': ['token'], 'token': {'id': unscoped}},
                        'scope': {'project': {'id': project['id']}}}}
    status, hdrs, body = api.call('POST', '/v3/auth/tokens', rescope, token='')
    assert status == 201 and body['token']['project']['id'] == project['id']
    assert _role_names(body) == ['member', 'reader']
    assert body['token']['user']['id'] == user['id']
    assert sorted(body['token']['methods']) == ['password', 'token']
    assert body['token']['audit_ids'][1] == api.call(
        'GET', '/v3/auth/tokens', headers={'X-Subject-Token': unscoped})[2]['token'][
        'audit_ids'][0]
    scoped = hdrs['X-Subject-Token']
    _, _, catalog = api.call('GET', '/v3/auth/catalog', token=scoped, expect=200)
    assert any(s['type'] == 'identity' for s in catalog['catalog'])
    assert catalog['catalog'] == body['token']['catalog']

    rescope['auth']['scope'] = {'project': {'id': other['id']}}
    assert api.call('POST', '/v3/auth/tokens', rescope, token='')[0] == 401


def test_default_project_scopes_a_token_without_scope(api):
    project = api.create('project')
    user = api.user(default_project_id=project['id'])
    assert 'project' not in api.auth(user)[2]['token']
    api.grant(user['id'], 'reader', project['id'])
    body = api.auth(user)[2]
    assert body['token']['project']['id'] == project['id']


def _app_cred(api, user, token, **attrs):
    attrs.setdefault('name', api.name('ac'))
    _, _, body = api.call('POST', '/v3/users/%s/application_credentials' % user['id'],
                          {'application_credential': attrs}, token=token, expect=201)
    return body['application_credential']


def _app_auth(api, cred, secret=None):
    req = {'auth': {'identity': {'methods': ['application_credential'],
                                 'application_credential': {
                                     'id': cred['id'], 'secret': secret or cred['secret']}}}}
    status, hdrs, body = api.call('POST', '/v3/auth/tokens', req, token='')
    return status, hdrs.get('X-Subject-Token'), body


def test_application_credentials_restricted_expiring_deleted(api):
    user = api.user()
    project = api.create('project')
    api.grant(user['id'], 'admin', project['id'])
    token, _ = _scoped(api, user, project)

    reader_only = _app_cred(api, user, token, roles=[{'name': 'reader'}])
    assert [r['name'] for r in reader_only['roles']] == ['reader']
    _, _, shown = api.call('GET', '/v3/users/%s/application_credentials/%s'
                           % (user['id'], reader_only['id']), token=token, expect=200)
    assert 'secret' not in shown['application_credential']
    status, app_token, body = _app_auth(api, reader_only)
    assert status == 201 and _role_names(body) == ['reader']
    assert body['token']['project']['id'] == project['id']
    assert body['token']['application_credential']['restricted'] is True
    assert body['token']['methods'] == ['application_credential']
    # What the reader-only credential's token may not do.
    api.call('POST', '/v3/projects', {'project': {'name': api.name('p')}}, token=app_token,
             expect=403)
    status, _, body = api.call('POST', '/v3/users/%s/application_credentials' % user['id'],
                               {'application_credential': {'name': api.name('ac')}},
                               token=app_token)
    assert status == 403 and 'application credential' in body['error']['message']
    assert _app_auth(api, reader_only, secret='wrong')[0] == 401
    status, _, _ = api.call('POST', '/v3/auth/tokens', {'auth': {'identity': {
        'methods': ['token'], 'token': {'id': app_token}}}}, token='')
    assert status in (401, 403)

    # Expiry: the token never outlives the credential, and the credential stops working.
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=3)
    short = _app_cred(api, user, token, expires_at=expires.strftime('%Y-%m-%dT%H:%M:%S.%fZ'))
    # echoed as Keystone does (tempest compares it with datetime.isoformat())
    assert short['expires_at'] == expires.replace(tzinfo=None).isoformat()
    status, short_token, body = _app_auth(api, short)
    assert status == 201
    token_expiry = datetime.datetime.fromisoformat(
        body['token']['expires_at'].replace('Z', '+00:00'))
    assert token_expiry <= expires + datetime.timedelta(seconds=1)
    time.sleep(max(0.0, (expires - datetime.datetime.now(datetime.timezone.utc))
                   .total_seconds()) + 0.5)
    assert _app_auth(api, short)[0] == 401
    api.call('GET', '/v3/auth/tokens', headers={'X-Subject-Token': short_token}, expect=404)

    _, _, listed = api.call('GET', '/v3/users/%s/application_credentials' % user['id'],
                            token=token, expect=200)
    assert {c['id'] for c in listed['application_credentials']} == {reader_only['id'],
                                                                     short['id']}
    api.call('DELETE', '/v3/users/%s/application_credentials/%s'
             % (user['id'], reader_only['id']), token=token, expect=204)
    api.call('GET', '/v3/auth/tokens', headers={'X-Subject-Token': app_token}, expect=404)
    assert _app_auth(api, reader_only)[0] == 401
    # The user's own token is untouched.
    api.call('GET', '/v3/auth/tokens', headers={'X-Subject-Token': token}, expect=200)


def _sigv4(secret, access_date, region, canonical_request):
    """An AWS SigV4 string to sign and its signature, as an S3 client computes them."""
    date = access_date[:8]
    scope = '%s/%s/s3/aws4_request' % (date, region)
    string_to_sign = '\n'.join(['AWS4-HMAC-SHA256', access_date, scope,
                                hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = ('AWS4' + secret).encode()
    for part in (date, region, 's3', 'aws4_request'):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return string_to_sign, hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def _s3token(api, access, string_to_sign, signature):
    return api.call('POST', '/v3/s3tokens', {'credentials': {
        'access': access, 'token': base64.b64encode(string_to_sign.encode()).decode(),
        'signature': signature}}, token='')


def test_ec2_credentials_and_s3tokens(api):
    user = api.user()
    project = api.create('project')
    api.grant(user['id'], 'member', project['id'])
    token, _ = _scoped(api, user, project)
    base = '/v3/users/%s/credentials/OS-EC2' % user['id']

    _, _, body = api.call('POST', base, {'tenant_id': project['id']}, token=token, expect=201)
    cred = body['credential']
    assert cred['user_id'] == user['id'] and cred['tenant_id'] == project['id']
    assert cred['access'] and cred['secret']
    _, _, listed = api.call('GET', base, token=token, expect=200)
    assert [c['access'] for c in listed['credentials']] == [cred['access']]
    _, _, shown = api.call('GET', '%s/%s' % (base, cred['access']), token=token, expect=200)
    assert shown['credential']['secret'] == cred['secret']
    # Another user may not read it.
    other = api.user()
    api.grant(other['id'], 'member', project['id'])
    other_token, _ = _scoped(api, other, project)
    api.call('GET', '%s/%s' % (base, cred['access']), token=other_token, expect=403)

    amz_date = time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())
    canonical = '\n'.join(['GET', '/bucket/key', '', 'host:127.0.0.1:8080',
                           'x-amz-content-sha256:UNSIGNED-PAYLOAD',
                           'x-amz-date:%s' % amz_date, '',
                           'host;x-amz-content-sha256;x-amz-date', 'UNSIGNED-PAYLOAD'])
    string_to_sign, signature = _sigv4(cred['secret'], amz_date, 'RegionOne', canonical)
    status, hdrs, body = _s3token(api, cred['access'], string_to_sign, signature)
    assert status == 200, body
    assert body['token']['user']['id'] == user['id']
    assert body['token']['project']['id'] == project['id']
    assert _role_names(body) == ['member', 'reader']
    api.call('GET', '/v3/auth/tokens', headers={'X-Subject-Token': hdrs['X-Subject-Token']},
             expect=200)

    # The request is only present as its hash: a different request has another hash.
    tampered = string_to_sign[:-1] + ('0' if string_to_sign[-1] != '0' else '1')
    assert _s3token(api, cred['access'], tampered, signature)[0] == 401
    assert _s3token(api, cred['access'], string_to_sign, signature[::-1])[0] == 401
    _, wrong_secret_sig = _sigv4(cred['secret'] + 'x', amz_date, 'RegionOne', canonical)
    assert _s3token(api, cred['access'], string_to_sign, wrong_secret_sig)[0] == 401

    api.call('DELETE', '%s/%s' % (base, cred['access']), token=token, expect=204)
    api.call('GET', '%s/%s' % (base, cred['access']), token=token, expect=404)
    assert _s3token(api, cred['access'], string_to_sign, signature)[0] == 401


def test_credentials_crud(api):
    user = api.user()
    project = api.create('project')
    blob = json.dumps({'access': os.urandom(8).hex(), 'secret': os.urandom(8).hex()})
    _, _, body = api.call('POST', '/v3/credentials', {'credential': {
        'user_id': user['id'], 'project_id': project['id'], 'type': 'ec2', 'blob': blob}},
        expect=201)
    cred = body['credential']
    assert cred['id'] == hashlib.sha256(json.loads(blob)['access'].encode()).hexdigest()
    _, _, body = api.call('POST', '/v3/credentials', {'credential': {
        'user_id': user['id'], 'type': 'totp', 'blob': 'seed'}}, expect=201)
    totp = body['credential']
    _, _, body = api.call('GET', '/v3/credentials?user_id=%s' % user['id'], expect=200)
    assert {c['id'] for c in body['credentials']} == {cred['id'], totp['id']}
    _, _, body = api.call('GET', '/v3/credentials?user_id=%s&type=totp' % user['id'],
                          expect=200)
    assert [c['id'] for c in body['credentials']] == [totp['id']]
    _, _, body = api.call('PATCH', '/v3/credentials/%s' % totp['id'],
                          {'credential': {'blob': 'seed2'}}, expect=200)
    assert body['credential']['blob'] == 'seed2'
    _, _, body = api.call('GET', '/v3/credentials/%s' % totp['id'], expect=200)
    assert body['credential']['blob'] == 'seed2'
    for ident in (cred['id'], totp['id']):
        api.call('DELETE', '/v3/credentials/%s' % ident, expect=204)
        api.call('GET', '/v3/credentials/%s' % ident, expect=404)


def test_list_filters_limit_and_truncated(api):
    domain = api.create('domain')
    prefix = api.name('flt')
    made = [api.create('project', name='%s-%d' % (prefix, i), domain_id=domain['id'])
            for i in range(3)]
    api.call('PATCH', '/v3/projects/%s' % made[2]['id'], {'project': {'enabled': False}},
             expect=200)

    def names(query):
        _, _, body = api.call('GET', '/v3/projects?' + query, expect=200)
        return sorted(p['name'] for p in body['projects']), body

    assert names('domain_id=%s' % domain['id'])[0] == sorted(p['name'] for p in made)
    assert names('name=%s' % made[1]['name'])[0] == [made[1]['name']]
    assert names('name__contains=%s' % prefix)[0] == sorted(p['name'] for p in made)
    assert names('name__startswith=%s' % prefix)[0] == sorted(p['name'] for p in made)
    assert names('name__istartswith=%s' % prefix.upper())[0] == sorted(p['name'] for p in made)
    assert names('name__endswith=-2')[0] == [made[2]['name']]
    assert names('domain_id=%s&enabled=false' % domain['id'])[0] == [made[2]['name']]
    assert names('domain_id=%s&enabled=true' % domain['id'])[0] == [made[0]['name'],
                                                                    made[1]['name']]
    found, body = names('domain_id=%s&limit=2' % domain['id'])
    assert len(found) == 2 and body['truncated'] is True
    found, body = names('domain_id=%s&limit=3' % domain['id'])
    assert len(found) == 3 and 'truncated' not in body
    assert names('name__contains=%%&domain_id=%s' % domain['id'])[0] == []

    user = api.user(domain_id=domain['id'])
    _, _, body = api.call('GET', '/v3/users?domain_id=%s&enabled=true' % domain['id'],
                          expect=200)
    assert [u['id'] for u in body['users']] == [user['id']]
    _, _, body = api.call('GET', '/v3/users?name__icontains=%s' % user['name'].upper(),
                          expect=200)
    assert [u['id'] for u in body['users']] == [user['id']]


def test_endpoint_url_substitution(api):
    service = api.create('service', type=api.name('object-store'))
    _, _, body = api.call('POST', '/v3/endpoints', {'endpoint': {
        'service_id': service['id'], 'interface': 'public', 'region_id': 'RegionOne',
        'url': 'http://127.0.0.1:8080/v1/AUTH_$(project_id)s'}}, expect=201)
    endpoint = body['endpoint']
    assert endpoint['url'].endswith('AUTH_$(project_id)s')
    user = api.user()
    project = api.create('project')
    api.grant(user['id'], 'member', project['id'])
    _, body = _scoped(api, user, project)
    [entry] = [s for s in body['token']['catalog'] if s['id'] == service['id']]
    assert [e['url'] for e in entry['endpoints']] == [
        'http://127.0.0.1:8080/v1/AUTH_%s' % project['id']]
    assert entry['endpoints'][0]['region'] == 'RegionOne'

    # Without a project the endpoint cannot be filled in and is left out.
    api.call('PUT', '/v3/system/users/%s/roles/%s' % (user['id'], api.role_id('reader')),
             expect=204)
    body = api.auth(user, {'system': {'all': True}})[2]
    [entry] = [s for s in body['token']['catalog'] if s['id'] == service['id']]
    assert entry['endpoints'] == []

    api.call('PATCH', '/v3/endpoints/%s' % endpoint['id'], {'endpoint': {'enabled': False}},
             expect=200)
    _, body = _scoped(api, user, project)
    [entry] = [s for s in body['token']['catalog'] if s['id'] == service['id']]
    assert entry['endpoints'] == []


def test_legacy_region_attribute_makes_a_missing_region(api):
    service = api.create('service', type=api.name('compute'))
    region = api.name('region')
    _, _, body = api.call('POST', '/v3/endpoints', {'endpoint': {
        'service_id': service['id'], 'interface': 'public', 'region': region,
        'url': 'http://127.0.0.1:8774/v2.1'}}, expect=201)
    assert body['endpoint']['region'] == region
    api.call('GET', '/v3/regions/%s' % region, expect=200)
    moved = api.name('region')
    _, _, body = api.call('PATCH', '/v3/endpoints/%s' % body['endpoint']['id'],
                          {'endpoint': {'region': moved}}, expect=200)
    assert body['endpoint']['region'] == moved
    api.call('GET', '/v3/regions/%s' % moved, expect=200)
    # region_id names a region that must exist
    api.call('POST', '/v3/endpoints', {'endpoint': {
        'service_id': service['id'], 'interface': 'public', 'region_id': api.name('nowhere'),
        'url': 'http://127.0.0.1:8774/v2.1'}}, expect=400)


def test_region_created_with_the_id_of_the_path(api):
    region = api.name('region')
    _, _, body = api.call('PUT', '/v3/regions/%s' % region,
                          {'region': {'description': 'by PUT'}}, expect=201)
    assert body['region']['id'] == region and body['region']['description'] == 'by PUT'
    api.call('PUT', '/v3/regions/%s' % region, {'region': {}}, expect=409)
    api.call('PUT', '/v3/regions/%s' % api.name('region'),
             {'region': {'id': 'another'}}, expect=400)


def test_application_credential_roles_are_checked_against_current_assignments(api):
    user = api.user()
    project = api.create('project')
    api.grant(user['id'], 'member', project['id'])
    token, _ = _scoped(api, user, project)
    extra = api.create('role')
    # granted after the token was issued: the user holds it now, so may delegate it
    api.grant(user['id'], extra['name'], project['id'])
    cred = _app_cred(api, user, token, roles=[{'name': extra['name']}])
    assert [r['id'] for r in cred['roles']] == [extra['id']]
    # a role the user does not hold on the project stays refused
    api.call('POST', '/v3/users/%s/application_credentials' % user['id'],
             {'application_credential': {'name': api.name('ac'), 'roles': [
                 {'name': 'admin'}]}}, token=token, expect=403)
