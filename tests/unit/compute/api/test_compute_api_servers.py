"""Servers through the API with the real engine (fake image and network clients, fake
RPC): create, views per microversion, list filters and paging, update, metadata, tags,
actions, instance actions, external events, and every bad body a 400."""
import uuid

import pytest

from common.testing import sqlcount
from compute import clients
from compute import engine as engine_mod
from compute.api import state as state_mod
from compute.db import instances as instances_db

IMAGE = str(uuid.uuid4())
NET = str(uuid.uuid4())


class FakeImages:
    def get(self, ref, project):
        if ref != IMAGE:
            raise clients.NotFound(ref)
        return {'id': IMAGE, 'name': 'guest', 'status': 'active', 'disk_format': 'qcow2',
                'container_format': 'bare', 'size': 1024, 'min_ram': 0, 'min_disk': 0,
                'os_distro': 'busybox'}


class FakeNetworks:
    def list_networks(self, project):
        return [{'id': NET, 'name': 'private'}]

    def get_network(self, net_id, project):
        if net_id != NET:
            raise clients.NotFound(net_id)
        return {'id': NET, 'name': 'private'}

    def get_port(self, port_id, project):
        raise clients.NotFound(port_id)

    def security_group_ids(self, project, names):
        return ['sg-%s' % n for n in names]


@pytest.fixture
def sapi(api, compute_conf_obj):
    st = state_mod.get(compute_conf_obj)
    st._engine = engine_mod.Engine(compute_conf_obj, st.db, st.transport,
                                   image_api=FakeImages(), network_api=FakeNetworks())
    api.ok('POST', '/v2.1/flavors', {'flavor': {'name': 'm1.nano', 'id': '1', 'ram': 128,
                                                'vcpus': 1, 'disk': 1}}, token=api.admin)
    return api


def boot(api, name='vm1', version='2.37', status=202, token=None, **extra):
    body = {'server': dict({'name': name, 'imageRef': IMAGE, 'flavorRef': '1',
                            'networks': [{'uuid': NET}]}, **extra)}
    code, data, headers = api.call('POST', '/v2.1/servers', body, version=version,
                                   token=token)
    assert code == status, data
    return data, headers


def test_create_show_list_delete(sapi):
    data, headers = boot(sapi, metadata={'k': 'v'})
    sid = data['server']['id']
    assert headers['Location'].endswith('/v2.1/servers/%s' % sid)
    assert data['server']['security_groups'] == [{'name': 'default'}]
    shown = sapi.ok('GET', '/v2.1/servers/%s' % sid)['server']
    assert shown['status'] == 'BUILD' and shown['metadata'] == {'k': 'v'}
    assert shown['flavor']['id'] == '1' and shown['image']['id'] == IMAGE
    assert 'OS-EXT-SRV-ATTR:host' not in shown and 'locked' not in shown
    new = sapi.ok('GET', '/v2.1/servers/%s' % sid, version='2.100')['server']
    assert new['flavor']['ram'] == 128 and new['flavor']['original_name'] == 'm1.nano'
    assert new['locked'] is False and new['tags'] == [] and new['scheduler_hints'] == {}
    admin = sapi.ok('GET', '/v2.1/servers/%s' % sid, token=sapi.admin)['server']
    assert admin['OS-EXT-SRV-ATTR:instance_name'] == 'instance-%s' % sid
    assert sapi.call('GET', '/v2.1/servers/%s' % sid, token=sapi.other)[0] == 404
    listed = sapi.ok('GET', '/v2.1/servers')['servers']
    assert [s['id'] for s in listed] == [sid] and set(listed[0]) == {'id', 'name', 'links'}
    assert sapi.ok('GET', '/v2.1/servers', token=sapi.other)['servers'] == []
    assert len(sapi.ok('GET', '/v2.1/servers/detail?all_tenants=1',
                       token=sapi.admin)['servers']) == 1
    assert sapi.call('GET', '/v2.1/servers?all_tenants=1')[0] == 403
    assert sapi.call('DELETE', '/v2.1/servers/%s' % sid, token=sapi.reader)[0] == 403
    sapi.ok('DELETE', '/v2.1/servers/%s' % sid)
    assert sapi.call('GET', '/v2.1/servers/%s' % sid)[0] == 404


