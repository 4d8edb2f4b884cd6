"""Keystone APIs tempest drives that identity first lacked: project tags, projects acting
as domains, domain cascade delete, ec2 credentials whose access key changes, role-inference
cycles, effective assignments of domain roles, policies, endpoint groups (OS-EP-FILTER)
and domain-specific configuration."""
import base64
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

pytestmark = pytest.mark.timeout(60)


def test_project_tags(api):
    project = api.create('project')
    base = '/v3/projects/%s/tags' % project['id']
    status, hdrs, _ = api.call('PUT', base + '/blue', expect=201)
    assert hdrs['Location'].endswith(base + '/blue')
    api.call('GET', base + '/blue', expect=204)
    api.call('HEAD', base + '/green', expect=404)
    _, _, body = api.call('PUT', base, {'tags': ['a', 'b', 'c']}, expect=200)
    assert sorted(body['tags']) == ['a', 'b', 'c']
    _, _, body = api.call('GET', base, expect=200)
    assert sorted(body['tags']) == ['a', 'b', 'c']
    _, _, shown = api.call('GET', '/v3/projects/%s' % project['id'], expect=200)
    assert sorted(shown['project']['tags']) == ['a', 'b', 'c']
    api.call('DELETE', base + '/a', expect=204)
    api.call('GET', base + '/a', expect=404)
    api.call('DELETE', base + '/a', expect=404)
    api.call('PUT', base, {'tags': ['x', 'x']}, expect=400)
    api.call('PUT', base, {'tags': ['a,b']}, expect=400)
    api.call('PUT', base, {'tags': ['t%d' % n for n in range(81)]}, expect=400)
    api.call('PUT', base + '/a%2Cb', expect=400)
    api.call('DELETE', base, expect=204)
    assert api.call('GET', base, expect=200)[2]['tags'] == []
    api.call('GET', '/v3/projects/nope/tags', expect=404)
    # A member of the project reads its tags but may not change them.
    user = api.user()
    api.grant(user['id'], 'member', project['id'])
    token = api.token(user, {'project': {'id': project['id']}})
    api.call('GET', base, token=token, expect=200)
    api.call('PUT', base + '/mine', token=token, expect=403)


def test_project_acting_as_a_domain(api):
    _, _, body = api.call('POST', '/v3/projects', {'project': {
        'name': api.name('isdom'), 'is_domain': True, 'domain_id': None}}, expect=201)
    project = body['project']
    try:
        assert project['is_domain'] is True and project['domain_id'] is None
        _, _, listed = api.call('GET', '/v3/projects?is_domain=true', expect=200)
        assert project['id'] in [p['id'] for p in listed['projects']]
        _, _, listed = api.call('GET', '/v3/projects', expect=200)
        assert project['id'] not in [p['id'] for p in listed['projects']]
        _, _, domains = api.call('GET', '/v3/domains', expect=200)
        assert project['id'] in [d['id'] for d in domains['domains']]
        api.call('GET', '/v3/projects/%s' % project['id'], expect=200)
        api.call('POST', '/v3/projects', {'project': {
            'name': api.name('isdom'), 'is_domain': True, 'parent_id': project['id']}},
            expect=400)
        api.call('GET', '/v3/projects?is_domain=perhaps', expect=400)
    finally:
        api.call('PATCH', '/v3/projects/%s' % project['id'],
                 {'project': {'enabled': False}}, expect=200)
        api.call('DELETE', '/v3/projects/%s' % project['id'], expect=204)
    api.call('GET', '/v3/domains/%s' % project['id'], expect=404)


def test_domain_delete_cascades(api):
    domain = api.create('domain')
    user = api.user(domain_id=domain['id'])
    group = api.create('group', domain_id=domain['id'])
    parent = api.create('project', domain_id=domain['id'])
    child = api.create('project', parent_id=parent['id'])
    api.call('PATCH', '/v3/domains/%s' % domain['id'], {'domain': {'enabled': False}},
             expect=200)
    api.call('DELETE', '/v3/domains/%s' % domain['id'], expect=204)
    for path in ('domains/%s' % domain['id'], 'users/%s' % user['id'],
                 'groups/%s' % group['id'], 'projects/%s' % parent['id'],
                 'projects/%s' % child['id']):
        api.call('GET', '/v3/' + path, expect=404)


