"""Nova's proxy APIs (images, os-security-groups, os-floating-ips, os-networks, os-volumes,
os-snapshots) through the paste app over a fake of the image, network and block storage
services: Nova's views and errors, the
caller's own project reaching the backend, and 404 from microversion 2.36."""
import os
import sys

import pytest

from compute import engine as engine_mod
from compute.api import state as state_mod

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                'core'))
import compute_core_fakes as fakes  # noqa: E402
import proxy_fakes  # noqa: E402

V = '/v2.1'


@pytest.fixture
def papi(api, compute_conf_obj):
    st = state_mod.get(compute_conf_obj)
    engine = engine_mod.Engine(compute_conf_obj, st.db, st.transport,
                               image_api=fakes.FakeImageAPI(),
                               network_api=fakes.AnyProjectNetworkAPI(),
                               volume_api=fakes.FakeVolumeAPI())
    engine._proxy_api = proxy_fakes.FakeProxyBackends()
    st._engine = engine
    api.fake, api.engine = engine._proxy_api, engine
    return api


# images ------------------------------------------------------------------------------
def test_images_nova_view_filters_and_paging(papi):
    fake = papi.fake
    mine = fake.add_image('demo', name='snap', status='queued', instance_uuid='srv-1',
                          image_type='snapshot', os_distro='cirros')
    public = fake.add_image('admin', visibility='public', name='cirros')
    hidden = fake.add_image('other', name='theirs')
    listed = papi.ok('GET', V + '/images')['images']
    assert {i['id'] for i in listed} == {mine, public}
    assert hidden not in [i['id'] for i in listed]
    assert set(listed[0]) == {'id', 'name', 'links'}
    assert [link['rel'] for link in listed[0]['links']] == ['self', 'bookmark', 'alternate']
    assert listed[0]['links'][2]['type'] == 'application/vnd.openstack.image'

    image = papi.ok('GET', V + '/images/%s' % mine)['image']
    assert image['status'] == 'SAVING' and image['progress'] == 25
    assert image['minRam'] == 64 and image['minDisk'] == 1
    assert image['OS-EXT-IMG-SIZE:size'] == 1024
    assert image['metadata'] == {'instance_uuid': 'srv-1', 'image_type': 'snapshot',
                                 'os_distro': 'cirros'}
    assert image['server']['id'] == 'srv-1'
    assert image['created'] == '2026-01-02T03:04:05Z'

    by_server = papi.ok('GET', V + '/images/detail?server=http://x/servers/srv-1')['images']
    assert [i['id'] for i in by_server] == [mine]
    assert [i['id'] for i in papi.ok('GET', V + '/images?type=snapshot')['images']] == [mine]
    assert [i['id'] for i in papi.ok('GET', V + '/images?status=ACTIVE')['images']] == [public]
    assert papi.ok('GET', V + '/images?changes-since=2030-01-01T00:00:00Z')['images'] == []
    assert papi.ok('GET', V + '/images?minRam=65')['images'] == []
    assert len(papi.ok('GET', V + '/images?minRam=64&minDisk=1')['images']) == 2
    page = papi.ok('GET', V + '/images/detail?limit=1')
    assert len(page['images']) == 1 and 'marker=' in page['images_links'][0]['href']
    for _ in range(3):
        fake.add_image('demo')
    fake.image_page = 2         # the image service's pages are followed
    assert len(papi.ok('GET', V + '/images')['images']) == 5
    assert len(papi.ok('GET', V + '/images?limit=3')['images']) == 3
    code, _, _ = papi.call('GET', V + '/images?changes-since=yesterday')
    assert code == 400


def test_images_not_found_delete_and_version_gate(papi):
    fake = papi.fake
    theirs = fake.add_image('other', visibility='public')
    mine = fake.add_image('demo')
    for path in ('/images/%s' % fake.add_image('other'), '/images/not-a-uuid',
                 '/images/00000000-0000-0000-0000-000000000000/metadata'):
        assert papi.call('GET', V + path)[0] == 404
    assert papi.call('DELETE', V + '/images/%s' % theirs)[0] == 403   # the image service's no
    assert papi.call('DELETE', V + '/images/%s' % mine)[0] == 204
    assert mine not in fake.images
    code, _, headers = papi.call('GET', V + '/images', version='2.36')
    assert code == 404
    assert papi.call('GET', V + '/images', version='2.35')[0] == 200
    assert {c[1] for c in fake.calls} == {'demo'}     # always the caller's own project