def test_list_filters_and_paging(sapi):
    ids = [boot(sapi, name='web-%d' % i)[0]['server']['id'] for i in range(3)]
    boot(sapi, name='db')
    names = [s['name'] for s in sapi.ok('GET', '/v2.1/servers?name=^web')['servers']]
    assert sorted(names) == ['web-0', 'web-1', 'web-2']
    page = sapi.ok('GET', '/v2.1/servers?limit=2')
    assert len(page['servers']) == 2 and page['servers_links'][0]['rel'] == 'next'
    marker = page['servers'][-1]['id']
    rest = sapi.ok('GET', '/v2.1/servers?limit=2&marker=%s' % marker)['servers']
    assert len(rest) == 2 and not {s['id'] for s in rest} & {s['id'] for s in page['servers']}
    assert sapi.ok('GET', '/v2.1/servers?status=ACTIVE')['servers'] == []
    assert len(sapi.ok('GET', '/v2.1/servers?status=BUILD')['servers']) == 4
    assert sapi.call('GET', '/v2.1/servers?marker=%s' % uuid.uuid4())[0] == 400
    assert sapi.call('GET', '/v2.1/servers?limit=x')[0] == 400
    assert sapi.call('GET', '/v2.1/servers?changes-since=yesterday')[0] == 400
    assert ids


@pytest.mark.parametrize('change, field', [
    ({'name': ''}, 'name'), ({'name': 'x' * 256}, 'name'),
    ({'flavorRef': None}, 'flavorRef'), ({'imageRef': 'not-a-uuid'}, 'imageRef'),
    ({'networks': 'some'}, 'networks'), ({'networks': [{'uuid': 'x'}]}, 'uuid'),
    ({'networks': [{'uuid': NET, 'fixed_ip': '10.0.0.300'}]}, 'fixed_ip'),
    ({'metadata': {'k': 1}}, 'metadata'), ({'min_count': 0}, 'min_count'),
    ({'user_data': '%%%'}, 'user_data'), ({'bogus': 1}, 'bogus'),
    ({'security_groups': [{'nam': 'x'}]}, 'security_groups'),
])
def test_bad_create_bodies_are_400_naming_the_field(sapi, change, field):
    data, _ = boot(sapi, status=400, **change)
    assert field in data['badRequest']['message'], data


def test_create_refusals(sapi):
    data, _ = boot(sapi, flavorRef='nope', status=400)
    assert 'Flavor' in data['badRequest']['message']
    data, _ = boot(sapi, imageRef=str(uuid.uuid4()), status=400)
    assert 'Image' in data['badRequest']['message']
    data, _ = boot(sapi, key_name='missing', status=400)
    assert 'key_name' in data['badRequest']['message']
    data, _ = boot(sapi, networks=[{'uuid': str(uuid.uuid4())}], status=400)
    assert 'Network' in data['badRequest']['message']
    body = {'server': {'name': 'x', 'imageRef': IMAGE, 'flavorRef': '1'}}
    code, data, _ = sapi.call('POST', '/v2.1/servers', body, version='2.37')
    assert code == 400 and 'networks' in data['badRequest']['message']
    sapi.ok('PUT', '/v2.1/os-quota-sets/demo', {'quota_set': {'instances': 1}},
            token=sapi.admin)
    boot(sapi)
    data, _ = boot(sapi, status=403)
    assert 'Quota exceeded for instances' in data['forbidden']['message']
    assert len(sapi.ok('GET', '/v2.1/servers')['servers']) == 1
    data, _ = boot(sapi, token=sapi.reader, status=403)