def test_ec2_credential_access_key_changes(api):
    user = api.user()
    project = api.create('project')
    api.grant(user['id'], 'member', project['id'])
    old = {'access': os.urandom(8).hex(), 'secret': os.urandom(8).hex()}
    _, _, body = api.call('POST', '/v3/credentials', {'credential': {
        'user_id': user['id'], 'project_id': project['id'], 'type': 'ec2',
        'blob': json.dumps(old)}}, expect=201)
    cred = body['credential']
    new = {'access': os.urandom(8).hex(), 'secret': os.urandom(8).hex()}
    _, _, body = api.call('PATCH', '/v3/credentials/%s' % cred['id'],
                          {'credential': {'blob': json.dumps(new)}}, expect=200)
    assert body['credential']['id'] == cred['id']
    assert json.loads(body['credential']['blob'])['access'] == new['access']
    ec2 = '/v3/users/%s/credentials/OS-EC2/' % user['id']
    api.call('GET', ec2 + new['access'], expect=200)
    api.call('GET', ec2 + old['access'], expect=404)
    # The old access key is free again; the new one is taken.
    _, _, other = api.call('POST', '/v3/credentials', {'credential': {
        'user_id': user['id'], 'project_id': project['id'], 'type': 'ec2',
        'blob': json.dumps(old)}}, expect=201)
    # (its id cannot be the old key's hash, which the first credential keeps)
    assert other['credential']['id'] != cred['id']
    assert cred['id'] == hashlib.sha256(old['access'].encode()).hexdigest()
    api.call('GET', ec2 + old['access'], expect=200)
    api.call('PATCH', '/v3/credentials/%s' % other['credential']['id'],
             {'credential': {'blob': json.dumps(new)}}, expect=409)
    for ident in (cred['id'], other['credential']['id']):
        api.call('DELETE', '/v3/credentials/%s' % ident, expect=204)


def test_role_inference_cycle_is_a_conflict(api):
    a, b, c = (api.create('role') for _ in range(3))
    imp = '/v3/roles/%s/implies/%s'
    api.call('PUT', imp % (a['id'], b['id']), expect=201)
    api.call('PUT', imp % (b['id'], c['id']), expect=201)
    api.call('HEAD', imp % (a['id'], b['id']), expect=204)
    status, _, body = api.call('PUT', imp % (c['id'], a['id']))
    assert status == 409 and 'cycle' in body['error']['message']
    api.call('PUT', imp % (a['id'], a['id']), expect=400)
    api.call('PUT', imp % (a['id'], c['id']), expect=201)  # a diamond is no cycle


def test_domain_roles_are_no_effective_assignment(api):
    domain = api.create('domain')
    domain_role = api.create('role', domain_id=domain['id'])
    user = api.user(domain_id=domain['id'])
    project = api.create('project', domain_id=domain['id'])
    api.call('PUT', '/v3/projects/%s/users/%s/roles/%s' % (project['id'], user['id'],
                                                          domain_role['id']), expect=204)
    query = '/v3/role_assignments?scope.project.id=%s&user.id=%s' % (project['id'],
                                                                     user['id'])
    _, _, raw = api.call('GET', query, expect=200)
    assert [a['role']['id'] for a in raw['role_assignments']] == [domain_role['id']]
    _, _, effective = api.call('GET', query + '&effective', expect=200)
    assert effective['role_assignments'] == []
    # The global role a domain role implies is effective.
    member = api.role_id('member')
    api.call('PUT', '/v3/roles/%s/implies/%s' % (domain_role['id'], member), expect=201)
    _, _, effective = api.call('GET', query + '&effective', expect=200)
    assert member in [a['role']['id'] for a in effective['role_assignments']]
    # A global role never implies a domain role: 403, before the cycle it would also make.
    api.call('PUT', '/v3/roles/%s/implies/%s' % (member, domain_role['id']), expect=403)
    api.call('DELETE', '/v3/roles/%s/implies/%s' % (domain_role['id'], member), expect=204)


def test_policies_crud(api):
    _, _, body = api.call('POST', '/v3/policies', {'policy': {
        'type': 'application/json', 'blob': '{"a": "rule:b"}'}}, expect=201)
    policy = body['policy']
    path = '/v3/policies/%s' % policy['id']
    _, _, body = api.call('PATCH', path, {'policy': {'type': 'text/plain'}}, expect=200)
    assert body['policy']['type'] == 'text/plain'
    _, _, shown = api.call('GET', path, expect=200)
    assert shown['policy']['blob'] == '{"a": "rule:b"}'
    _, _, listed = api.call('GET', '/v3/policies', expect=200)
    assert policy['id'] in [p['id'] for p in listed['policies']]
    api.call('POST', '/v3/policies', {'policy': {'type': 'x'}}, expect=400)
    user = api.user()
    api.call('GET', '/v3/policies', token=api.token(user), expect=403)
    api.call('DELETE', path, expect=204)
    api.call('GET', path, expect=404)


