"""The compute API's frame: versions, microversions, faults, auth and policy; flavors,
key pairs, limits, quotas, server groups."""
import pytest


def test_versions_without_token(api):
    code, body, _ = api.call('GET', '/', token='')
    assert code == 200
    v = body['versions'][1]
    assert v['id'] == 'v2.1' and v['min_version'] == '2.1' and v['version'] == '2.100'
    code, body, _ = api.call('GET', '/v2.1', token='')
    assert code == 200 and body['version']['links'][0]['href'].endswith('/v2.1/')


def test_microversion_headers_and_range(api):
    code, _, headers = api.call('GET', '/v2.1/flavors', version='2.55')
    assert code == 200
    assert headers['OpenStack-API-Version'] == 'compute 2.55'
    assert headers['X-OpenStack-Nova-API-Version'] == '2.55'
    code, _, headers = api.call('GET', '/v2.1/flavors', headers={
        'X-OpenStack-Nova-API-Version': '2.30'})
    assert headers['OpenStack-API-Version'] == 'compute 2.30'
    code, _, headers = api.call('GET', '/v2.1/flavors', version='latest')
    assert headers['OpenStack-API-Version'] == 'compute 2.100'
    code, body, _ = api.call('GET', '/v2.1/flavors', version='2.1000')
    assert code == 406 and 'maximum is 2.100' in body['computeFault']['message'] \
        if 'computeFault' in body else code == 406
    code, body, _ = api.call('GET', '/v2.1/flavors', version='two')
    assert code == 400 and 'badRequest' in body
    code, _, headers = api.call('GET', '/v2.1/flavors')
    assert headers['OpenStack-API-Version'] == 'compute 2.1'


def test_auth_and_faults(api):
    code, body, _ = api.call('GET', '/v2.1/flavors', token='bogus')
    assert code == 401 and 'unauthorized' in body
    code, body, _ = api.call('GET', '/v2.1/flavors/nope')
    assert code == 404 and body['itemNotFound']['code'] == 404
    code, body, _ = api.call('POST', '/v2.1/flavors', {'flavor': {}}, token=api.admin)
    assert code == 400 and 'Missing required field' in body['badRequest']['message']
    code, body, _ = api.call('DELETE', '/v2.1/flavors')
    assert code == 405 and 'badMethod' in body


FLAVOR = {'flavor': {'name': 'm1.nano', 'id': '42', 'ram': 128, 'vcpus': 1, 'disk': 1}}


def test_flavor_id_may_be_an_integer_and_is_public_a_string(api):
    # tempest (and Nova's API) send an integer id and is_public as the text 'True'.
    body = {'flavor': dict(FLAVOR['flavor'], id=1234, name='int-id',
                           **{'os-flavor-access:is_public': 'True'})}
    flavor = api.ok('POST', '/v2.1/flavors', body, token=api.admin)['flavor']
    assert flavor['id'] == '1234' and flavor['os-flavor-access:is_public'] is True
    for spelling in ('t', 'true', 'yes', '1', 'Y'):
        listed = api.ok('GET', '/v2.1/flavors/detail?is_public=%s' % spelling,
                        token=api.admin)['flavors']
        assert 'int-id' in [f['name'] for f in listed]
    assert 'int-id' not in [f['name'] for f in api.ok(
        'GET', '/v2.1/flavors/detail?is_public=f', token=api.admin)['flavors']]
    assert api.ok('GET', '/v2.1/flavors/1234')['flavor']['name'] == 'int-id'
    code, data, _ = api.call('POST', '/v2.1/flavors', dict(body, flavor=dict(
        body['flavor'], id=-1, name='neg')), token=api.admin)
    assert code == 400 and 'id' in data['badRequest']['message']


