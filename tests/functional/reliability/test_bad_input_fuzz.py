"""Bad input never gets a 500: a hypothesis fuzz over each API's request bodies, query
strings and headers (wrong types, unknown fields, huge values, unicode, empty and broken
bodies, deep nesting) against the real daemons. Afterwards every resource that exists was
acknowledged with a 2xx: nothing is half-made by a refused request.

Bounded: a fixed number of examples per API (about 15 s each here); the figures (requests
per API, none answered 500) are printed by the last test."""
import collections
import json
import os
import urllib.parse

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st

pytestmark = pytest.mark.timeout(600)

# CS_FUZZ_EXAMPLES=5000 for a longer hunt by hand.
EXAMPLES = int(os.environ.get('CS_FUZZ_EXAMPLES', 500))
SENT = collections.Counter()
ANSWERED_5XX = collections.Counter()
CREATED = collections.defaultdict(set)  # (service, kind) -> ids acknowledged with 2xx

# -- strategies --------------------------------------------------------------------------
HUGE = st.builds(lambda n, c: c * n, st.sampled_from([65, 256, 4097, 70000]),
                 st.sampled_from(['a', '\u00e9', '\U0001F600', '%', '\x00', '.']))
TEXT = st.one_of(st.text(max_size=40), HUGE, st.sampled_from([
    '', ' ', '\x00', '..', '../../etc/passwd', 'null', '-1', '1e309', '0x10', 'true',
    '\ud800'.encode('utf-8', 'surrogatepass').decode('utf-8', 'replace'), '\n-A INPUT',
    '10.0.0.0/33', 'fe80::1%eth0', '00:11:22:33:44:55\n', '*', '%(x)s', '{}', '[]']))
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2 ** 70,
                                                          max_value=2 ** 70),
                   st.floats(allow_nan=False, allow_infinity=False), TEXT)
JSON = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=12), inner, max_size=4), max_leaves=12)


def deep(depth):
    body = 'x'
    for _ in range(depth):
        body = {'a': body}
    return body


RAW = st.one_of(st.binary(max_size=64), st.sampled_from([
    b'', b'{', b'[' * 3000 + b']' * 3000, b'{"a":' * 1500 + b'1' + b'}' * 1500,
    b'\xff\xfe\x00', b'"\\ud800"', b'{"a": NaN}', b'{"a": 1e999}', b'null', b'[]']))


def field_mutation(wrapper, fields):
    """A plausible body with one known (or unknown) field set to anything, or junk."""
    good = st.builds(
        lambda key, value, extra: {wrapper: dict({key: value}, **extra)} if wrapper else
        dict({key: value}, **extra),
        st.sampled_from(fields + ['unknown_field']), JSON,
        st.dictionaries(st.sampled_from(fields), SCALAR, max_size=3))
    return st.one_of(good, good, good, JSON, st.just(deep(80)),
                     st.builds(lambda v: {wrapper: v}, JSON) if wrapper else JSON)


HEADER_VALUE = st.one_of(st.text(st.characters(min_codepoint=32, max_codepoint=255,
                                               blacklist_characters='\x7f'), max_size=80),
                         st.sampled_from(['', '-1', '99999999999999999999', 'a' * 9000,
                                          'application/json; charset=utf-16',
                                          'bytes=5-1', 'bytes=-0', '*', '"x"'])
                         ).filter(lambda v: not v[:1].isspace())  # no client sends those
COMMON_HEADERS = ['Content-Type', 'Accept', 'Accept-Encoding', 'X-Openstack-Request-Id',
                  'If-Match', 'If-None-Match', 'Range', 'OpenStack-API-Version',
                  'X-Forwarded-For', 'Origin', 'Access-Control-Request-Method']
QUERY_KEYS = ['limit', 'marker', 'sort_key', 'sort_dir', 'sort', 'name', 'id', 'status',
              'fields', 'page_reverse', 'visibility', 'tag', 'member_status', 'owner',
              'enabled', 'domain_id', 'format', 'prefix', 'delimiter', 'end_marker',
              'reverse', 'network_id', 'device_owner', 'fixed_ips', 'shared',
              'router:external', 'created_at', 'size_min', 'x']