def test_endpoint_groups_crud(api):
    _, _, svc = api.call('POST', '/v3/services', {'service': {'type': api.name('t')}},
                         expect=201)
    service_id = svc['service']['id']
    try:
        _, _, body = api.call('POST', '/v3/OS-EP-FILTER/endpoint_groups', {'endpoint_group': {
            'name': 'eg', 'description': 'd', 'filters': {'service_id': service_id}}},
            expect=201)
        group = body['endpoint_group']
        path = '/v3/OS-EP-FILTER/endpoint_groups/%s' % group['id']
        api.call('HEAD', path, expect=200)
        _, _, listed = api.call('GET', '/v3/OS-EP-FILTER/endpoint_groups', expect=200)
        assert group in listed['endpoint_groups']
        _, _, body = api.call('PATCH', path, {'endpoint_group': {
            'filters': {'interface': 'public'}, 'name': 'eg2'}}, expect=200)
        assert body['endpoint_group']['filters'] == {'interface': 'public'}
        api.call('POST', '/v3/OS-EP-FILTER/endpoint_groups', {'endpoint_group': {
            'name': 'bad', 'filters': {'url': 'x'}}}, expect=400)
        api.call('DELETE', path, expect=204)
        api.call('GET', path, expect=404)
    finally:
        api.call('DELETE', '/v3/services/%s' % service_id, expect=204)


def test_domain_configuration(api):
    domain = api.create('domain')
    base = '/v3/domains/%s/config' % domain['id']
    config = {'identity': {'driver': 'ldap'},
              'ldap': {'url': 'ldap://example.org/', 'password': 'secret'}}
    api.call('GET', base, expect=404)
    _, _, body = api.call('PUT', base, {'config': config}, expect=201)
    assert body['config'] == {'identity': {'driver': 'ldap'},
                              'ldap': {'url': 'ldap://example.org/'}}
    api.call('PUT', base, {'config': config}, expect=200)
    _, _, body = api.call('GET', base + '/ldap/url', expect=200)
    assert body['config'] == {'url': 'ldap://example.org/'}
    api.call('GET', base + '/ldap/password', expect=404)
    _, _, body = api.call('PATCH', base + '/identity', {'config': {
        'identity': {'list_limit': 5}}}, expect=200)
    assert body['config']['identity'] == {'driver': 'ldap', 'list_limit': 5}
    _, _, body = api.call('PATCH', base + '/identity/driver',
                          {'config': {'driver': 'sql'}}, expect=200)
    assert body['config']['identity']['driver'] == 'sql'
    api.call('PATCH', base, {'config': {'nova': {'x': 1}}}, expect=403)
    api.call('PATCH', base, {'config': {'identity': {'colour': 'red'}}}, expect=403)
    api.call('PATCH', base + '/identity', {'config': {'ldap': {'url': 'x'}}}, expect=400)
    api.call('DELETE', base + '/identity/driver', expect=204)
    api.call('GET', base + '/identity/driver', expect=404)
    api.call('DELETE', base + '/identity', expect=204)
    api.call('GET', base + '/identity', expect=404)
    _, _, defaults = api.call('GET', '/v3/domains/config/default', expect=200)
    assert {'identity', 'ldap'} <= set(defaults['config'])
    _, _, body = api.call('GET', '/v3/domains/config/identity/driver/default', expect=200)
    assert body['config'] == {'driver': 'sql'}
    api.call('GET', '/v3/domains/config/nova/default', expect=404)
    api.call('DELETE', base, expect=204)
    api.call('GET', base, expect=404)
    api.call('PUT', '/v3/domains/nope/config', {'config': config}, expect=404)


def test_oauth1_consumers(api):
    _, _, body = api.call('POST', '/v3/OS-OAUTH1/consumers',
                          {'consumer': {'description': 'c1'}}, expect=201)
    consumer = body['consumer']
    assert len(consumer['secret']) == 64 and consumer['description'] == 'c1'
    path = '/v3/OS-OAUTH1/consumers/%s' % consumer['id']
    _, _, shown = api.call('GET', path, expect=200)
    assert 'secret' not in shown['consumer']
    _, _, listed = api.call('GET', '/v3/OS-OAUTH1/consumers', expect=200)
    assert consumer['id'] in [c['id'] for c in listed['consumers']]
    _, _, body = api.call('PATCH', path, {'consumer': {'description': 'c2'}}, expect=200)
    assert body['consumer']['description'] == 'c2' and 'secret' not in body['consumer']
    api.call('PATCH', path, {'consumer': {'secret': 'mine'}}, expect=400)
    api.call('POST', '/v3/OS-OAUTH1/consumers', {'consumer': {'secret': 'mine'}}, expect=400)
    user = api.user()
    api.call('GET', '/v3/OS-OAUTH1/consumers', token=api.token(user), expect=403)
    api.call('DELETE', path, expect=204)
    api.call('GET', path, expect=404)


