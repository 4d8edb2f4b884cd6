"""Isolation between tenants, proven on real daemons: a member of project A tries show,
update, delete and list on each of project B's resources by id (refused: 404 where the API
hides foreign resources, 403 where it says forbidden), a reader of A tries every write
(403), and broken tokens (expired, revoked, unknown key, tampered, disabled project) are
refused by every service's middleware. After each refusal the resource is read back by its
owner unchanged."""
import base64
import json
import os
import time

import pytest

from common.auth import tokens

pytestmark = pytest.mark.timeout(300)

OBJECT_BODY = b'project B payload \x00\xff' * 100


def ok(resp, *codes):
    assert resp.status_code in (codes or (200, 201, 202, 204)), (
        resp.request.method, resp.request.url, resp.status_code, resp.text[:500])
    return resp.json() if resp.content and 'json' in resp.headers.get(
        'Content-Type', '') else None


@pytest.fixture(scope='module')
def b_side(cloud):
    """Project B's resources of every type, made by b-member (external network by admin)."""
    b, admin = cloud.token('b-member'), cloud.token('admin')
    user = cloud.user_ids['b-member']
    r = {}
    call = cloud.call
    r['credential'] = ok(call('identity', 'POST', '/v3/credentials', b, {'credential': {
        'type': 'cert', 'blob': 'b-secret-blob', 'user_id': user}}))['credential']['id']
    r['app_cred'] = ok(call('identity', 'POST', '/v3/users/%s/application_credentials' % user,
                            b, {'application_credential': {'name': 'b-app'}})
                       )['application_credential']['id']
    r['image'] = ok(call('image', 'POST', '/v2/images', b, {
        'name': 'b-image', 'disk_format': 'raw', 'container_format': 'bare'}))['id']
    ok(call('image', 'POST', '/v2/images/%s/members' % r['image'], b,
            {'member': cloud.project_ids['C']}))
    account = cloud.account('B')
    ok(call('objectstore', 'PUT', account + '/b-container', b))
    ok(call('objectstore', 'PUT', account + '/b-container/b-object', b, data=OBJECT_BODY))
    net = ok(call('network', 'POST', '/v2.0/networks', b, {'network': {'name': 'b-net'}}))
    r['network'] = net['network']['id']
    r['subnet'] = ok(call('network', 'POST', '/v2.0/subnets', b, {'subnet': {
        'network_id': r['network'], 'ip_version': 4, 'cidr': '10.91.0.0/24'}}))['subnet']['id']
    r['port'] = ok(call('network', 'POST', '/v2.0/ports', b, {'port': {
        'network_id': r['network'], 'name': 'b-port'}}))['port']['id']
    ext = ok(call('network', 'POST', '/v2.0/networks', admin, {'network': {
        'name': 'ext', 'router:external': True, 'provider:network_type': 'flat',
        'provider:physical_network': 'public'}}))['network']['id']
    ok(call('network', 'POST', '/v2.0/subnets', admin, {'subnet': {
        'network_id': ext, 'ip_version': 4, 'cidr': '172.31.91.0/24', 'enable_dhcp': False}}))
    r['router'] = ok(call('network', 'POST', '/v2.0/routers', b, {'router': {
        'name': 'b-router', 'external_gateway_info': {'network_id': ext}}}))['router']['id']
    r['floatingip'] = ok(call('network', 'POST', '/v2.0/floatingips', b, {'floatingip': {
        'floating_network_id': ext}}))['floatingip']['id']
    r['security_group'] = ok(call('network', 'POST', '/v2.0/security-groups', b, {
        'security_group': {'name': 'b-sg'}}))['security_group']['id']
    r['security_group_rule'] = ok(call('network', 'POST', '/v2.0/security-group-rules', b, {
        'security_group_rule': {'security_group_id': r['security_group'],
                                'direction': 'ingress', 'protocol': 'tcp',
                                'port_range_min': 22, 'port_range_max': 22}})
                                  )['security_group_rule']['id']
    return r


def cases(cloud, r):
    """(name, service, show path, update (method, body), list path, list key) per type;
    update None where the API has no update."""
    user, project = cloud.user_ids['b-member'], cloud.project_ids['B']
    account = cloud.account('B')
    net = [('network', 'networks', {'name': 'x'}), ('subnet', 'subnets', {'name': 'x'}),
           ('port', 'ports', {'name': 'x'}), ('router', 'routers', {'name': 'x'}),
           ('floatingip', 'floatingips', {'description': 'x'}),
           ('security_group', 'security-groups', {'name': 'x'}),
           ('security_group_rule', 'security-group-rules', None)]
    out = [
        ('user', 'identity', '/v3/users/%s' % user, ('PATCH', {'user': {'name': 'x'}}),
         '/v3/users', None),
        ('project', 'identity', '/v3/projects/%s' % project,
         ('PATCH', {'project': {'name': 'x'}}), '/v3/projects', None),
        ('credential', 'identity', '/v3/credentials/%s' % r['credential'],
         ('PATCH', {'credential': {'blob': 'x'}}), '/v3/credentials', 'credentials'),
        ('application credential', 'identity', '/v3/users/%s/application_credentials/%s' % (
            user, r['app_cred']), None, '/v3/users/%s/application_credentials' % user, None),
        ('image', 'image', '/v2/images/%s' % r['image'],
         ('PATCH', [{'op': 'replace', 'path': '/name', 'value': 'x'}]), '/v2/images',
         'images'),
        ('image member', 'image', '/v2/images/%s/members/%s' % (r['image'],
                                                                cloud.project_ids['C']),
         ('PUT', {'status': 'accepted'}), '/v2/images/%s/members' % r['image'], None),
        ('container', 'objectstore', account + '/b-container',
         ('POST', None), account, None),
        ('object', 'objectstore', account + '/b-container/b-object',
         ('PUT', b'overwritten'), account + '/b-container', None),
    ]
    for key, plural, update in net:
        out.append((key, 'network', '/v2.0/%s/%s' % (plural, r[key]),
                    ('PUT', {key: update}) if update else None, '/v2.0/%s' % plural,
                    plural.replace('-', '_')))
    return out


