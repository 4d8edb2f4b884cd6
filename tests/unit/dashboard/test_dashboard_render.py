"""Every page of the dashboard renders from typical API answers (stubbed Cloud calls, in
this file only), with the user's values escaped and the tables' next-page links built
from the APIs' markers."""
import time

import pytest
import webob

from dashboard import app as app_mod
from dashboard import cloud as cloud_mod
from dashboard import session as session_mod
from dashboard.conf import CONF

EVIL = '<i>evil</i>'
SERVER = {'id': 's1', 'name': EVIL, 'status': 'BUILD', 'OS-EXT-STS:task_state': 'spawning',
          'addresses': {'private': [{'addr': '10.0.0.5', 'OS-EXT-IPS:type': 'fixed'}]},
          'flavor': {'id': 'f1'}, 'image': {'id': 'i1'}, 'key_name': 'k', 'created': 'now'}
NET = {'id': 'n1', 'name': EVIL, 'subnets': ['sn1'], 'status': 'ACTIVE', 'shared': False,
       'router:external': True, 'project_id': 'p1', 'mtu': 1450}
ANSWERS = {
    '/limits': {'limits': {'absolute': {'maxTotalInstances': 10, 'totalInstancesUsed': 9,
                                        'maxTotalCores': 20, 'totalCoresUsed': 1,
                                        'maxTotalRAMSize': -1, 'totalRAMUsed': 64,
                                        'maxTotalVolumes': 10, 'totalVolumesUsed': 0,
                                        'maxTotalVolumeGigabytes': 100,
                                        'totalGigabytesUsed': 0}}},
    '/v2.0/quotas/p1/details': {'quota': {'floatingip': {'used': 1, 'limit': 50}}},
    '/servers/detail': {'servers': [SERVER]},
    '/servers/s1': {'server': SERVER},
    '/servers/s1/os-instance-actions': {'instanceActions': [
        {'action': 'create', 'start_time': 't', 'request_id': 'req-9', 'message': EVIL}]},
    '/servers/s1/action': {'output': 'boot ' + EVIL},
    '/servers': {'servers': [SERVER]},
    '/flavors': {'flavors': [{'id': 'f1', 'name': 'm1.nano'}]},
    '/flavors/detail': {'flavors': [{'id': 'f1', 'name': 'm1.nano', 'ram': 64, 'vcpus': 1,
                                     'disk': 1}]},
    '/os-keypairs': {'keypairs': [{'keypair': {'name': EVIL, 'fingerprint': 'ab'}}]},
    '/v2/images': {'images': [{'id': 'i1', 'name': EVIL, 'status': 'active', 'size': 2048,
                               'visibility': 'private', 'disk_format': 'raw',
                               'owner': 'p1'}]},
    '/v2.0/networks': {'networks': [NET]},
    '/v2.0/networks/n1': {'network': NET},
    '/v2.0/subnets': {'subnets': [{'id': 'sn1', 'name': EVIL, 'cidr': '10.0.0.0/24',
                                   'gateway_ip': '10.0.0.1', 'enable_dhcp': True}]},
    '/v2.0/ports': {'ports': [{'id': 'pt1', 'device_id': 's1', 'device_owner':
                               'network:router_interface', 'status': 'ACTIVE',
                               'fixed_ips': [{'ip_address': '10.0.0.1'}]}]},
    '/v2.0/routers': {'routers': [{'id': 'r1', 'name': EVIL, 'status': 'ACTIVE',
                                   'external_gateway_info': None}]},
    '/v2.0/routers/r1': {'router': {'id': 'r1', 'name': EVIL, 'status': 'ACTIVE',
                                    'external_gateway_info': {'network_id': 'n1',
                                                              'external_fixed_ips': []}}},
    '/v2.0/floatingips': {'floatingips': [{'id': 'fip1', 'floating_ip_address': '172.24.4.9',
                                           'fixed_ip_address': '10.0.0.5', 'port_id': 'pt1',
                                           'status': 'ACTIVE'}]},
    '/v2.0/security-groups': {'security_groups': [{'id': 'g1', 'name': EVIL,
                                                   'description': EVIL,
                                                   'security_group_rules': []}]},
    '/v2.0/security-groups/g1': {'security_group': {'id': 'g1', 'name': EVIL, 'description':
                                                    '', 'security_group_rules': [{
                                                        'id': 'ru1', 'direction': 'ingress',
                                                        'ethertype': 'IPv4', 'protocol': 'tcp',
                                                        'port_range_min': 22,
                                                        'port_range_max': 22,
                                                        'remote_ip_prefix': EVIL,
                                                        'remote_group_id': None}]}},
    '/volumes/detail': {'volumes': [{'id': 'v1', 'name': EVIL, 'status': 'available',
                                     'size': 1, 'attachments': []}]},
    '/volumes/v1': {'volume': {'id': 'v1', 'name': EVIL, 'status': 'in-use', 'size': 1,
                               'attachments': [{'server_id': 's1', 'device': '/dev/vdb'}]}},
    '/snapshots/detail': {'snapshots': [{'id': 'sn1', 'name': EVIL, 'status': 'available',
                                         'size': 1, 'description': EVIL}]},
    '/servers/s1/os-volume_attachments': {'volumeAttachments': [
        {'id': 'v1', 'volumeId': 'v1', 'serverId': 's1', 'device': '/dev/vdb'}]},
    '': [{'name': EVIL, 'count': 1, 'bytes': 10}],
    '/c1': [{'subdir': 'folder/'}, {'name': EVIL, 'bytes': 3, 'last_modified': 'x'}],
}
PAGES = ['/project/overview', '/project/servers', '/project/servers/s1',
         '/project/servers/s1/console-log', '/project/servers/launch', '/project/keypairs',
         '/project/images', '/project/networks', '/project/networks/n1', '/project/routers',
         '/project/routers/r1', '/project/floating_ips', '/project/security_groups',
         '/project/security_groups/g1', '/project/volumes', '/project/containers',
         '/project/containers/c1', '/project/topology', '/project/volumes/v1/snapshots']