def test_update_metadata_tags_actions(sapi):
    sid = boot(sapi)[0]['server']['id']
    base = '/v2.1/servers/%s' % sid
    shown = sapi.ok('PUT', base, {'server': {'name': 'renamed', 'description': 'd'}},
                    version='2.19')['server']
    assert shown['name'] == 'renamed' and shown['description'] == 'd'
    assert sapi.call('PUT', base, {'server': {'description': 'd'}})[0] == 400
    assert sapi.ok('POST', base + '/metadata', {'metadata': {'a': '1'}}) == {
        'metadata': {'a': '1'}}
    assert sapi.ok('PUT', base + '/metadata/b', {'meta': {'b': '2'}}) == {'meta': {'b': '2'}}
    assert sapi.ok('GET', base + '/metadata')['metadata'] == {'a': '1', 'b': '2'}
    sapi.ok('DELETE', base + '/metadata/a')
    assert sapi.call('GET', base + '/metadata/a')[0] == 404
    assert sapi.call('PUT', base + '/tags', {'tags': ['x']})[0] == 404   # before 2.26
    assert sapi.ok('PUT', base + '/tags', {'tags': ['x', 'y']}, version='2.26') == {
        'tags': ['x', 'y']}
    assert sapi.call('GET', base + '/tags/x', version='2.26')[0] == 204
    assert sapi.call('PUT', base + '/tags/z', version='2.26')[0] == 201
    assert sapi.call('PUT', base + '/tags/a,b', version='2.26')[0] == 400
    # building: stop is refused with Nova's 409
    code, data, _ = sapi.call('POST', base + '/action', {'os-stop': None})
    assert code == 409 and 'vm_state building' in data['conflictingRequest']['message']
    code, data, _ = sapi.call('POST', base + '/action', {'reboot': {'type': 'SIDEWAYS'}})
    assert code == 400 and 'type' in data['badRequest']['message']
    code, data, _ = sapi.call('POST', base + '/action', {'fly': None})
    assert code == 400
    assert sapi.call('POST', base + '/action', {'lock': None})[0] == 202
    assert sapi.ok('GET', base, version='2.9')['server']['locked'] is True
    assert sapi.call('POST', base + '/action', {'unlock': None})[0] == 202
    actions = sapi.ok('GET', base + '/os-instance-actions')['instanceActions']
    assert [a['action'] for a in actions][-1] == 'create'
    assert {'lock', 'unlock'} <= {a['action'] for a in actions}
    one = sapi.ok('GET', base + '/os-instance-actions/%s' % actions[-1]['request_id'],
                  token=sapi.admin)['instanceAction']
    assert one['action'] == 'create' and 'events' in one


def test_external_events_admin_only(sapi):
    sid = boot(sapi)[0]['server']['id']
    body = {'events': [{'name': 'network-vif-plugged', 'server_uuid': sid,
                        'tag': str(uuid.uuid4()), 'status': 'completed'}]}
    assert sapi.call('POST', '/v2.1/os-server-external-events', body)[0] == 403
    code, data, _ = sapi.call('POST', '/v2.1/os-server-external-events', body,
                              token=sapi.admin)
    # not scheduled yet (no host): Nova answers 422 for that event, 207 overall
    assert code == 207 and data['events'][0]['code'] == 422
    body['events'][0]['server_uuid'] = str(uuid.uuid4())
    assert sapi.call('POST', '/v2.1/os-server-external-events', body,
                     token=sapi.admin)[0] == 404
    body['events'][0]['name'] = 'bogus'
    assert sapi.call('POST', '/v2.1/os-server-external-events', body,
                     token=sapi.admin)[0] == 400


def test_simple_tenant_usage(sapi):
    boot(sapi)
    period = '?start=2000-01-01T00:00:00&end=2100-01-01T00:00:00'
    assert sapi.call('GET', '/v2.1/os-simple-tenant-usage' + period)[0] == 403
    usages = sapi.ok('GET', '/v2.1/os-simple-tenant-usage' + period + '&detailed=1',
                     token=sapi.admin)['tenant_usages']
    assert [u['tenant_id'] for u in usages] == ['demo']
    assert usages[0]['server_usages'][0]['vcpus'] == 1
    mine = sapi.ok('GET', '/v2.1/os-simple-tenant-usage/demo' + period)['tenant_usage']
    assert mine['tenant_id'] == 'demo' and mine['total_hours'] >= 0
    assert sapi.call('GET', '/v2.1/os-simple-tenant-usage/demo?start=bad')[0] == 400