def snapshot(cloud, service, path):
    """What the owner (b-member, admin for users and projects) reads at ``path``."""
    who = 'admin' if path.startswith(('/v3/users/', '/v3/projects/')) and \
        '/application_credentials/' not in path else 'b-member'
    resp = cloud.call(service, 'GET', path, cloud.token(who))
    assert resp.status_code == 200, (path, resp.status_code, resp.text[:300])
    return resp.content if service == 'objectstore' else resp.json()


def _send(cloud, service, method, path, token, body):
    if isinstance(body, bytes):
        return cloud.call(service, method, path, token, data=body,
                          headers={'Content-Type': 'application/octet-stream'})
    headers = {'Content-Type': 'application/openstack-images-v2.1-json-patch'} \
        if method == 'PATCH' and service == 'image' else None
    if headers:
        return cloud.call(service, method, path, token, data=json.dumps(body),
                          headers=headers)
    return cloud.call(service, method, path, token, body)


# Where the API reference says forbidden (403) rather than not found (404).
FORBIDDEN_SERVICES = ('identity', 'objectstore')


def test_member_of_a_cannot_touch_project_b_resources(cloud, b_side):
    a = cloud.token('a-member')
    tried = 0
    for name, service, path, update, list_path, key in cases(cloud, b_side):
        before = snapshot(cloud, service, path)
        refused = (403,) if service in FORBIDDEN_SERVICES else (404,)
        attempts = [('GET', None)] + ([update] if update else []) + [('DELETE', None)]
        for method, body in attempts:
            resp = _send(cloud, service, method, path, a, body)
            tried += 1
            assert resp.status_code in refused + (404, 403), (
                name, method, path, resp.status_code, resp.text[:300])
            if service not in FORBIDDEN_SERVICES:
                assert resp.status_code == 404, (name, method, resp.status_code)
        listing = cloud.call(service, 'GET', list_path, a)
        tried += 1
        if listing.status_code == 200:
            assert b_side.get(name.replace(' ', '_'), path.rsplit('/', 1)[-1]) not in \
                listing.text, (name, 'listed to project A')
        else:
            assert listing.status_code in (403, 404), (name, listing.status_code)
        assert snapshot(cloud, service, path) == before, (name, 'changed by project A')
    assert tried >= 55