def test_endpoint_groups_filter_a_projects_catalog(api):
    _, _, svc = api.call('POST', '/v3/services', {'service': {'type': api.name('t')}},
                         expect=201)
    service_id = svc['service']['id']
    group_path = None
    try:
        for interface in ('public', 'internal'):
            api.call('POST', '/v3/endpoints', {'endpoint': {
                'service_id': service_id, 'interface': interface,
                'url': 'http://127.0.0.1:1/%s' % interface}}, expect=201)
        _, _, body = api.call('POST', '/v3/OS-EP-FILTER/endpoint_groups', {'endpoint_group': {
            'name': 'pub', 'filters': {'service_id': service_id, 'interface': 'public'}}},
            expect=201)
        group = body['endpoint_group']
        group_path = '/v3/OS-EP-FILTER/endpoint_groups/%s' % group['id']
        _, _, body = api.call('GET', group_path + '/endpoints', expect=200)
        assert [e['interface'] for e in body['endpoints']] == ['public']
        user = api.user()
        filtered, plain = api.create('project'), api.create('project')
        for project in (filtered, plain):
            api.grant(user['id'], 'member', project['id'])
        api.call('PUT', '%s/projects/%s' % (group_path, filtered['id']), expect=204)
        api.call('GET', '%s/projects/%s' % (group_path, filtered['id']), expect=200)
        api.call('GET', '%s/projects/%s' % (group_path, plain['id']), expect=404)
        _, _, body = api.call('GET', group_path + '/projects', expect=200)
        assert [p['id'] for p in body['projects']] == [filtered['id']]
        _, _, body = api.call('GET', '/v3/OS-EP-FILTER/projects/%s/endpoint_groups'
                              % filtered['id'], expect=200)
        assert [g['id'] for g in body['endpoint_groups']] == [group['id']]

        def services(project):
            _, _, token = api.auth(user, {'project': {'id': project['id']}})
            return {s['type']: s['endpoints'] for s in token['token']['catalog']}
        assert [e['interface'] for e in services(filtered)[svc['service']['type']]] == \
            ['public']
        assert services(filtered).get('identity', []) == []
        assert len(services(plain)[svc['service']['type']]) == 2
        api.call('DELETE', '%s/projects/%s' % (group_path, filtered['id']), expect=204)
        assert len(services(filtered)[svc['service']['type']]) == 2
        api.call('PUT', '%s/projects/nope' % group_path, expect=404)
    finally:
        if group_path:
            api.call('DELETE', group_path)
        api.call('DELETE', '/v3/services/%s' % service_id, expect=204)


def _enc(value):
    return urllib.parse.quote(value, safe='~')