def test_image_metadata(papi):
    iid = papi.fake.add_image('demo', os_distro='cirros', kernel='k')
    base = V + '/images/%s/metadata' % iid
    assert papi.ok('GET', base)['metadata'] == {'os_distro': 'cirros', 'kernel': 'k'}
    out = papi.ok('POST', base, {'metadata': {'os_version': '1', 'kernel': 'k2'}})
    assert out['metadata'] == {'os_distro': 'cirros', 'kernel': 'k2', 'os_version': '1'}
    out = papi.ok('PUT', base, {'metadata': {'only': 'this'}})
    assert out['metadata'] == {'only': 'this'}
    assert papi.ok('GET', base)['metadata'] == {'only': 'this'}
    assert papi.fake.images[iid]['name'] == 'img'      # core attributes untouched
    assert papi.ok('PUT', base + '/a', {'meta': {'a': 'b'}}) == {'meta': {'a': 'b'}}
    assert papi.ok('GET', base + '/a') == {'meta': {'a': 'b'}}
    assert papi.call('PUT', base + '/a', {'meta': {'x': 'b'}})[0] == 400     # URI mismatch
    assert papi.call('PUT', base + '/a', {'meta': {'a': 'b', 'c': 'd'}})[0] == 400
    assert papi.call('POST', base, {'metadata': {'k': 1}})[0] == 400
    assert papi.call('DELETE', base + '/a')[0] == 204
    assert papi.call('GET', base + '/a')[0] == 404
    assert papi.call('DELETE', base + '/a')[0] == 404
    many = {'k%d' % i: 'v' for i in range(129)}
    assert papi.call('POST', base, {'metadata': many})[0] == 403