def test_flavor_lifecycle_private_access_and_extra_specs(api):
    code, body, _ = api.call('POST', '/v2.1/flavors', FLAVOR)
    assert code == 403 and 'forbidden' in body
    flavor = api.ok('POST', '/v2.1/flavors', FLAVOR, token=api.admin)['flavor']
    assert flavor['ram'] == 128 and flavor['swap'] == '' and flavor['id'] == '42'
    assert flavor['links'][0]['href'].endswith('/v2.1/flavors/42')
    code, body, _ = api.call('POST', '/v2.1/flavors', FLAVOR, token=api.admin)
    assert code == 409 and 'conflictingRequest' in body
    for bad, field in (({'ram': 'x'}, 'ram'), ({'vcpus': 0}, 'vcpus'),
                       ({'name': ' x'}, 'name'), ({'bogus': 1}, 'bogus')):
        body = {'flavor': dict(FLAVOR['flavor'], **dict({'id': '43', 'name': 'n43'}, **bad))}
        code, data, _ = api.call('POST', '/v2.1/flavors', body, token=api.admin)
        assert code == 400 and field in data['badRequest']['message'], data
    listed = api.ok('GET', '/v2.1/flavors/detail')['flavors']
    assert [f['name'] for f in listed] == ['m1.nano']
    private = {'flavor': {'name': 'secret', 'id': 'p1', 'ram': 256, 'vcpus': 1, 'disk': 0,
                          'os-flavor-access:is_public': False}}
    api.ok('POST', '/v2.1/flavors', private, token=api.admin)
    assert api.call('GET', '/v2.1/flavors/p1')[0] == 404
    api.ok('POST', '/v2.1/flavors/p1/action', {'addTenantAccess': {'tenant': 'demo'}},
           token=api.admin)
    assert api.ok('GET', '/v2.1/flavors/p1')['flavor']['name'] == 'secret'
    assert api.call('GET', '/v2.1/flavors/p1', token=api.other)[0] == 404
    access = api.ok('GET', '/v2.1/flavors/p1/os-flavor-access', token=api.admin)
    assert access == {'flavor_access': [{'flavor_id': 'p1', 'tenant_id': 'demo'}]}
    api.ok('POST', '/v2.1/flavors/42/os-extra_specs',
           {'extra_specs': {'hw:cpu_policy': 'shared'}}, token=api.admin)
    assert api.ok('GET', '/v2.1/flavors/42/os-extra_specs') == {
        'extra_specs': {'hw:cpu_policy': 'shared'}}
    shown = api.ok('GET', '/v2.1/flavors/42', version='2.75')['flavor']
    assert shown['extra_specs'] == {'hw:cpu_policy': 'shared'} and shown['swap'] == 0
    # Nova answers an extra spec's delete 200 without a body (tempest checks the 200).
    api.ok('DELETE', '/v2.1/flavors/42/os-extra_specs/hw:cpu_policy', token=api.admin,
           status=200)
    api.ok('DELETE', '/v2.1/flavors/42', token=api.admin, status=202)
    assert api.call('GET', '/v2.1/flavors/42')[0] == 404


def test_keypairs_import_generate_per_user(api):
    pub = ('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBtg2R6n1wYw2Xl9YgZC5r0ZHcJcM4x1cWj3k2e0'
           'bq5U k1@host')
    code, body, _ = api.call('POST', '/v2.1/os-keypairs',
                             {'keypair': {'name': 'k1', 'public_key': pub}}, version='2.92')
    assert code == 201, body
    key = body['keypair']
    assert key['type'] == 'ssh' and key['fingerprint'].count(':') == 15
    code, body, _ = api.call('POST', '/v2.1/os-keypairs', {'keypair': {'name': 'k2'}},
                             version='2.92')
    assert code == 400 and 'public_key' in body['badRequest']['message']
    gen = api.ok('POST', '/v2.1/os-keypairs', {'keypair': {'name': 'k2'}},
                 status=201, version='2.2')['keypair']
    assert gen['private_key'].startswith('-----BEGIN RSA PRIVATE KEY-----')
    code, body, _ = api.call('POST', '/v2.1/os-keypairs',
                             {'keypair': {'name': 'k3', 'public_key': 'ssh-rsa nonsense'}})
    assert code == 400 and 'Keypair data is invalid' in body['badRequest']['message']
    code, body, _ = api.call('POST', '/v2.1/os-keypairs',
                             {'keypair': {'name': 'k1', 'public_key': pub}})
    assert code == 409
    names = [k['keypair']['name'] for k in api.ok('GET', '/v2.1/os-keypairs')['keypairs']]
    assert names == ['k1', 'k2']
    assert api.ok('GET', '/v2.1/os-keypairs', token=api.other)['keypairs'] == []
    assert api.call('GET', '/v2.1/os-keypairs/k1', token=api.other)[0] == 404
    shown = api.ok('GET', '/v2.1/os-keypairs/k1')['keypair']
    assert shown['public_key'] == pub and shown['user_id'] == 'user-demo'
    api.ok('DELETE', '/v2.1/os-keypairs/k1', version='2.2')
    assert api.call('GET', '/v2.1/os-keypairs/k1')[0] == 404


def test_limits_quotas_and_server_groups(api):
    lim = api.ok('GET', '/v2.1/limits')['limits']['absolute']
    assert lim['maxTotalInstances'] == 10 and lim['totalInstancesUsed'] == 0
    assert 'maxSecurityGroups' in lim
    assert 'maxSecurityGroups' not in api.ok('GET', '/v2.1/limits', version='2.36')[
        'limits']['absolute']
    assert api.call('PUT', '/v2.1/os-quota-sets/demo', {'quota_set': {'instances': 3}})[0] \
        == 403
    api.ok('PUT', '/v2.1/os-quota-sets/demo', {'quota_set': {'instances': 3}},
           token=api.admin)
    assert api.ok('GET', '/v2.1/os-quota-sets/demo')['quota_set']['instances'] == 3
    detail = api.ok('GET', '/v2.1/os-quota-sets/demo/detail')['quota_set']
    assert detail['instances'] == {'limit': 3, 'in_use': 0, 'reserved': 0}
    code, body, _ = api.call('PUT', '/v2.1/os-quota-sets/demo',
                             {'quota_set': {'instances': 'many'}}, token=api.admin)
    assert code == 400 and 'instances' in body['badRequest']['message']
    group = api.ok('POST', '/v2.1/os-server-groups',
                   {'server_group': {'name': 'g', 'policy': 'anti-affinity'}},
                   version='2.64')['server_group']
    assert group['policy'] == 'anti-affinity' and group['members'] == []
    assert api.call('GET', '/v2.1/os-server-groups/%s' % group['id'],
                    token=api.other)[0] == 404
    old = api.ok('GET', '/v2.1/os-server-groups/%s' % group['id'])['server_group']
    assert old['policies'] == ['anti-affinity']
    assert api.call('POST', '/v2.1/os-server-groups',
                    {'server_group': {'name': 'g', 'policies': ['nope']}})[0] == 400