# -- per API: what is fuzzed -------------------------------------------------------------
NET_FIELDS = {
    'network': ['name', 'admin_state_up', 'shared', 'mtu', 'description', 'port_security_enabled',
                'router:external', 'provider:network_type', 'tenant_id', 'project_id',
                'availability_zone_hints', 'dns_domain', 'qos_policy_id'],
    'subnet': ['network_id', 'cidr', 'ip_version', 'gateway_ip', 'allocation_pools',
               'dns_nameservers', 'host_routes', 'enable_dhcp', 'ipv6_address_mode',
               'ipv6_ra_mode', 'subnetpool_id', 'prefixlen', 'name', 'segment_id'],
    'port': ['network_id', 'fixed_ips', 'mac_address', 'device_owner', 'device_id',
             'security_groups', 'allowed_address_pairs', 'binding:host_id',
             'binding:profile', 'extra_dhcp_opts', 'port_security_enabled', 'name'],
    'router': ['name', 'external_gateway_info', 'admin_state_up', 'routes', 'distributed',
               'ha'],
    'floatingip': ['floating_network_id', 'port_id', 'fixed_ip_address',
                   'floating_ip_address', 'description', 'subnet_id'],
    'security_group': ['name', 'description', 'stateful'],
    'security_group_rule': ['security_group_id', 'direction', 'ethertype', 'protocol',
                            'port_range_min', 'port_range_max', 'remote_ip_prefix',
                            'remote_group_id', 'remote_address_group_id'],
}
NET_PLURAL = {'network': 'networks', 'subnet': 'subnets', 'port': 'ports',
              'router': 'routers', 'floatingip': 'floatingips',
              'security_group': 'security-groups',
              'security_group_rule': 'security-group-rules'}
IDENTITY = {
    'user': ('/v3/users', ['name', 'password', 'enabled', 'domain_id', 'default_project_id',
                           'email', 'options', 'description', 'federated']),
    'project': ('/v3/projects', ['name', 'enabled', 'domain_id', 'parent_id', 'is_domain',
                                 'description', 'tags', 'options']),
    'group': ('/v3/groups', ['name', 'domain_id', 'description']),
    'role': ('/v3/roles', ['name', 'domain_id', 'description', 'options']),
    'credential': ('/v3/credentials', ['type', 'blob', 'user_id', 'project_id']),
    'domain': ('/v3/domains', ['name', 'enabled', 'description', 'options']),
    'region': ('/v3/regions', ['id', 'description', 'parent_region_id']),
    'service': ('/v3/services', ['type', 'name', 'enabled', 'description']),
    'endpoint': ('/v3/endpoints', ['service_id', 'interface', 'url', 'region_id', 'region',
                                   'enabled']),
}
APP_CRED_FIELDS = ['name', 'secret', 'expires_at', 'roles', 'access_rules', 'unrestricted',
                   'description']
# A path segment: an id of any shape (unicode, huge, dots, percent signs).
SEGMENT = TEXT.filter(lambda t: t not in ('', '.', '..')).map(
    lambda t: urllib.parse.quote(t.encode('utf-8', 'surrogatepass'), safe=''))
IMAGE_FIELDS = ['name', 'id', 'visibility', 'disk_format', 'container_format',
                'min_disk', 'min_ram', 'protected', 'tags', 'os_hidden', 'checksum',
                'size', 'status', 'owner', 'locations', 'direct_url', 'x_custom']


def _send(session, cloud, service, method, path, token, body=None, raw=None, params=None,
          headers=None):
    url = cloud.apis[service].url + path
    all_headers = {'X-Auth-Token': token}
    if raw is not None:
        data = raw
        all_headers['Content-Type'] = 'application/json'
    elif body is not None:
        data = json.dumps(body, allow_nan=False).encode()
        all_headers['Content-Type'] = 'application/json'
    else:
        data = None
    all_headers.update(headers or {})
    resp = session.request(method, url, data=data, params=params, headers=all_headers,
                           timeout=60)
    SENT[service] += 1
    if resp.status_code >= 500:
        ANSWERED_5XX[service] += 1
    assert resp.status_code < 500, (method, path, params, headers,
                                    repr(body)[:300] if raw is None else raw[:100],
                                    resp.status_code, resp.text[:600])
    return resp


@pytest.fixture(scope='module')
def session():
    with requests.Session() as s:
        s.trust_env = False
        yield s