# security groups ---------------------------------------------------------------------
def test_security_groups_crud_and_rules(papi):
    sg = papi.ok('POST', V + '/os-security-groups',
                 {'security_group': {'name': 'web', 'description': 'http'}})['security_group']
    assert sg['name'] == 'web' and sg['tenant_id'] == 'demo' and sg['rules'] == []
    other = papi.fake.add_group('other', 'theirs')
    groups = papi.ok('GET', V + '/os-security-groups')['security_groups']
    assert [g['id'] for g in groups] == [sg['id']]
    assert papi.call('GET', V + '/os-security-groups/%s' % other)[0] == 404

    path = V + '/os-security-group-rules'
    rule = papi.ok('POST', path, {'security_group_rule': {
        'parent_group_id': sg['id'], 'ip_protocol': 'tcp', 'from_port': 22,
        'to_port': 22}})['security_group_rule']
    assert rule['ip_range'] == {'cidr': '0.0.0.0/0'} and rule['group'] == {}
    assert (rule['ip_protocol'], rule['from_port'], rule['to_port']) == ('tcp', 22, 22)
    assert rule['parent_group_id'] == sg['id']
    grp = papi.ok('POST', path, {'security_group_rule': {
        'parent_group_id': sg['id'], 'ip_protocol': 'icmp', 'from_port': -1, 'to_port': -1,
        'group_id': sg['id']}})['security_group_rule']
    assert grp['group'] == {'name': 'web', 'tenant_id': 'demo'} and grp['ip_range'] == {}
    shown = papi.ok('GET', V + '/os-security-groups/%s' % sg['id'])['security_group']
    assert {r['id'] for r in shown['rules']} == {rule['id'], grp['id']}
    assert [r for r in shown['rules'] if r['id'] == grp['id']][0]['from_port'] == -1

    def bad(**fields):
        values = dict({'parent_group_id': sg['id'], 'ip_protocol': 'tcp', 'from_port': 22,
                       'to_port': 22}, **fields)
        return papi.call('POST', path, {'security_group_rule': values})[0]
    assert bad() == 400                                 # duplicate
    assert bad(ip_protocol='999') == 400
    assert bad(from_port=70000) == 400 and bad(to_port=70000) == 400
    assert bad(from_port=23, to_port=21) == 400
    assert bad(from_port='x') == 400
    assert bad(from_port=None, to_port=None) == 400      # a CIDR rule needs its ports
    assert bad(cidr='0.0.0.0/0') == 400                  # the same rule, spelled out
    host_bits = papi.ok('POST', path, {'security_group_rule': {
        'parent_group_id': sg['id'], 'ip_protocol': 'udp', 'from_port': 53, 'to_port': 53,
        'cidr': '10.2.3.124/24'}})['security_group_rule']
    assert host_bits['ip_range'] == {'cidr': '10.2.3.124/24'}
    assert papi.call('DELETE', path + '/%s' % host_bits['id'])[0] == 202
    assert bad(cidr='10.0.0.0/33', from_port=80, to_port=80) == 400
    assert bad(parent_group_id='not-a-uuid') == 400
    assert bad(parent_group_id='00000000-0000-0000-0000-000000000000') == 404
    assert bad(parent_group_id=other) == 404

    assert papi.call('DELETE', path + '/%s' % rule['id'])[0] == 202
    assert papi.call('DELETE', path + '/%s' % rule['id'])[0] == 404
    updated = papi.ok('PUT', V + '/os-security-groups/%s' % sg['id'],
                      {'security_group': {'name': 'web2', 'description': 'd'}})
    assert updated['security_group']['name'] == 'web2'
    spaced = papi.ok('POST', V + '/os-security-groups',
                     {'security_group': {'name': ' a b ', 'description': ' d '}})
    assert (spaced['security_group']['name'], spaced['security_group']['description']) == \
        (' a b ', ' d ')                                 # kept as given, as Nova does
    for body in ({'name': '', 'description': 'x'}, {'name': '  ', 'description': 'x'},
                 {'name': 'x' * 256, 'description': 'x'},
                 {'name': 1, 'description': 'x'}, {'name': 'x'}):
        assert papi.call('POST', V + '/os-security-groups',
                         {'security_group': body})[0] == 400
    default = papi.fake.add_group('demo', 'default')
    assert papi.call('DELETE', V + '/os-security-groups/%s' % default)[0] == 400
    assert papi.call('DELETE', V + '/os-security-groups/%s' % sg['id'])[0] == 202
    assert papi.call('GET', V + '/os-security-groups', version='2.36')[0] == 404
    assert papi.call('GET', V + '/os-security-groups', token=papi.other)[0] == 200


def test_server_security_groups_actions(papi):
    uuid = proxy_fakes.boot_server(papi)
    default = papi.fake.add_group('demo', 'default')
    web = papi.fake.add_group('demo', 'web')
    port = papi.fake.add_port('demo', uuid, '10.0.0.5', groups=[default])
    act = V + '/servers/%s/action' % uuid
    listed = papi.ok('GET', V + '/servers/%s/os-security-groups' % uuid)['security_groups']
    assert [g['name'] for g in listed] == ['default']
    assert papi.call('POST', act, {'addSecurityGroup': {'name': 'web'}})[0] == 202
    assert papi.fake.ports[port]['security_groups'] == [default, web]
    shown = papi.ok('GET', V + '/servers/%s' % uuid)['server']['security_groups']
    assert shown == [{'name': 'default'}, {'name': 'web'}]
    assert papi.call('POST', act, {'addSecurityGroup': {'name': 'web'}})[0] == 400
    assert papi.call('POST', act, {'addSecurityGroup': {'name': 'nope'}})[0] == 404
    assert papi.call('POST', act, {'addSecurityGroup': {}})[0] == 400
    # the server's actions stay after 2.35, as Nova's
    code, _, _ = papi.call('POST', act, {'removeSecurityGroup': {'name': 'web'}},
                           version='2.50')
    assert code == 202 and papi.fake.ports[port]['security_groups'] == [default]
    shown = papi.ok('GET', V + '/servers/%s' % uuid)['server']['security_groups']
    assert shown == [{'name': 'default'}]
    assert papi.call('POST', act, {'removeSecurityGroup': {'name': 'web'}})[0] == 400