def test_legacy_network_quotas_are_kept_until_their_microversion(api):
    # Nova keeps and answers them (enforcing nothing) before 2.36 / 2.50.
    cls = api.ok('PUT', '/v2.1/os-quota-class-sets/default', {'quota_class_set': {
        'floating_ips': 11, 'security_groups': 12, 'instances': 9}},
        token=api.admin)['quota_class_set']
    assert (cls['floating_ips'], cls['security_groups'], cls['instances']) == (11, 12, 9)
    assert 'floating_ips' in api.ok('GET', '/v2.1/os-quota-class-sets/default',
                                    token=api.admin, version='2.49')['quota_class_set']
    assert 'floating_ips' not in api.ok('GET', '/v2.1/os-quota-class-sets/default',
                                        token=api.admin, version='2.50')['quota_class_set']
    code, _, _ = api.call('PUT', '/v2.1/os-quota-class-sets/default', {'quota_class_set': {
        'floating_ips': 1}}, token=api.admin, version='2.50')
    assert code == 400
    api.ok('PUT', '/v2.1/os-quota-sets/demo', {'quota_set': {'security_group_rules': 7}},
           token=api.admin)
    shown = api.ok('GET', '/v2.1/os-quota-sets/demo')['quota_set']
    assert shown['security_group_rules'] == 7 and shown['floating_ips'] == 11
    assert 'floating_ips' not in api.ok('GET', '/v2.1/os-quota-sets/demo',
                                        version='2.36')['quota_set']


def test_reader_cannot_act_admin_only_resources(api):
    code, _, _ = api.call('POST', '/v2.1/os-server-groups',
                          {'server_group': {'name': 'g', 'policies': ['affinity']}},
                          token=api.reader)
    assert code == 403
    assert api.call('GET', '/v2.1/os-services')[0] == 403
    assert api.ok('GET', '/v2.1/os-services', token=api.admin) == {'services': []}
    assert api.ok('GET', '/v2.1/os-hypervisors/detail', token=api.admin) == {
        'hypervisors': []}
    assert api.ok('GET', '/v2.1/os-availability-zone') == {'availabilityZoneInfo': []}


def test_nova_binary_names_and_old_hypervisor_paths(api, compute_conf_obj):
    from compute.db import compute_nodes
    from compute.db import services
    from compute.state import ComputeState
    db = ComputeState.get(compute_conf_obj).db
    services.report(db, 'compute-worker', compute_conf_obj.host)
    compute_nodes.upsert(db, compute_conf_obj.host, {
        'hypervisor_hostname': 'node1', 'vcpus': 2, 'memory_mb': 2048, 'local_gb': 20})
    found = api.ok('GET', '/v2.1/os-services?binary=nova-compute', token=api.admin)
    assert [s['binary'] for s in found['services']] == ['nova-compute']
    assert found['services'][0]['zone'] == 'nova'
    hv = api.ok('GET', '/v2.1/os-hypervisors/node/search', token=api.admin)['hypervisors']
    assert [h['hypervisor_hostname'] for h in hv] == ['node1']
    assert api.ok('GET', '/v2.1/os-hypervisors/node1/servers', token=api.admin)[
        'hypervisors'][0]['servers'] == []
    up = api.ok('GET', '/v2.1/os-hypervisors/%s/uptime' % hv[0]['id'], token=api.admin)
    assert ' up ' in up['hypervisor']['uptime']
    detail = api.ok('GET', '/v2.1/os-hypervisors/detail', token=api.admin)['hypervisors'][0]
    assert detail['memory_mb'] == 2048 and detail['vcpus'] == 2
    assert api.call('GET', '/v2.1/os-hypervisors/node/search', token=api.admin,
                    version='2.53')[0] == 404
    versions = api.call('GET', '/', token='')[1]['versions']
    assert [v['id'] for v in versions] == ['v2.0', 'v2.1']


def test_request_id_headers_and_v2_document(api):
    code, body, headers = api.call('GET', '/v2.1/flavors/none')
    assert code == 404 and headers['X-Compute-Request-Id'].startswith('req-')
    assert headers['OpenStack-API-Version'] == 'compute 2.1'
    code, body, headers = api.call('GET', '/v2.1/flavors')
    assert headers['X-Compute-Request-Id'] == headers['X-OpenStack-Request-Id']
    code, body, _ = api.call('GET', '/v2/', token='')
    assert code == 200 and body['version']['id'] == 'v2.0'