@pytest.fixture(scope='module')
def targets(cloud):
    """Resources of project A (and an admin-made one) the updates aim at."""
    a, admin = cloud.token('a-member'), cloud.token('admin')
    out = {}

    def made(service, method, path, token, body, key=None):
        resp = cloud.call(service, method, path, token, body)
        assert resp.status_code in (200, 201), resp.text[:300]
        data = resp.json()
        return data[key]['id'] if key else data['id']
    out['network'] = made('network', 'POST', '/v2.0/networks', a,
                          {'network': {'name': 'fz'}}, 'network')
    out['subnet'] = made('network', 'POST', '/v2.0/subnets', a, {'subnet': {
        'network_id': out['network'], 'cidr': '10.93.0.0/24', 'ip_version': 4}}, 'subnet')
    out['port'] = made('network', 'POST', '/v2.0/ports', a,
                       {'port': {'network_id': out['network']}}, 'port')
    out['router'] = made('network', 'POST', '/v2.0/routers', a, {'router': {'name': 'fz'}},
                         'router')
    out['security_group'] = made('network', 'POST', '/v2.0/security-groups', a,
                                 {'security_group': {'name': 'fz'}}, 'security_group')
    out['image'] = made('image', 'POST', '/v2/images', a, {'name': 'fz'})
    out['user'] = made('identity', 'POST', '/v3/users', admin, {'user': {'name': 'fz-user'}},
                       'user')
    out['project'] = made('identity', 'POST', '/v3/projects', admin,
                          {'project': {'name': 'fz-project'}}, 'project')
    out['me'] = cloud.call('identity', 'GET', '/v3/auth/tokens', admin, headers={
        'X-Subject-Token': admin}).json()['token']['user']['id']
    out['container'] = 'fz-container'
    resp = cloud.call('objectstore', 'PUT', cloud.account('A') + '/fz-container', a)
    assert resp.status_code in (201, 202)
    cloud.call('objectstore', 'PUT', cloud.account('A') + '/fz-container/o', a, data=b'x')
    return out


def _made_with(resource, kind):
    """The id of the acknowledged resource a row was made along with, if any: the
    default rules of a security group, the port of a router interface."""
    if kind == 'security_group_rule':
        return resource.get('security_group_id')
    if kind == 'port' and resource.get('device_owner', '').startswith('network:'):
        return resource.get('device_id')
    return None


def census(cloud, service):
    """{kind: {id: id of what it was made along with (or None)}} of what exists, seen by
    the fuzzer (names for the object store)."""
    a, admin = cloud.token('a-member'), cloud.token('admin')
    if service == 'network':
        return {kind: {r['id']: _made_with(r, kind) for r in cloud.call(
            'network', 'GET', '/v2.0/' + plural, a).json()[plural.replace('-', '_')]}
            for kind, plural in NET_PLURAL.items()}
    if service == 'image':
        return {'image': dict.fromkeys(i['id'] for i in cloud.call(
            'image', 'GET', '/v2/images?limit=1000', a).json()['images'])}
    if service == 'identity':
        return {kind: dict.fromkeys(r['id'] for r in cloud.call(
            'identity', 'GET', path, admin).json()[path.rsplit('/', 1)[1]])
            for kind, (path, _) in IDENTITY.items()}
    names = cloud.call('objectstore', 'GET', cloud.account('A') + '?format=json', a).json()
    return {'container': dict.fromkeys(c['name'] for c in names)}


def acknowledge(service, kind, resp, ident=None):
    if resp.status_code in (200, 201, 202) and ident is None:
        try:
            data = resp.json()
            ident = data.get(kind, data).get('id') if isinstance(data, dict) else None
        except ValueError:
            ident = None
    if resp.status_code < 300 and ident:
        CREATED[(service, kind)].add(ident)


def assert_nothing_half_made(cloud, service, before):
    after = census(cloud, service)
    whole = set()
    for kind, rows in after.items():
        whole |= set(before.get(kind, {})) | CREATED[(service, kind)]
    for kind, rows in after.items():
        unacknowledged = {ident for ident, parent in rows.items()
                          if ident not in whole and parent not in whole}
        assert not unacknowledged, (service, kind, 'exists but was refused', unacknowledged)


FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