# floating IPs ------------------------------------------------------------------------
def test_floating_ips(papi):
    assert papi.ok('GET', V + '/os-floating-ip-pools') == {
        'floating_ip_pools': [{'name': 'public'}]}
    fip = papi.ok('POST', V + '/os-floating-ips', {'pool': 'public'})['floating_ip']
    assert fip['pool'] == 'public' and fip['instance_id'] is None and fip['fixed_ip'] is None
    assert papi.ok('GET', V + '/os-floating-ips/%s' % fip['id'])['floating_ip'] == fip
    assert papi.ok('GET', V + '/os-floating-ips')['floating_ips'] == [fip]
    assert papi.call('POST', V + '/os-floating-ips', {'pool': 'nope'})[0] == 404
    papi.ok('POST', V + '/os-floating-ips', None)          # the one external network
    assert papi.call('POST', V + '/os-floating-ips', {'pool': 'public'})[0] == 403  # quota
    for bad in ('00000000-0000-0000-0000-000000000000', '123'):
        assert papi.call('GET', V + '/os-floating-ips/%s' % bad)[0] == 404
        assert papi.call('DELETE', V + '/os-floating-ips/%s' % bad)[0] == 404

    uuid = proxy_fakes.boot_server(papi)
    papi.fake.add_port('demo', uuid, '10.0.0.5')
    act = V + '/servers/%s/action' % uuid
    assert papi.call('POST', act, {'addFloatingIp': {'address': fip['ip'],
                                                     'fixed_address': '10.9.9.9'}})[0] == 400
    assert papi.call('POST', act, {'addFloatingIp': {'address': '198.51.100.1'}})[0] == 404
    assert papi.call('POST', act, {'addFloatingIp': {'address': ''}})[0] == 400
    assert papi.call('POST', act, {'addFloatingIp': {'address': fip['ip']}})[0] == 202
    shown = papi.ok('GET', V + '/os-floating-ips/%s' % fip['id'])['floating_ip']
    assert shown['instance_id'] == uuid and shown['fixed_ip'] == '10.0.0.5'
    second = [f for f in papi.ok('GET', V + '/os-floating-ips')['floating_ips']
              if f['id'] != fip['id']][0]
    assert papi.call('POST', act, {'addFloatingIp': {'address': second['ip']}})[0] == 400
    assert papi.call('POST', act, {'removeFloatingIp': {'address': second['ip']}})[0] == 409
    assert papi.call('POST', act, {'removeFloatingIp': {'address': fip['ip']}})[0] == 202
    assert papi.call('POST', act, {'addFloatingIp': {'address': fip['ip']}},
                     version='2.44')[0] == 400
    assert papi.call('DELETE', V + '/os-floating-ips/%s' % fip['id'])[0] == 202
    assert papi.call('GET', V + '/os-floating-ips', version='2.36')[0] == 404


# networks ----------------------------------------------------------------------------
def test_networks(papi):
    mine = papi.fake.add_network('demo', 'private', '10.1.0.0/24')
    papi.fake.add_network('other', 'theirs')
    nets = papi.ok('GET', V + '/os-networks')['networks']
    assert {n['label'] for n in nets} == {'private', 'public'}
    net = papi.ok('GET', V + '/os-networks/%s' % mine)['network']
    assert net['cidr'] == '10.1.0.0/24' and net['netmask'] == '255.255.255.0'
    assert net['gateway'] == '10.1.0.1' and net['dns1'] == '192.0.2.53'
    assert 'project_id' not in net                  # admin fields for admins only
    admin = papi.ok('GET', V + '/os-networks/%s' % mine, token=papi.admin)['network']
    assert admin['project_id'] == 'demo' and admin['mtu'] == 1450
    tenant = papi.ok('GET', V + '/os-tenant-networks/%s' % mine)['network']
    assert tenant == {'id': mine, 'label': 'private', 'cidr': '10.1.0.0/24'}
    assert mine in [n['id'] for n in papi.ok('GET', V + '/os-tenant-networks')['networks']]
    assert papi.call('GET', V + '/os-networks/00000000-0000-0000-0000-000000000000')[0] == 404
    assert papi.call('POST', V + '/os-networks', {'network': {}}, token=papi.admin)[0] == 410
    assert papi.call('DELETE', V + '/os-networks/%s' % mine, token=papi.admin)[0] == 410
    assert papi.call('POST', V + '/os-tenant-networks', {'network': {}})[0] == 410
    assert papi.call('GET', V + '/os-networks', version='2.36')[0] == 404
    assert papi.call('GET', V + '/os-tenant-networks', version='2.36')[0] == 404