def test_vnc_console_url_and_token(sapi, compute_conf_obj, monkeypatch, tmp_path):
    import os
    import urllib.parse
    sid = boot(sapi)[0]['server']['id']
    st = state_mod.get(compute_conf_obj)
    monkeypatch.setattr(state_mod.engine(st), 'get_vnc_console',
                        lambda ctx, server: {'host': '127.0.0.7', 'port': 5901, 'kind': 'vnc'})
    body = {'remote_console': {'protocol': 'vnc', 'type': 'novnc'}}
    assert sapi.call('POST', '/v2.1/servers/%s/remote-consoles' % sid, body,
                     token=sapi.other, version='2.6')[0] == 404
    assert sapi.call('POST', '/v2.1/servers/%s/remote-consoles' % sid, body)[0] == 404
    url = sapi.ok('POST', '/v2.1/servers/%s/remote-consoles' % sid, body,
                  version='2.6')['remote_console']['url']
    path = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)['path'][0]
    token = urllib.parse.parse_qs(path.split('?', 1)[1])['token'][0]
    token_dir = os.path.join(str(tmp_path), 'console-tokens')
    with open(os.path.join(token_dir, token)) as handle:
        assert handle.read() == '%s: 127.0.0.7:5901\n' % token
    legacy = sapi.ok('POST', '/v2.1/servers/%s/action' % sid,
                     {'os-getVNCConsole': {'type': 'novnc'}})
    assert legacy['console']['url'].startswith('http://127.0.0.1:6080/vnc_lite.html?path=')
    body['remote_console']['type'] = 'spice-html5'
    body['remote_console']['protocol'] = 'spice'
    assert sapi.call('POST', '/v2.1/servers/%s/remote-consoles' % sid, body,
                     version='2.6')[0] == 400


def test_update_answer_before_and_after_2_75(sapi):
    sid = boot(sapi)[0]['server']['id']
    old = sapi.ok('PUT', '/v2.1/servers/%s' % sid, {'server': {'name': 'a'}})['server']
    assert 'OS-EXT-STS:vm_state' not in old and 'key_name' not in old
    new = sapi.ok('PUT', '/v2.1/servers/%s' % sid, {'server': {'name': 'b'}},
                  version='2.75')['server']
    assert new['OS-EXT-STS:vm_state'] == 'building' and new['name'] == 'b'
    assert sapi.call('POST', '/v2.1/servers/%s/action' % uuid.uuid4(), {'restore': None})[0] \
        == 404


LISTS = ['/servers', '/servers/detail', '/servers/detail?limit=50', '/servers?name=vm',
         '/servers/detail?status=BUILD', '/flavors', '/flavors/detail', '/os-keypairs',
         '/os-server-groups', '/limits', '/os-simple-tenant-usage/demo',
         '/os-quota-sets/demo/detail', '/os-availability-zone']
ADMIN_LISTS = ['/servers/detail?all_tenants=1', '/os-simple-tenant-usage',
               '/os-hypervisors/detail', '/os-services', '/flavors/detail?is_public=None',
               '/os-server-groups?all_projects=1']
VERSION = '2.100'


def _grow(api, start, steps):
    for i in range(start, start + steps):
        sid = boot(api, name='vm%d' % i, metadata={'k': 'v'})[0]['server']['id']
        api.ok('PUT', '/v2.1/servers/%s/tags/t%d' % (sid, i), status=201, version=VERSION)
        api.ok('GET', '/v2.1/servers/%s/os-instance-actions' % sid)
        flavor = api.ok('POST', '/v2.1/flavors', {'flavor': {
            'name': 'f%d' % i, 'id': 'f%d' % i, 'ram': 64, 'vcpus': 1, 'disk': 1,
            'os-flavor-access:is_public': i % 2 == 0}}, token=api.admin)['flavor']
        api.ok('POST', '/v2.1/flavors/%s/os-extra_specs' % flavor['id'],
               {'extra_specs': {'hw:cpu_policy': 'shared'}}, token=api.admin)
        api.ok('POST', '/v2.1/os-keypairs', {'keypair': {'name': 'k%d' % i}}, version='2.1')
        group = api.ok('POST', '/v2.1/os-server-groups', {'server_group': {
            'name': 'g%d' % i, 'policies': ['affinity']}})['server_group']
        assert group['id']