def _oauth_call(api, path, consumer, token=None, token_secret='', extra=None, headers=None,
                body=None, method='POST'):
    """(status, body) of a call signed as an OAuth 1.0a client signs it (RFC 5849 HMAC-SHA1,
    written here apart from the service's own code)."""
    url = api.server.url + path
    params = {'oauth_consumer_key': consumer['id'], 'oauth_nonce': uuid.uuid4().hex,
              'oauth_signature_method': 'HMAC-SHA1', 'oauth_version': '1.0',
              'oauth_timestamp': str(int(time.time()))}
    if token:
        params['oauth_token'] = token
    params.update(extra or {})
    normalized = '&'.join('%s=%s' % (_enc(k), _enc(v)) for k, v in sorted(params.items()))
    base = '&'.join([method, _enc(url), _enc(normalized)])
    key = '%s&%s' % (_enc(consumer['secret']), _enc(token_secret))
    params['oauth_signature'] = base64.b64encode(
        hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()
    req = urllib.request.Request(url, method=method, data=body)
    req.add_header('Authorization', 'OAuth ' + ', '.join(
        '%s="%s"' % (_enc(k), _enc(v)) for k, v in params.items()))
    req.add_header('Content-Type', 'application/json')
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read().decode(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(), dict(err.headers)


def test_oauth1_delegation(api):
    _, _, body = api.call('POST', '/v3/OS-OAUTH1/consumers', {'consumer': {}}, expect=201)
    consumer = body['consumer']
    try:
        user = api.user()
        project = api.create('project')
        api.grant(user['id'], 'member', project['id'])
        api.grant(user['id'], 'admin', project['id'])
        # request token
        status, text, _ = _oauth_call(api, '/v3/OS-OAUTH1/request_token', consumer,
                                      extra={'oauth_callback': 'oob'},
                                      headers={'Requested-Project-Id': project['id']})
        assert status == 201, text
        request = dict(urllib.parse.parse_qsl(text))
        assert request['oauth_token'] and request['oauth_token_secret']
        wrong = dict(consumer, secret='x' + consumer['secret'])
        assert _oauth_call(api, '/v3/OS-OAUTH1/request_token', wrong, headers={
            'Requested-Project-Id': project['id']})[0] == 401
        assert _oauth_call(api, '/v3/OS-OAUTH1/request_token', consumer)[0] == 400
        # the user delegates one of its roles (not one it lacks)
        user_token = api.token(user)
        authorize = '/v3/OS-OAUTH1/authorize/%s' % request['oauth_token']
        api.call('PUT', authorize, {'roles': [{'name': 'reader'}, {'name': 'nope'}]},
                 token=user_token, expect=401)
        _, _, body = api.call('PUT', authorize, {'roles': [{'name': 'member'}]},
                              token=user_token, expect=200)
        verifier = body['token']['oauth_verifier']
        # access token (a wrong verifier is refused; the request token is used up)
        assert _oauth_call(api, '/v3/OS-OAUTH1/access_token', consumer,
                           request['oauth_token'], request['oauth_token_secret'],
                           extra={'oauth_verifier': verifier + 'x'})[0] == 401
        status, text, _ = _oauth_call(api, '/v3/OS-OAUTH1/access_token', consumer,
                                      request['oauth_token'], request['oauth_token_secret'],
                                      extra={'oauth_verifier': verifier})
        assert status == 201, text
        access = dict(urllib.parse.parse_qsl(text))
        assert _oauth_call(api, '/v3/OS-OAUTH1/access_token', consumer,
                           request['oauth_token'], request['oauth_token_secret'],
                           extra={'oauth_verifier': verifier})[0] == 401
        # a token of the user, on the project, with the delegated roles only
        auth = json.dumps({'auth': {'identity': {'methods': ['oauth1'], 'oauth1': {}}}})
        status, text, hdrs = _oauth_call(api, '/v3/auth/tokens', consumer,
                                         access['oauth_token'], access['oauth_token_secret'],
                                         body=auth.encode())
        assert status == 201, text
        token = json.loads(text)['token']
        assert token['user']['id'] == user['id'] and token['project']['id'] == project['id']
        assert sorted(r['name'] for r in token['roles']) == ['member', 'reader']
        assert token['OS-OAUTH1'] == {'access_token_id': access['oauth_token'],
                                      'consumer_id': consumer['id']}
        delegated = hdrs['X-Subject-Token']
        api.call('GET', '/v3/auth/tokens', headers={'X-Subject-Token': delegated},
                 expect=200)
        # forged or unsigned oauth1 requests get nothing
        assert _oauth_call(api, '/v3/auth/tokens', consumer, access['oauth_token'], 'x',
                           body=auth.encode())[0] == 401
        api.call('POST', '/v3/auth/tokens', json.loads(auth), token='', expect=401)
        # a delegated token cannot delegate further or mint credentials
        api.call('POST', '/v3/users/%s/credentials/OS-EC2' % user['id'],
                 {'tenant_id': project['id']}, token=delegated, expect=403)
        # the user sees and revokes the access token; its tokens stop working
        tokens_path = '/v3/users/%s/OS-OAUTH1/access_tokens' % user['id']
        _, _, body = api.call('GET', tokens_path, token=user_token, expect=200)
        assert [t['id'] for t in body['access_tokens']] == [access['oauth_token']]
        _, _, body = api.call('GET', '%s/%s/roles' % (tokens_path, access['oauth_token']),
                              token=user_token, expect=200)
        assert [r['name'] for r in body['roles']] == ['member']
        other = api.user()
        api.call('GET', tokens_path, token=api.token(other), expect=403)
        api.call('DELETE', '%s/%s' % (tokens_path, access['oauth_token']), token=user_token,
                 expect=204)
        api.call('GET', '/v3/auth/tokens', headers={'X-Subject-Token': delegated},
                 expect=404)
    finally:
        api.call('DELETE', '/v3/OS-OAUTH1/consumers/%s' % consumer['id'])