def test_network_api_fuzz(cloud, targets, session):
    token = cloud.token('a-member')
    before = census(cloud, 'network')

    @FUZZ
    @given(st.data())
    def run(data):
        kind = data.draw(st.sampled_from(sorted(NET_FIELDS)))
        plural = NET_PLURAL[kind]
        how = data.draw(st.sampled_from(['create', 'create', 'update', 'query', 'raw',
                                         'action', 'show']))
        headers = data.draw(st.dictionaries(st.sampled_from(COMMON_HEADERS), HEADER_VALUE,
                                            max_size=2))
        if how == 'create':
            resp = _send(session, cloud, 'network', 'POST', '/v2.0/' + plural, token,
                         data.draw(field_mutation(kind, NET_FIELDS[kind])), headers=headers)
            acknowledge('network', kind, resp)
        elif how == 'update' and kind in targets:
            _send(session, cloud, 'network', 'PUT', '/v2.0/%s/%s' % (plural, targets[kind]),
                  token, data.draw(field_mutation(kind, NET_FIELDS[kind])), headers=headers)
        elif how == 'raw':
            resp = _send(session, cloud, 'network', 'POST', '/v2.0/' + plural, token,
                         raw=data.draw(RAW))
            acknowledge('network', kind, resp)
        elif how == 'show':
            method = data.draw(st.sampled_from(['GET', 'PUT', 'DELETE']))
            _send(session, cloud, 'network', method, '/v2.0/%s/%s' % (
                plural, data.draw(SEGMENT)), token, data.draw(st.one_of(st.none(), JSON)))
        elif how == 'action':
            action = data.draw(st.sampled_from(['add_router_interface',
                                                'remove_router_interface',
                                                'add_extraroutes', 'x']))
            _send(session, cloud, 'network', 'PUT', '/v2.0/routers/%s/%s' % (
                targets['router'], action), token, data.draw(field_mutation(
                    None, ['subnet_id', 'port_id', 'router'])))
        else:
            params = data.draw(st.dictionaries(st.sampled_from(QUERY_KEYS), TEXT, max_size=3))
            _send(session, cloud, 'network', 'GET', '/v2.0/' + plural, token, params=params,
                  headers=headers)
    run()
    assert_nothing_half_made(cloud, 'network', before)


def test_image_api_fuzz(cloud, targets, session):
    token = cloud.token('a-member')
    before = census(cloud, 'image')
    image = targets['image']

    @FUZZ
    @given(st.data())
    def run(data):
        how = data.draw(st.sampled_from(['create', 'create', 'patch', 'member', 'query',
                                         'raw', 'tag', 'import', 'upload', 'show']))
        headers = data.draw(st.dictionaries(st.sampled_from(COMMON_HEADERS), HEADER_VALUE,
                                            max_size=2))
        if how == 'create':
            resp = _send(session, cloud, 'image', 'POST', '/v2/images', token,
                         data.draw(field_mutation(None, IMAGE_FIELDS)), headers=headers)
            acknowledge('image', 'image', resp)
        elif how == 'raw':
            resp = _send(session, cloud, 'image', 'POST', '/v2/images', token,
                         raw=data.draw(RAW))
            acknowledge('image', 'image', resp)
        elif how == 'patch':
            ops = data.draw(st.one_of(JSON, st.lists(st.fixed_dictionaries({
                'op': st.one_of(st.sampled_from(['add', 'replace', 'remove', 'move']), TEXT),
                'path': st.one_of(st.sampled_from(['/' + f for f in IMAGE_FIELDS] +
                                                  ['/tags/0', '/locations/-', '/', '']),
                                  TEXT),
                'value': JSON}), max_size=3)))
            _send(session, cloud, 'image', 'PATCH', '/v2/images/%s' % image, token,
                  raw=json.dumps(ops).encode(), headers=dict(headers, **{
                      'Content-Type': 'application/openstack-images-v2.1-json-patch'}))
        elif how == 'show':
            method = data.draw(st.sampled_from(['GET', 'DELETE', 'PATCH']))
            sub = data.draw(st.sampled_from(['', '/file', '/members', '/members/x',
                                             '/actions/deactivate', '/tags/t']))
            _send(session, cloud, 'image', method, '/v2/images/%s%s' % (
                data.draw(SEGMENT), sub), token)
        elif how == 'member':
            _send(session, cloud, 'image', 'POST', '/v2/images/%s/members' % image, token,
                  data.draw(field_mutation(None, ['member', 'status'])))
        elif how == 'tag':
            tag = data.draw(TEXT.filter(lambda t: '/' not in t and t not in ('.', '..')))
            _send(session, cloud, 'image', 'PUT', '/v2/images/%s/tags/%s' % (
                image, urllib.parse.quote(tag, safe='')), token)
        elif how == 'import':
            _send(session, cloud, 'image', 'POST', '/v2/images/%s/import' % image, token,
                  data.draw(field_mutation('method', ['name', 'uri', 'stores'])))
        elif how == 'upload':
            _send(session, cloud, 'image', 'PUT', '/v2/images/%s/stage' % image, token,
                  raw=data.draw(st.binary(max_size=32)), headers=dict(headers, **{
                      'Content-Type': data.draw(st.sampled_from([
                          'application/octet-stream', 'text/plain', '']))}))
        else:
            params = data.draw(st.dictionaries(st.sampled_from(QUERY_KEYS), TEXT, max_size=3))
            _send(session, cloud, 'image', 'GET', '/v2/images', token, params=params,
                  headers=headers)
    run()
    assert_nothing_half_made(cloud, 'image', before)