def _statements(api):
    counts = {}
    for who, token, paths in (('demo', None, LISTS), ('admin', api.admin, ADMIN_LISTS)):
        for path in paths:
            counts[(who, path)] = sqlcount.statements_per_request(
                lambda: api.ok('GET', '/v2.1' + path, token=token, version=VERSION))
    return counts


def test_list_statements_do_not_grow_with_rows(sapi):
    """Scale: every list API runs the same number of SQL statements whatever the number
    of rows it returns (never one query per row)."""
    sapi.ok('PUT', '/v2.1/os-quota-sets/demo', {'quota_set': {
        'instances': -1, 'cores': -1, 'ram': -1, 'key_pairs': -1, 'server_groups': -1}},
        token=sapi.admin)
    _grow(sapi, 0, 2)
    small = _statements(sapi)
    _grow(sapi, 2, 6)
    large = _statements(sapi)
    grown = {key: (small[key], large[key]) for key in small if large[key] > small[key]}
    assert not grown, 'statements per list grew with the rows (before, after): %s' % grown


def test_reset_state_is_admin_only_and_frees_a_stuck_server(sapi):
    sid = boot(sapi)[0]['server']['id']
    base = '/v2.1/servers/%s' % sid
    reset = {'os-resetState': {'state': 'error'}}
    assert sapi.call('POST', base + '/action', reset)[0] == 403
    code, data, _ = sapi.call('POST', base + '/action', {'os-resetState': {'state': 'gone'}},
                              token=sapi.admin)
    assert code == 400 and 'state' in data['badRequest']['message']
    assert sapi.call('POST', base + '/action', reset, token=sapi.admin)[0] == 202
    shown = sapi.ok('GET', base, token=sapi.admin)['server']
    assert shown['status'] == 'ERROR' and shown['OS-EXT-STS:task_state'] is None
    sapi.ok('POST', base + '/action', {'os-resetState': {'state': 'active'}},
            token=sapi.admin, status=202)
    assert sapi.ok('GET', base)['server']['status'] == 'ACTIVE'
    actions = sapi.ok('GET', base + '/os-instance-actions')['instanceActions']
    assert 'resetState' in {a['action'] for a in actions}


def test_show_update_name_the_server_groups_from_2_71(sapi):
    group = sapi.ok('POST', '/v2.1/os-server-groups', {'server_group': {
        'name': 'g', 'policies': ['anti-affinity']}})['server_group']
    body = {'server': {'name': 'vm1', 'imageRef': IMAGE, 'flavorRef': '1',
                       'networks': [{'uuid': NET}]},
            'os:scheduler_hints': {'group': group['id']}}
    sid = sapi.ok('POST', '/v2.1/servers', body, version='2.37', status=202)['server']['id']
    base = '/v2.1/servers/%s' % sid
    assert sapi.ok('GET', base, version='2.71')['server']['server_groups'] == [group['id']]
    assert 'server_groups' not in sapi.ok('GET', base, version='2.70')['server']
    shown = sapi.ok('PUT', base, {'server': {'name': 'n'}}, version='2.75')['server']
    assert shown['server_groups'] == [group['id']]
    listed = sapi.ok('GET', '/v2.1/servers/detail', version='2.71')['servers']
    assert 'server_groups' not in listed[0]


def test_access_addresses_are_shown_in_canonical_form(sapi):
    sid = boot(sapi, accessIPv6='0000:0000:0000:0000:0000:babe:220.12.22.2',
               accessIPv4='1.1.1.1')[0]['server']['id']
    shown = sapi.ok('GET', '/v2.1/servers/%s' % sid)['server']
    assert shown['accessIPv6'] == '::babe:dc0c:1602' and shown['accessIPv4'] == '1.1.1.1'


def test_boot_with_a_fixed_ip_is_accepted(sapi):
    # The address is kept in the build request as text (it was a 500 once).
    data = boot(sapi, networks=[{'uuid': NET, 'fixed_ip': '10.0.0.5'}])[0]
    assert sapi.ok('GET', '/v2.1/servers/%s' % data['server']['id'])['server']['id']


