"""Negative tests of identity, as an attacker with a member account would write them (real
identity daemon): escalation by update for every resource type, replayed and expired
EC2/S3 signatures, delegated tokens minting credentials, malformed tokens.  No answer may
be a 500.

Regression tests of issue 16: findings 1 (credential updates are checked against the
credential as it would be), 2 (s3tokens/ec2tokens refuse old, future and expired
signatures), 3 (application credential tokens mint no EC2 credentials and restricted ones
manage no application credentials), 4 (malformed tokens are 401, one spelling per token).
"""
import base64
import hashlib
import hmac
import http.client
import json
import time
import urllib.parse
import uuid

import pytest

pytestmark = pytest.mark.timeout(300)


def _member(api, role='member'):
    """(user, project, project-scoped token) of a new user with ``role`` on a new project."""
    user = api.user()
    project = api.create('project')
    api.grant(user['id'], role, project['id'])
    status, token, body = api.auth(user, {'project': {'id': project['id']}})
    assert status == 201, body
    return user, project, token


def _admin_ids(api):
    _, _, users = api.call('GET', '/v3/users?name=admin', expect=200)
    _, _, projects = api.call('GET', '/v3/projects?name=admin', expect=200)
    return users['users'][0]['id'], projects['projects'][0]['id']


def _ec2(api, user, project, token):
    _, _, body = api.call('POST', '/v3/users/%s/credentials/OS-EC2' % user['id'],
                          {'tenant_id': project['id']}, token=token, expect=201)
    return body['credential']


def amz_date(epoch):
    return time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(epoch))