def test_identity_api_fuzz(cloud, targets, session):
    admin = cloud.token('admin')
    before = census(cloud, 'identity')

    @FUZZ
    @given(st.data())
    def run(data):
        kind = data.draw(st.sampled_from(sorted(IDENTITY)))
        path, fields = IDENTITY[kind]
        how = data.draw(st.sampled_from(['create', 'create', 'update', 'query', 'raw',
                                         'auth', 'show', 'app_cred']))
        headers = data.draw(st.dictionaries(st.sampled_from(COMMON_HEADERS), HEADER_VALUE,
                                            max_size=2))
        if how == 'create':
            resp = _send(session, cloud, 'identity', 'POST', path, admin,
                         data.draw(field_mutation(kind, fields)), headers=headers)
            acknowledge('identity', kind, resp)
        elif how == 'update' and kind in targets:
            _send(session, cloud, 'identity', 'PATCH', '%s/%s' % (path, targets[kind]), admin,
                  data.draw(field_mutation(kind, fields)), headers=headers)
        elif how == 'show':
            method = data.draw(st.sampled_from(['GET', 'PATCH', 'DELETE', 'HEAD']))
            _send(session, cloud, 'identity', method, '%s/%s' % (path, data.draw(SEGMENT)),
                  admin, data.draw(st.one_of(st.none(), JSON)))
        elif how == 'app_cred':
            _send(session, cloud, 'identity', 'POST', '/v3/users/%s/application_credentials'
                  % targets['me'], admin, data.draw(field_mutation('application_credential',
                                                                   APP_CRED_FIELDS)))
        elif how == 'raw':
            resp = _send(session, cloud, 'identity', 'POST', path, admin, raw=data.draw(RAW))
            acknowledge('identity', kind, resp)
        elif how == 'auth':
            body = data.draw(st.one_of(field_mutation('auth', ['identity', 'scope']),
                                       st.builds(lambda m, p: {'auth': {'identity': {
                                           'methods': m, 'password': p}}},
                                           st.one_of(JSON, st.just(['password'])),
                                           field_mutation('user', [
                                               'name', 'id', 'password', 'domain']))))
            _send(session, cloud, 'identity', 'POST', '/v3/auth/tokens', None, body,
                  headers=headers)
        else:
            params = data.draw(st.dictionaries(st.sampled_from(QUERY_KEYS), TEXT, max_size=3))
            _send(session, cloud, 'identity', 'GET', path, admin, params=params,
                  headers=headers)
    run()
    assert_nothing_half_made(cloud, 'identity', before)


OBJECT_HEADERS = ['X-Object-Meta-Color', 'X-Container-Meta-Color', 'X-Container-Read',
                  'X-Container-Write', 'X-Delete-At', 'X-Delete-After', 'Content-Type',
                  'Range', 'If-None-Match', 'If-Match', 'If-Modified-Since', 'X-Copy-From',
                  'Destination', 'X-Versions-Location', 'X-History-Location',
                  'X-Container-Meta-Quota-Bytes', 'X-Container-Meta-Quota-Count',
                  'X-Object-Manifest', 'Content-Encoding', 'Content-Disposition',
                  'X-Symlink-Target', 'ETag', 'X-Static-Large-Object',
                  'X-Container-Meta-Temp-URL-Key', 'X-Storage-Policy', 'X-Remove-Container-Meta-Color',
                  'X-Container-Sync-To', 'X-Container-Sync-Key', 'X-Object-Meta-' + 'k' * 200,
                  'X-Timestamp', 'X-Backend-Storage-Policy-Index', 'X-Auth-Token-X']