def test_interface_attach_without_network_takes_the_projects_network(
        sapi, compute_conf_obj, monkeypatch):
    sid = boot(sapi)[0]['server']['id']
    base = '/v2.1/servers/%s' % sid
    sapi.ok('POST', base + '/action', {'os-resetState': {'state': 'active'}},
            token=sapi.admin, status=202)
    asked = {}

    def attach(ctx, server, port_id, net_id, fixed_ip, tag=None):
        asked.update(port_id=port_id, net_id=net_id, tag=tag)
        return {'port_id': 'p1', 'network_id': net_id, 'mac': 'fa:16:3e:00:00:01',
                'fixed_ips': [{'subnet_id': 's1', 'address': '10.0.0.9'}], 'tag': tag}

    monkeypatch.setattr(state_mod.get(compute_conf_obj)._engine.worker, 'attach_interface',
                        attach)
    out = sapi.ok('POST', base + '/os-interface', {'interfaceAttachment': {'tag': 'nic2'}},
                  version='2.70')['interfaceAttachment']
    assert asked == {'port_id': None, 'net_id': NET, 'tag': 'nic2'}
    assert out['net_id'] == NET and out['tag'] == 'nic2'
    assert 'tag' not in sapi.ok('POST', base + '/os-interface', {'interfaceAttachment': {}},
                                version='2.69')['interfaceAttachment']


def test_rebuild_answers_the_admin_password(sapi):
    sid = boot(sapi)[0]['server']['id']
    base = '/v2.1/servers/%s' % sid
    sapi.ok('POST', base + '/action', {'os-resetState': {'state': 'active'}},
            token=sapi.admin, status=202)
    out = sapi.ok('POST', base + '/action', {'rebuild': {'imageRef': IMAGE,
                                                         'adminPass': 'chosen'}},
                  status=202)['server']
    assert out['adminPass'] == 'chosen' and out['id'] == sid


def test_rebuild_answer_per_microversion(sapi, compute_conf_obj):
    sid = boot(sapi, user_data='IyEvYmluL3NoCg==')[0]['server']['id']
    base = '/v2.1/servers/%s' % sid
    instances_db.update(state_mod.get(compute_conf_obj).db, sid, {'network_info': [{
        'network_name': 'private', 'mac': 'fa:16:3e:00:00:01', 'port_id': 'p',
        'network_id': NET, 'fixed_ips': [{'address': '10.0.0.5', 'version': 4}]}]})
    shown = sapi.ok('GET', base)['server']['addresses']['private'][0]
    assert shown['OS-EXT-IPS:type'] == 'fixed'
    sapi.ok('POST', base + '/action', {'os-resetState': {'state': 'active'}},
            token=sapi.admin, status=202)
    out = sapi.ok('POST', base + '/action', {'rebuild': {'imageRef': IMAGE}}, status=202,
                  version='2.57')['server']
    assert out['user_data'] == 'IyEvYmluL3NoCg=='
    sapi.ok('POST', base + '/action', {'os-resetState': {'state': 'active'}},
            token=sapi.admin, status=202)
    out = sapi.ok('POST', base + '/action', {'rebuild': {'imageRef': IMAGE}}, status=202,
                  version='2.56')['server']
    assert 'user_data' not in out
    # before 2.75 the answer's addresses carry no OS-EXT-IPS keys (as Nova's)
    assert out['addresses'] == {'private': [{'addr': '10.0.0.5', 'version': 4}]}


def test_a_project_filter_counts_only_with_all_tenants(sapi):
    mine = boot(sapi, name='mine')[0]['server']['id']
    project = sapi.ok('GET', '/v2.1/servers/%s' % mine)['server']['tenant_id']
    # the admin's own project has no server: without all_tenants tenant_id is ignored
    listed = sapi.ok('GET', '/v2.1/servers?tenant_id=%s' % project, token=sapi.admin)
    assert mine not in [s['id'] for s in listed['servers']]
    listed = sapi.ok('GET', '/v2.1/servers?all_tenants=&tenant_id=%s' % project,
                     token=sapi.admin)
    assert [s['id'] for s in listed['servers']] == [mine]
    listed = sapi.ok('GET', '/v2.1/servers?all_tenants=1&project_id=nobody', token=sapi.admin)
    assert listed['servers'] == []