def sigv4(secret, when, canonical_request, region='RegionOne'):
    """(string to sign, signature) of a SigV4 request made at ``when`` (epoch)."""
    stamp = amz_date(when)
    scope = '%s/%s/s3/aws4_request' % (stamp[:8], region)
    string_to_sign = '\n'.join(['AWS4-HMAC-SHA256', stamp, scope,
                                hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = ('AWS4' + secret).encode()
    for part in scope.split('/'):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return string_to_sign, hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def header_request(when):
    return '\n'.join(['GET', '/bucket/key', '', 'host:127.0.0.1:8080',
                      'x-amz-date:%s' % amz_date(when), '', 'host;x-amz-date',
                      'UNSIGNED-PAYLOAD'])


def presigned_request(when, expires, access='AK'):
    query = urllib.parse.urlencode(sorted({
        'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
        'X-Amz-Credential': '%s/%s/RegionOne/s3/aws4_request' % (access, amz_date(when)[:8]),
        'X-Amz-Date': amz_date(when), 'X-Amz-Expires': str(expires),
        'X-Amz-SignedHeaders': 'host'}.items()), quote_via=urllib.parse.quote)
    return '\n'.join(['GET', '/bucket/key', query, 'host:127.0.0.1:8080', '', 'host',
                      'UNSIGNED-PAYLOAD'])


def aws_token(api, access, string_to_sign, signature, canonical=None, path='/v3/s3tokens'):
    creds = {'access': access, 'signature': signature,
             'token': base64.urlsafe_b64encode(string_to_sign.encode()).decode()}
    if canonical is not None:
        creds['canonical_request'] = canonical
    return api.call('POST', path, {'credentials': creds}, token='')


# -- finding 1: escalation by update -----------------------------------------------------------
def test_member_cannot_move_a_credential_to_another_user_or_project(api):
    user, project, token = _member(api)
    admin_id, admin_project = _admin_ids(api)
    cred = _ec2(api, user, project, token)
    cred_id = hashlib.sha256(cred['access'].encode()).hexdigest()
    path = '/v3/credentials/%s' % cred_id
    for change in ({'user_id': admin_id, 'project_id': admin_project},
                   {'user_id': admin_id}, {'project_id': admin_project}):
        status, _, body = api.call('PATCH', path, {'credential': change}, token=token)
        assert status == 403, (change, status, body)
    _, _, stored = api.call('GET', path, expect=200)
    assert stored['credential']['user_id'] == user['id']
    assert stored['credential']['project_id'] == project['id']
    # what the secret signs still becomes a token of the member on its own project only
    now = time.time()
    status, _, body = aws_token(api, cred['access'], *sigv4(cred['secret'], now,
                                                           header_request(now)))
    assert status == 200, body
    assert body['token']['user']['id'] == user['id']
    assert body['token']['project']['id'] == project['id']
    assert 'admin' not in [r['name'] for r in body['token']['roles']]
    # moving it to another project of its own is an ordinary update
    other = api.create('project')
    api.grant(user['id'], 'member', other['id'])
    _, _, body = api.call('PATCH', path, {'credential': {'project_id': other['id']}},
                          token=token, expect=200)
    assert body['credential']['project_id'] == other['id']


def test_member_cannot_create_credentials_for_others_or_foreign_projects(api):
    user, project, token = _member(api)
    admin_id, admin_project = _admin_ids(api)

    def blob():
        return json.dumps({'access': uuid.uuid4().hex, 'secret': uuid.uuid4().hex})
    for owner, scope in ((admin_id, admin_project), (admin_id, project['id']),
                         (user['id'], admin_project)):
        status, _, body = api.call('POST', '/v3/credentials', {'credential': {
            'user_id': owner, 'project_id': scope, 'type': 'ec2', 'blob': blob()}},
            token=token)
        assert status == 403, (owner, scope, status, body)
    api.call('POST', '/v3/credentials', {'credential': {
        'user_id': user['id'], 'project_id': project['id'], 'type': 'ec2', 'blob': blob()}},
        token=token, expect=201)


def test_member_escalation_by_update_is_refused_for_every_resource(api):
    user, project, token = _member(api)
    admin_id, admin_project = _admin_ids(api)
    _, _, roles = api.call('GET', '/v3/roles?name=admin', expect=200)
    admin_role = roles['roles'][0]['id']
    group = api.create('group')
    domain = api.create('domain')
    region = api.call('POST', '/v3/regions', {'region': {'id': api.name('r')}},
                      expect=201)[2]['region']
    service = api.call('POST', '/v3/services', {'service': {'type': api.name('t')}},
                       expect=201)[2]['service']
    endpoint = api.call('POST', '/v3/endpoints', {'endpoint': {
        'service_id': service['id'], 'interface': 'public', 'url': 'http://x.example'}},
        expect=201)[2]['endpoint']
    other = api.user()
    other_cred = api.call('POST', '/v3/credentials', {'credential': {
        'user_id': other['id'], 'type': 'totp', 'blob': 'seed'}}, expect=201)[2]['credential']
    attempts = [
        ('PATCH', '/v3/users/%s' % user['id'], {'user': {'default_project_id': admin_project}}),
        ('PATCH', '/v3/users/%s' % user['id'], {'user': {'options': {'x': 1}}}),
        ('PATCH', '/v3/users/%s' % admin_id, {'user': {'password': 'owned-now'}}),
        ('PATCH', '/v3/users/%s' % other['id'], {'user': {'enabled': False}}),
        ('PATCH', '/v3/projects/%s' % project['id'], {'project': {'name': api.name('p')}}),
        ('PATCH', '/v3/projects/%s' % admin_project, {'project': {'enabled': False}}),
        ('PATCH', '/v3/domains/%s' % domain['id'], {'domain': {'enabled': False}}),
        ('PATCH', '/v3/domains/default', {'domain': {'name': api.name('d')}}),
        ('PATCH', '/v3/groups/%s' % group['id'], {'group': {'name': api.name('g')}}),
        ('PATCH', '/v3/roles/%s' % admin_role, {'role': {'name': api.name('role')}}),
        ('PATCH', '/v3/regions/%s' % region['id'], {'region': {'description': 'x'}}),
        ('PATCH', '/v3/services/%s' % service['id'], {'service': {'enabled': False}}),
        ('PATCH', '/v3/endpoints/%s' % endpoint['id'],
         {'endpoint': {'url': 'http://evil.example'}}),
        ('PATCH', '/v3/credentials/%s' % other_cred['id'],
         {'credential': {'user_id': user['id']}}),
        ('PUT', '/v3/projects/%s/users/%s/roles/%s' % (project['id'], user['id'], admin_role),
         None),
        ('PUT', '/v3/projects/%s/users/%s/roles/%s' % (admin_project, user['id'], admin_role),
         None),
        ('PUT', '/v3/domains/default/users/%s/roles/%s' % (user['id'], admin_role), None),
        ('PUT', '/v3/system/users/%s/roles/%s' % (user['id'], admin_role), None),
        ('PUT', '/v3/OS-INHERIT/domains/default/users/%s/roles/%s/inherited_to_projects'
         % (user['id'], admin_role), None),
        ('PUT', '/v3/groups/%s/users/%s' % (group['id'], user['id']), None),
        ('PUT', '/v3/roles/%s/implies/%s' % (admin_role, admin_role), None),
        ('POST', '/v3/users/%s/credentials/OS-EC2' % admin_id, {'tenant_id': admin_project}),
        ('POST', '/v3/users/%s/credentials/OS-EC2' % user['id'], {'tenant_id': admin_project}),
        ('POST', '/v3/users/%s/application_credentials' % admin_id,
         {'application_credential': {'name': api.name('ac')}}),
        ('POST', '/v3/users/%s/application_credentials' % user['id'],
         {'application_credential': {'name': api.name('ac'), 'roles': [{'name': 'admin'}]}}),
        ('POST', '/v3/projects', {'project': {'name': api.name('p')}}),
        ('POST', '/v3/users', {'user': {'name': api.name('u'), 'password': 'x'}}),
        ('DELETE', '/v3/credentials/%s' % other_cred['id'], None),
    ]
    for method, path, body in attempts:
        status, _, answer = api.call(method, path, body, token=token)
        assert status == 403, (method, path, body, status, answer)
    # nothing changed
    _, _, shown = api.call('GET', '/v3/credentials/%s' % other_cred['id'], expect=200)
    assert shown['credential']['user_id'] == other['id']
    _, _, shown = api.call('GET', '/v3/endpoints/%s' % endpoint['id'], expect=200)
    assert shown['endpoint']['url'] == 'http://x.example'
    api.call('DELETE', '/v3/endpoints/%s' % endpoint['id'], expect=204)
    api.call('DELETE', '/v3/services/%s' % service['id'], expect=204)
    api.call('DELETE', '/v3/regions/%s' % region['id'], expect=204)


# -- finding 2: replayed, future and expired signatures ----------------------------------------
@pytest.mark.parametrize('path', ['/v3/s3tokens', '/v3/ec2tokens'])
def test_aws_signatures_are_refused_outside_their_time_window(api, path):
    user, project, token = _member(api)
    cred = _ec2(api, user, project, token)
    access, secret = cred['access'], cred['secret']
    now = time.time()

    def attempt(when, canonical, send_canonical=False):
        to_sign, sig = sigv4(secret, when, canonical)
        return aws_token(api, access, to_sign, sig, canonical if send_canonical else None,
                         path)[0]
    assert attempt(now, header_request(now)) == 200
    assert attempt(now - 600, header_request(now - 600)) == 200
    for when in (now - 20 * 60, now + 20 * 60, 1577836800, now - 86400):  # 1577836800: 2020
        assert attempt(when, header_request(when)) == 401, when
    # presigned: usable until its signed expiry, when identity can read that expiry
    old = now - 30 * 60
    assert attempt(old, presigned_request(old, 3600, access), True) == 200
    assert attempt(old, presigned_request(old, 3600, access)) == 401  # expiry not proven
    assert attempt(old, presigned_request(old, 600, access), True) == 401  # expired
    assert attempt(now + 3600, presigned_request(now + 3600, 7200, access), True) == 401
    assert attempt(old, presigned_request(old, 8 * 86400, access), True) == 401
    to_sign, sig = sigv4(secret, old, presigned_request(old, 3600, access))
    forged = presigned_request(old, 86400, access)  # a longer expiry than was signed
    assert aws_token(api, access, to_sign, sig, forged, path)[0] == 401


def test_sigv2_signatures_are_refused_outside_their_time_window(api):
    user, project, token = _member(api)
    cred = _ec2(api, user, project, token)

    def attempt(date_line):
        text = 'GET\n\n\n%s\n/bucket/key' % date_line
        sig = base64.b64encode(hmac.new(cred['secret'].encode(), text.encode(),
                                        hashlib.sha1).digest()).decode()
        return aws_token(api, cred['access'], text, sig)[0]
    fmt = '%a, %d %b %Y %H:%M:%S GMT'
    now = time.time()
    assert attempt(time.strftime(fmt, time.gmtime(now))) == 200
    assert attempt(str(int(now) + 300)) == 200  # presigned: its expiry epoch
    for line in (time.strftime(fmt, time.gmtime(now - 3600)), 'Wed, 01 Jan 2020 00:00:00 GMT',
                 str(int(now) - 1), str(int(now) + 30 * 86400), '', 'not a date'):
        assert attempt(line) == 401, line


# -- finding 3: delegated tokens -----------------------------------------------------------------
def test_application_credential_tokens_mint_no_ec2_credentials(api):
    user, project, token = _member(api)
    tokens = {}
    for kind, attrs in (('restricted', {'roles': [{'name': 'reader'}]}),
                        ('unrestricted', {'unrestricted': True})):
        _, _, body = api.call('POST', '/v3/users/%s/application_credentials' % user['id'],
                              {'application_credential': dict(name=api.name('ac'), **attrs)},
                              token=token, expect=201)
        cred = body['application_credential']
        status, hdrs, body = api.call('POST', '/v3/auth/tokens', {'auth': {'identity': {
            'methods': ['application_credential'], 'application_credential': {
                'id': cred['id'], 'secret': cred['secret']}}}}, token='')
        assert status == 201, body
        tokens[kind] = hdrs['X-Subject-Token']
    blob = json.dumps({'access': uuid.uuid4().hex, 'secret': uuid.uuid4().hex})
    for kind, app_token in tokens.items():
        status, _, body = api.call('POST', '/v3/users/%s/credentials/OS-EC2' % user['id'],
                                   {'tenant_id': project['id']}, token=app_token)
        assert status == 403, (kind, status, body)
        status, _, body = api.call('POST', '/v3/credentials', {'credential': {
            'user_id': user['id'], 'project_id': project['id'], 'type': 'ec2', 'blob': blob}},
            token=app_token)
        assert status == 403, (kind, status, body)
    _, _, listed = api.call('GET', '/v3/users/%s/credentials/OS-EC2' % user['id'],
                            token=token, expect=200)
    assert listed['credentials'] == []
    # an EC2 credential made by the user cannot be reshaped by a delegated token either
    cred = _ec2(api, user, project, token)
    other = api.create('project')
    api.grant(user['id'], 'member', other['id'])
    cred_id = hashlib.sha256(cred['access'].encode()).hexdigest()
    status, _, _ = api.call('PATCH', '/v3/credentials/%s' % cred_id,
                            {'credential': {'project_id': other['id']}},
                            token=tokens['unrestricted'])
    assert status == 403


def test_restricted_application_credential_cannot_delete_the_users_others(api):
    user, project, token = _member(api)
    made = []
    for _ in range(2):
        _, _, body = api.call('POST', '/v3/users/%s/application_credentials' % user['id'],
                              {'application_credential': {'name': api.name('ac')}},
                              token=token, expect=201)
        made.append(body['application_credential'])
    status, hdrs, body = api.call('POST', '/v3/auth/tokens', {'auth': {'identity': {
        'methods': ['application_credential'], 'application_credential': {
            'id': made[0]['id'], 'secret': made[0]['secret']}}}}, token='')
    assert status == 201
    app_token = hdrs['X-Subject-Token']
    for target in made:
        status, _, body = api.call('DELETE', '/v3/users/%s/application_credentials/%s'
                                   % (user['id'], target['id']), token=app_token)
        assert status == 403, (status, body)
    _, _, listed = api.call('GET', '/v3/users/%s/application_credentials' % user['id'],
                            token=token, expect=200)
    assert {c['id'] for c in listed['application_credentials']} == {c['id'] for c in made}


# -- finding 4: malformed tokens -------------------------------------------------------------------
def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def malformed_tokens(valid):
    head, payload, sig = valid.split('.')
    kid = json.loads(base64.urlsafe_b64decode(head + '=='))['kid']
    forged = ['%s.%s.%s' % (_b64(json.dumps(h).encode()), payload, sig) for h in (
        {'alg': 'EdDSA', 'kid': [kid]}, {'alg': 'EdDSA', 'kid': {'k': kid}},
        {'alg': 'EdDSA', 'kid': None}, {'alg': 'EdDSA', 'kid': 1.5}, ['EdDSA', kid], 42)]
    forged += [valid + '==', valid + '=', valid + 'A', head + '=.' + payload + '.' + sig,
               '%s.%s.%s' % (head, payload + '\u00e9', sig), '%s.\u00e9.%s' % (head, sig),
               '%s.%s.%s' % (head, _b64(b'\xff\xfe'), sig),
               '%s.%s.%s' % (head, _b64(b'[' * 3000), sig),
               '%s.%s.%s' % (_b64(b'{' * 3000), payload, sig),
               '%s.%s.%s' % (head, payload, sig[:-1] + ('B' if sig[-1] == 'A' else 'A')),
               '%s.%s' % (head, payload), '....', '\u00e9']
    return forged


def test_malformed_tokens_are_unauthorized_never_500(api, identity):
    valid = identity.token('demo', project='demo')
    api.call('GET', '/v3/auth/tokens', headers={'X-Subject-Token': valid}, token=valid,
             expect=200)
    for bad in malformed_tokens(valid):
        raw = bad.encode('utf-8').decode('latin-1')  # as the header arrives
        status, _, body = api.call('GET', '/v3/users', token=raw)
        assert status == 401, (bad[:60], status, body)
        status, _, body = api.call('GET', '/v3/auth/tokens', headers={'X-Subject-Token': raw},
                                   token=valid)
        assert status == 404, (bad[:60], status, body)
        status, _, body = api.call('POST', '/v3/auth/tokens', {'auth': {'identity': {
            'methods': ['token'], 'token': {'id': bad}}}}, token='')
        assert status == 401, (bad[:60], status, body)


# -- malformed requests on every resource ----------------------------------------------------------
# each resource and a string attribute it defines
RESOURCES = {'domains': 'name', 'projects': 'name', 'users': 'name', 'groups': 'name',
             'roles': 'name', 'regions': 'description', 'services': 'type',
             'endpoints': 'url', 'credentials': 'blob'}
MALFORMED_BODIES = [b'{', b'\xff\xfe', b'[]', b'"text"', b'null', b'{"%(key)s": []}',
                    b'{"%(key)s": "x"}', b'{"%(key)s": {"%(field)s": 5}}',
                    b'{"%(key)s": {"%(field)s": {"a": 1}}}', b'{"%(key)s": {"%(field)s": [1]}}']


def _raw(identity, method, path, data, token):
    """(status, body) of a request sent byte for byte."""
    conn = http.client.HTTPConnection('127.0.0.1', identity.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.putheader('X-Auth-Token', token)
        conn.putheader('Content-Type', 'application/json')
        conn.putheader('Content-Length', str(len(data or b'')))
        conn.endheaders(data or b'')
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@pytest.mark.parametrize('collection', sorted(RESOURCES))
def test_malformed_requests_are_4xx_on_every_resource(api, identity, collection):
    key = collection[:-1].encode()
    fill = {b'key': key, b'field': RESOURCES[collection].encode()}
    for body in MALFORMED_BODIES:
        if b'%(' in body:
            body = body % fill
        for method, path in (('POST', '/v3/%s' % collection),
                             ('PATCH', '/v3/%s/%s' % (collection, uuid.uuid4().hex))):
            status, answer = _raw(identity, method, path, body, api.admin)
            assert 400 <= status < 500, (method, path, body, status, answer)
    for query in ('name=%ff', 'limit=%ff', 'enabled=%ff', 'name__contains=%fe', '%ff=1',
                  'limit=-1', 'limit=x', 'marker=%00', 'enabled=maybe', 'name__nope=x'):
        status, answer = _raw(identity, 'GET', '/v3/%s?%s' % (collection, query), None,
                              api.admin)
        assert status < 500, (collection, query, status, answer)
    for suffix in ('%ff%fe', '%00', 'a%0d%0ab', '..%2f..'):
        for method in ('GET', 'PATCH', 'DELETE'):
            body = b'{"%s": {"name": "x"}}' % key if method == 'PATCH' else None
            status, answer = _raw(identity, method, '/v3/%s/%s' % (collection, suffix), body,
                                  api.admin)
            assert 400 <= status < 500, (method, collection, suffix, status, answer)


def test_unknown_attributes_are_kept_not_500(api):
    """Clients send attributes the API does not define: Keystone keeps them (``extra``)."""
    _, _, body = api.call('POST', '/v3/services', {'service': {'type': api.name('t')}},
                          expect=201)
    service = body['service']
    user = api.user()
    made = {'domain': {'name': api.name('d')}, 'project': {'name': api.name('p')},
            'user': {'name': api.name('u')}, 'group': {'name': api.name('g')},
            'region': {'id': api.name('r')}, 'service': {'type': api.name('t')},
            'endpoint': {'service_id': service['id'], 'interface': 'public',
                         'url': 'http://extra.example'},
            'credential': {'user_id': user['id'], 'type': 'totp', 'blob': 'seed'},
            'role': {'name': api.name('role')}}
    for kind, attrs in made.items():
        collection = '/v3/%ss' % kind
        status, _, body = api.call('POST', collection, {kind: dict(attrs, color='blue')})
        assert status == 201, (kind, status, body)
        entity = body[kind]
        path = '%s/%s' % (collection, entity['id'])
        status, _, body = api.call('PATCH', path, {kind: {'shape': 'round'}})
        assert status == 200, (kind, status, body)
        if kind != 'role':  # roles keep no extra attributes
            _, _, body = api.call('GET', path, expect=200)
            assert (body[kind]['color'], body[kind]['shape']) == ('blue', 'round'), kind
        if kind == 'domain':
            api.call('PATCH', path, {kind: {'enabled': False}}, expect=200)
        api.call('DELETE', path, expect=204)
    api.call('DELETE', '/v3/services/%s' % service['id'], expect=204)


def test_tenant_text_never_becomes_a_response_header(api, identity):
    """Names with CR/LF or text beyond Latin-1 stay in JSON bodies; what identity echoes in
    headers (X-Subject-Token) is only ever a token it verified."""
    evil = 'x\r\nX-Injected: yes\r\n\r\n\u65e5'
    for kind, attrs in (('project', {'name': evil[:60]}), ('group', {'name': evil[:60]}),
                        ('user', {'name': evil, 'description': evil})):
        status, headers, body = api.call('POST', '/v3/%ss' % kind, {kind: attrs})
        assert status < 500 and 'X-Injected' not in headers, (kind, status, body)
        if status == 201:
            api.call('DELETE', '/v3/%ss/%s' % (kind, body[kind]['id']), expect=204)
    valid = identity.token('demo', project='demo')
    for subject in (valid + '\u00e9', valid + ' X-Injected: yes', valid[:-1] + '\u2028'):
        status, _, answer = _raw_subject(identity, valid, subject)
        assert status == 404, (status, answer)


def _raw_subject(identity, token, subject):
    conn = http.client.HTTPConnection('127.0.0.1', identity.port, timeout=30)
    try:
        conn.putrequest('GET', '/v3/auth/tokens', skip_accept_encoding=True)
        conn.putheader('X-Auth-Token', token)
        conn.putheader('X-Subject-Token', subject.encode('utf-8'))
        conn.endheaders()
        resp = conn.getresponse()
        assert 'X-Injected' not in dict(resp.getheaders())
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()