# volumes and snapshots ---------------------------------------------------------------
def test_volumes_and_snapshots(papi):
    path = V + '/os-volumes'
    code, data, headers = papi.call('POST', path, {'volume': {
        'size': 1, 'display_name': 'v1', 'display_description': 'd', 'metadata': {'k': 'v'}}})
    assert code == 200, data
    vol = data['volume']
    assert headers['Location'].endswith('/os-volumes/%s' % vol['id'])
    assert vol['displayName'] == 'v1' and vol['displayDescription'] == 'd'
    assert vol['metadata'] == {'k': 'v'} and vol['size'] == 1
    assert vol['attachments'] == [{}] and vol['availabilityZone'] == 'nova'
    assert vol['volumeType'] == 'lvm' and vol['snapshotId'] is None
    for body in ({'volume': {'size': 0}}, {'volume': {'size': '0'}}, {'volume': {}},
                 {'volume': {'size': 'x'}}):
        assert papi.call('POST', path, body)[0] == 400, body
    assert papi.call('POST', path, {'volume': {'size': 11}})[0] == 403     # over quota
    second = papi.ok('POST', path, {'volume': {'size': '2'}})['volume']
    assert second['size'] == 2
    assert len(papi.ok('GET', path)['volumes']) == 2
    assert papi.ok('GET', path + '/detail?limit=1&offset=1')['volumes'] == [
        papi.ok('GET', path)['volumes'][1]]
    assert papi.call('GET', path + '?offset=-1')[0] == 400
    assert papi.ok('GET', path + '/%s' % vol['id'])['volume'] == vol
    assert papi.call('GET', path + '/00000000-0000-0000-0000-000000000000')[0] == 404
    assert papi.call('GET', path + '/%s' % vol['id'], token=papi.other)[0] == 404

    snaps = V + '/os-snapshots'
    snap = papi.ok('POST', snaps, {'snapshot': {'volume_id': vol['id'], 'force': 'true',
                                                'display_name': 's1'}})['snapshot']
    assert snap['volumeId'] == vol['id'] and snap['size'] == 1
    assert snap['displayName'] == 's1' and snap['displayDescription'] is None
    assert papi.fake.snapshots[snap['id']]['force'] is True
    assert papi.ok('GET', snaps + '/detail')['snapshots'] == [snap]
    assert papi.ok('GET', snaps + '/%s' % snap['id'])['snapshot'] == snap
    assert papi.call('POST', snaps, {'snapshot': {}})[0] == 400
    assert papi.call('DELETE', snaps + '/%s' % snap['id'])[0] == 202
    assert papi.call('DELETE', snaps + '/%s' % snap['id'])[0] == 404

    papi.fake.volumes[vol['id']]['attachments'] = [{'server_id': 's', 'device': '/dev/vdb'}]
    shown = papi.ok('GET', path + '/%s' % vol['id'])['volume']
    assert shown['attachments'] == [{'id': vol['id'], 'volumeId': vol['id'], 'serverId': 's',
                                     'device': '/dev/vdb'}]
    assert papi.call('DELETE', path + '/%s' % vol['id'])[0] == 400    # attached
    assert papi.call('DELETE', path + '/%s' % second['id'])[0] == 202
    assert papi.call('DELETE', path + '/not-a-uuid')[0] == 404
    assert papi.call('GET', path, version='2.36')[0] == 404
    assert papi.call('GET', snaps, version='2.36')[0] == 404