def test_objectstore_api_fuzz(cloud, targets, session):
    token = cloud.token('a-member')
    account = cloud.account('A')
    before = census(cloud, 'objectstore')

    @FUZZ
    @given(st.data())
    def run(data):
        how = data.draw(st.sampled_from(['container', 'object', 'post', 'query', 'copy',
                                         'slo', 's3', 'bulk']))
        headers = data.draw(st.dictionaries(st.sampled_from(OBJECT_HEADERS), HEADER_VALUE,
                                            max_size=3))
        name = data.draw(st.one_of(st.just('fz-container'), st.text(min_size=1, max_size=20),
                                   HUGE))
        quoted = urllib.parse.quote(name.encode('utf-8', 'surrogatepass'), safe='')
        if how == 'container':
            resp = _send(session, cloud, 'objectstore', 'PUT', '%s/%s' % (account, quoted),
                         token, headers=headers)
            if resp.status_code in (201, 202):
                CREATED[('objectstore', 'container')].add(name)
        elif how == 'object':
            _send(session, cloud, 'objectstore', 'PUT', '%s/fz-container/%s' % (
                account, quoted), token, raw=data.draw(st.binary(max_size=64)),
                headers=headers)
        elif how == 'post':
            target = data.draw(st.sampled_from(['', '/fz-container', '/fz-container/o']))
            _send(session, cloud, 'objectstore', 'POST', account + target, token,
                  headers=headers)
        elif how == 'copy':
            _send(session, cloud, 'objectstore', 'COPY', '%s/fz-container/o' % account, token,
                  headers=dict(headers, Destination=data.draw(HEADER_VALUE)))
        elif how == 's3':
            # The S3 API on the same proxy: signatures of any shape, no token.
            url = cloud.apis['objectstore'].url + '/' + data.draw(SEGMENT)
            resp = session.request(data.draw(st.sampled_from(['GET', 'PUT', 'HEAD', 'DELETE',
                                                              'POST'])), url, timeout=60,
                                   headers=dict(data.draw(st.dictionaries(st.sampled_from([
                                       'X-Amz-Date', 'X-Amz-Content-Sha256', 'Date',
                                       'Content-MD5', 'X-Amz-Copy-Source', 'Range']),
                                       HEADER_VALUE, max_size=3)),
                                       Authorization=data.draw(st.one_of(HEADER_VALUE, st.builds(
                                           'AWS4-HMAC-SHA256 Credential={}, SignedHeaders={}, '
                                           'Signature={}'.format, HEADER_VALUE, HEADER_VALUE,
                                           HEADER_VALUE), st.builds('AWS {}:{}'.format,
                                                                    HEADER_VALUE,
                                                                    HEADER_VALUE)))),
                                   data=data.draw(st.binary(max_size=32)))
            SENT['objectstore'] += 1
            if resp.status_code >= 500:
                ANSWERED_5XX['objectstore'] += 1
            assert resp.status_code < 500, (url, resp.request.headers, resp.status_code,
                                            resp.text[:600])
        elif how == 'bulk':
            _send(session, cloud, 'objectstore', data.draw(st.sampled_from(['POST', 'DELETE',
                                                                            'PUT'])),
                  account + data.draw(st.sampled_from(['', '/fz-container'])), token,
                  raw=data.draw(st.one_of(st.binary(max_size=64), TEXT.map(str.encode))),
                  params={data.draw(st.sampled_from(['bulk-delete', 'extract-archive'])):
                          data.draw(st.sampled_from(['', 'tar', 'tar.gz', 'zip', 'x']))},
                  headers=headers)
        elif how == 'slo':
            _send(session, cloud, 'objectstore', 'PUT', '%s/fz-container/slo' % account,
                  token, raw=json.dumps(data.draw(JSON)).encode(),
                  params={'multipart-manifest': 'put'})
        else:
            params = data.draw(st.dictionaries(st.sampled_from(QUERY_KEYS + [
                'multipart-manifest', 'symlink', 'temp_url_sig', 'temp_url_expires',
                'extract-archive', 'bulk-delete']), TEXT, max_size=3))
            target = data.draw(st.sampled_from(['', '/fz-container', '/fz-container/o']))
            _send(session, cloud, 'objectstore', 'GET', account + target, token,
                  params=params, headers=headers)
    run()
    assert_nothing_half_made(cloud, 'objectstore', before)


def test_fuzz_figures():
    """Runs last: requests fuzzed per API, and how many were answered 5xx (none)."""
    print('\nfuzz figures: ' + ', '.join('%s %d requests, %d answered 5xx' % (
        service, SENT[service], ANSWERED_5XX[service]) for service in sorted(SENT)))
    assert not sum(ANSWERED_5XX.values())