@pytest.fixture
def dash(tmp_path, monkeypatch):
    CONF.set_override('secret_key', 'unit-test-key-' + 'y' * 32, 'dashboard')
    CONF.set_override('page_size', 1, 'dashboard')
    CONF.set_override('state_path', str(tmp_path))
    monkeypatch.setattr(cloud_mod.Cloud, 'json',
                        lambda self, name, method, path, body=None, params=None,
                        headers=None: ANSWERS[path])
    app = app_mod.Dashboard(CONF)
    sess = app.sessions.new({'token': 't', 'roles': ['member'], 'project_id': 'p1',
                             'project_name': EVIL, 'projects': [{'id': 'p1', 'name': EVIL}],
                             'user': {'id': 'u', 'name': EVIL}, 'expires': time.time() + 99,
                             'catalog': {'volume': 'http://v'}})
    app.sessions.store.put(sess.sid, dict(sess))
    app.cookie = app.sessions.signer.sign(sess.sid)
    yield app
    for name in ('secret_key', 'page_size'):
        CONF.clear_override(name, 'dashboard')
    CONF.clear_override('state_path')


@pytest.mark.parametrize('path', PAGES)
def test_page_renders_and_escapes(dash, path):
    req = webob.Request.blank(path)
    req.cookies[session_mod.COOKIE_NAME] = dash.cookie
    resp = req.get_response(dash)
    assert resp.status_int == 200, resp.text[:2000]
    assert '<i>evil</i>' not in resp.text
    assert '&lt;i&gt;evil&lt;/i&gt;' in resp.text


def test_tables_link_the_next_page_with_the_last_marker(dash):
    req = webob.Request.blank('/project/servers')
    req.cookies[session_mod.COOKIE_NAME] = dash.cookie
    text = req.get_response(dash).text
    assert 'href="/project/servers?marker=s1"' in text
    assert 'data-stable="no"' in text        # a BUILD server: the page keeps polling


def test_status_json_for_polling(dash):
    req = webob.Request.blank('/project/servers/status.json')
    req.cookies[session_mod.COOKIE_NAME] = dash.cookie
    body = req.get_response(dash).json
    assert body['servers']['s1']['status'] == 'BUILD'
    assert body['servers']['s1']['addresses'] == ['private: 10.0.0.5']
