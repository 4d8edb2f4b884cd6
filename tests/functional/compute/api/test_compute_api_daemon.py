"""compute-api as a real daemon, driven by openstacksdk and the `openstack` CLI: version
negotiation, flavors, key pairs, limits, availability zones, server list."""
import json
import os
import subprocess
import sys

import pytest
import requests

pytestmark = pytest.mark.timeout(300)


def _conn(url, token):
    import openstack.connection
    from keystoneauth1 import session as ks_session
    from keystoneauth1 import token_endpoint
    sess = ks_session.Session(auth=token_endpoint.Token('http://unused', token))
    return openstack.connection.Connection(session=sess,
                                           compute_endpoint_override=url + '/v2.1')


def test_versions_and_faults_over_http(compute_api, token_source):
    root = requests.get(compute_api.url + '/').json()
    assert [v['version'] for v in root['versions']] == ['', '2.100']
    resp = requests.get(compute_api.url + '/v2.1/flavors',
                        headers={'X-Auth-Token': token_source.token('demo'),
                                 'OpenStack-API-Version': 'compute 3.0'})
    assert resp.status_code == 406
    resp = requests.get(compute_api.url + '/v2.1/servers/nope',
                        headers={'X-Auth-Token': token_source.token('demo')})
    assert resp.status_code == 404 and resp.json()['itemNotFound']['code'] == 404
    assert resp.headers['OpenStack-API-Version'] == 'compute 2.1'


def test_openstacksdk_flavors_keypairs_limits(compute_api, token_source):
    admin = _conn(compute_api.url, token_source.admin())
    demo = _conn(compute_api.url, token_source.token('demo'))
    flavor = admin.compute.create_flavor(name='m1.nano', ram=128, vcpus=1, disk=1, id='42')
    assert flavor.ram == 128
    admin.compute.create_flavor_extra_specs(flavor, {'hw:cpu_policy': 'shared'})
    found = demo.compute.find_flavor('m1.nano')
    assert found.id == '42' and found.ram == 128
    assert [f.name for f in demo.compute.flavors()] == ['m1.nano']
    key = demo.compute.create_keypair(name='k1')     # generated locally at 2.92+
    assert key.fingerprint and demo.compute.get_keypair('k1').name == 'k1'
    assert [k.name for k in demo.compute.keypairs()] == ['k1']
    limits = demo.compute.get_limits()
    assert limits.absolute.instances == 10
    assert list(demo.compute.servers()) == []
    assert [z.name for z in demo.compute.availability_zones()] == []
    demo.compute.delete_keypair('k1')
    assert list(demo.compute.keypairs()) == []


def test_openstack_cli_flavor_list(compute_api, token_source):
    _conn(compute_api.url, token_source.admin()).compute.create_flavor(
        name='m1.tiny', ram=512, vcpus=1, disk=1, id='1')
    cli = os.path.join(os.path.dirname(sys.executable), 'openstack')
    env = dict(os.environ, OS_AUTH_TYPE='admin_token', OS_TOKEN=token_source.token('demo'),
               OS_ENDPOINT=compute_api.url + '/v2.1')
    out = subprocess.run([cli, 'flavor', 'list', '-f', 'json'], env=env, check=True,
                         capture_output=True, text=True, timeout=120).stdout
    assert [f['Name'] for f in json.loads(out)] == ['m1.tiny']