def test_reader_of_a_cannot_write(cloud):
    member, reader = cloud.token('a-member'), cloud.token('a-reader')
    account = cloud.account('A')
    image = ok(cloud.call('image', 'POST', '/v2/images', member, {'name': 'a-image'}))['id']
    ok(cloud.call('objectstore', 'PUT', account + '/a-container', member))
    ok(cloud.call('objectstore', 'PUT', account + '/a-container/o', member, data=b'a-data'))
    net = ok(cloud.call('network', 'POST', '/v2.0/networks', member, {
        'network': {'name': 'a-net'}}))['network']['id']
    sg = ok(cloud.call('network', 'POST', '/v2.0/security-groups', member, {
        'security_group': {'name': 'a-sg'}}))['security_group']['id']
    writes = [
        ('identity', 'POST', '/v3/users', {'user': {'name': 'r-made'}}),
        ('identity', 'POST', '/v3/projects', {'project': {'name': 'r-made'}}),
        ('identity', 'PATCH', '/v3/projects/%s' % cloud.project_ids['A'],
         {'project': {'description': 'x'}}),
        ('image', 'POST', '/v2/images', {'name': 'r-made'}),
        ('image', 'PATCH', '/v2/images/%s' % image,
         [{'op': 'replace', 'path': '/name', 'value': 'x'}]),
        ('image', 'POST', '/v2/images/%s/members' % image, {'member': cloud.project_ids['C']}),
        ('image', 'PUT', '/v2/images/%s/file' % image, b'r-data'),
        ('image', 'DELETE', '/v2/images/%s' % image, None),
        ('objectstore', 'PUT', account + '/r-container', None),
        ('objectstore', 'PUT', account + '/a-container/r-object', b'r'),
        ('objectstore', 'POST', account + '/a-container', None),
        ('objectstore', 'DELETE', account + '/a-container/o', None),
        ('network', 'POST', '/v2.0/networks', {'network': {'name': 'r-made'}}),
        ('network', 'PUT', '/v2.0/networks/%s' % net, {'network': {'name': 'x'}}),
        ('network', 'POST', '/v2.0/subnets', {'subnet': {
            'network_id': net, 'ip_version': 4, 'cidr': '10.92.0.0/24'}}),
        ('network', 'POST', '/v2.0/ports', {'port': {'network_id': net}}),
        ('network', 'POST', '/v2.0/routers', {'router': {'name': 'r-made'}}),
        ('network', 'POST', '/v2.0/security-groups', {'security_group': {'name': 'r'}}),
        ('network', 'POST', '/v2.0/security-group-rules', {'security_group_rule': {
            'security_group_id': sg, 'direction': 'ingress'}}),
        ('network', 'DELETE', '/v2.0/security-groups/%s' % sg, None),
        ('network', 'DELETE', '/v2.0/networks/%s' % net, None),
    ]
    for service, method, path, body in writes:
        resp = _send(cloud, service, method, path, reader, body)
        assert resp.status_code == 403, (service, method, path, resp.status_code,
                                         resp.text[:300])
    # nothing was made or changed
    assert ok(cloud.call('image', 'GET', '/v2/images/%s' % image, member))['name'] == \
        'a-image'
    assert 'r-made' not in cloud.call('image', 'GET', '/v2/images', member).text
    assert cloud.call('objectstore', 'GET', account + '/a-container/o', member).content == \
        b'a-data'
    assert cloud.call('objectstore', 'GET', account + '/r-container', member
                      ).status_code == 404
    assert 'r-made' not in cloud.call('network', 'GET', '/v2.0/networks', member).text
    assert ok(cloud.call('network', 'GET', '/v2.0/subnets?network_id=%s' % net,
                         member))['subnets'] == []
    admin = cloud.token('admin')
    assert 'r-made' not in cloud.call('identity', 'GET', '/v3/users', admin).text
    assert 'r-made' not in cloud.call('identity', 'GET', '/v3/projects', admin).text


# A path on each service that needs a valid token.
PROTECTED = {'identity': '/v3/auth/projects', 'image': '/v2/images',
             'network': '/v2.0/networks', 'objectstore': None}


def _refused_everywhere(cloud, token, why):
    for service, path in PROTECTED.items():
        path = path or cloud.account('C')
        resp = cloud.call(service, 'GET', path, token)
        assert resp.status_code == 401, (why, service, resp.status_code, resp.text[:300])


def _claims(token):
    payload = token.split('.')[1]
    return json.loads(base64.urlsafe_b64decode(payload + '=' * (-len(payload) % 4)))


def _accepted_everywhere(cloud, token):
    for service, path in PROTECTED.items():
        path = path or cloud.account('C')
        resp = cloud.call(service, 'GET', path, token)
        assert resp.status_code in (200, 204) or service == 'objectstore' and \
            resp.status_code == 404, (service, resp.status_code, resp.text[:300])


def test_broken_tokens_are_refused_by_every_service(cloud, tmp_path):
    good = cloud.token('c-member', fresh=True)
    _accepted_everywhere(cloud, good)
    claims = _claims(good)
    keys = tokens.KeyRepository(os.path.join(cloud.identity.workdir, 'state', 'keys'))
    expired = tokens.sign(dict(claims, iat=time.time() - 7200, exp=time.time() - 3600), keys)
    _refused_everywhere(cloud, expired, 'expired')
    stranger = tokens.KeyRepository(str(tmp_path / 'stranger-keys'))
    stranger.setup()
    _refused_everywhere(cloud, tokens.sign(claims, stranger), 'unknown key')
    header, _, signature = good.split('.')
    raised = dict(claims, roles=[{'id': 'x', 'name': 'admin'}])
    payload = tokens.b64encode(json.dumps(raised, separators=(',', ':'),
                                          sort_keys=True).encode())
    _refused_everywhere(cloud, '%s.%s.%s' % (header, payload, signature), 'tampered')
    ok(cloud.call('identity', 'DELETE', '/v3/auth/tokens', good, headers={
        'X-Subject-Token': good}))
    time.sleep(2.5)  # services poll revocations every second
    _refused_everywhere(cloud, good, 'revoked')


def test_token_of_a_disabled_project_is_refused_by_every_service(cloud):
    token = cloud.token('c-member', fresh=True)
    _accepted_everywhere(cloud, token)
    admin = cloud.token('admin')
    ok(cloud.call('identity', 'PATCH', '/v3/projects/%s' % cloud.project_ids['C'], admin,
                  {'project': {'enabled': False}}))
    try:
        time.sleep(2.5)
        _refused_everywhere(cloud, token, 'disabled project')
    finally:
        ok(cloud.call('identity', 'PATCH', '/v3/projects/%s' % cloud.project_ids['C'], admin,
                      {'project': {'enabled': True}}))
