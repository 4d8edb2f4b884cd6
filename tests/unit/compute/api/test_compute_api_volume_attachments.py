"""os-volume_attachments and block_device_mapping_v2 through the API (real engine, fake
block storage, the worker's RPC answered in process): views per microversion, policy,
other projects' servers and volumes, bad bodies, server show's volumes_attached."""
import os
import sys

import pytest

from compute import engine as engine_mod
from compute.api import state as state_mod
from compute.db import instances as instances_db
from compute.db import services as services_db

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                'core'))
import compute_core_fakes as fakes  # noqa: E402


IMAGE, NET = fakes.IMAGE_ID, fakes.NET_ID


@pytest.fixture
def vapi(api, compute_conf_obj):
    st = state_mod.get(compute_conf_obj)
    volumes = fakes.FakeVolumeAPI()
    engine = engine_mod.Engine(compute_conf_obj, st.db, st.transport, image_api=fakes.FakeImageAPI(),
                               network_api=fakes.AnyProjectNetworkAPI(), volume_api=volumes)
    st._engine = engine
    calls = []

    def attach(ctx, server, bdm):
        calls.append(('attach', bdm['volume_id']))
        api_ = volumes.bind(ctx)
        api_.attachment_update(bdm['attachment_id'], {'host': 'h', 'initiator': 'iqn.x'})
        api_.attachment_complete(bdm['attachment_id'])
        return {'device_name': bdm.get('device_name') or '/dev/vdb', 'connection_info': {}}

    def detach(ctx, server, bdm):
        calls.append(('detach', bdm['volume_id']))
        volumes.bind(ctx).attachment_delete(bdm['attachment_id'])
    engine.worker.attach_volume = attach
    engine.worker.detach_volume = detach
    api.ok('POST', '/v2.1/flavors', {'flavor': {'name': 'm1.nano', 'id': '1', 'ram': 128,
                                                'vcpus': 1, 'disk': 1}}, token=api.admin)
    api.volumes, api.worker_calls, api.engine = volumes, calls, engine
    return api


def _active(api, token=None):
    body = {'server': {'name': 'vm1', 'imageRef': IMAGE, 'flavorRef': '1',
                       'networks': [{'uuid': NET}]}}
    code, data, _ = api.call('POST', '/v2.1/servers', body, version='2.37', token=token)
    assert code == 202, data
    uuid = data['server']['id']
    instances_db.update(api.engine.db, uuid, {'vm_state': 'active', 'task_state': None,
                                              'host': 'host1'})
    services_db.report(api.engine.db, 'compute-worker', 'host1')    # its worker is up
    return uuid


def test_attach_list_show_detach_per_microversion(vapi):
    uuid = _active(vapi)
    code, me, _ = vapi.call('GET', '/v2.1/servers/%s' % uuid)
    project = me['server']['tenant_id']
    vid = vapi.volumes.add(project=project)
    path = '/v2.1/servers/%s/os-volume_attachments' % uuid
    att = vapi.ok('POST', path, {'volumeAttachment': {'volumeId': vid, 'tag': 'db',
                                                      'delete_on_termination': True}},
                  version='2.79')['volumeAttachment']
    assert att == {'id': vid, 'serverId': uuid, 'volumeId': vid, 'device': '/dev/vdb',
                   'tag': 'db', 'delete_on_termination': True}
    assert vapi.volumes.volumes[vid]['status'] == 'in-use'
    # 2.1: no tag, no delete_on_termination; 2.89: attachment and mapping ids, no 'id'
    [old] = vapi.ok('GET', path)['volumeAttachments']
    assert old == {'id': vid, 'serverId': uuid, 'volumeId': vid, 'device': '/dev/vdb'}
    new = vapi.ok('GET', path + '/' + vid, version='2.89')['volumeAttachment']
    assert 'id' not in new and new['attachment_id'] and new['bdm_uuid']
    assert new['delete_on_termination'] is True and new['tag'] == 'db'
    server = vapi.ok('GET', '/v2.1/servers/%s' % uuid, version='2.3')['server']
    assert server['os-extended-volumes:volumes_attached'] == [
        {'id': vid, 'delete_on_termination': True}]
    # tag before 2.49 and delete_on_termination before 2.79 are unknown fields
    other = vapi.volumes.add(project=project)
    code, body, _ = vapi.call('POST', path, {'volumeAttachment': {'volumeId': other,
                                                                  'tag': 'x'}}, version='2.48')
    assert code == 400, body
    code, body, _ = vapi.call('POST', path, {'volumeAttachment': {
        'volumeId': other, 'delete_on_termination': True}}, version='2.78')
    assert code == 400, body
    # detach
    code, body, _ = vapi.call('DELETE', path + '/' + vid)
    assert code == 202, body
    assert vapi.ok('GET', path)['volumeAttachments'] == []
    assert vapi.volumes.volumes[vid]['status'] == 'available'
    code, body, _ = vapi.call('DELETE', path + '/' + vid)
    assert code == 404, body


@pytest.mark.parametrize('body', [
    {}, {'volumeAttachment': {}}, {'volumeAttachment': {'volumeId': 'nope'}},
    {'volumeAttachment': {'volumeId': '44444444-4444-4444-4444-444444444444',
                          'extra': 1}},
    {'volumeAttachment': {'volumeId': '44444444-4444-4444-4444-444444444444',
                          'device': '/dev/sd\x00a'}},
])
def test_bad_bodies_are_400(vapi, body):
    uuid = _active(vapi)
    code, data, _ = vapi.call('POST', '/v2.1/servers/%s/os-volume_attachments' % uuid, body)
    assert code == 400, data
    assert vapi.worker_calls == []


def test_other_projects_volume_is_404_and_other_projects_server_is_404(vapi):
    uuid = _active(vapi)
    foreign = vapi.volumes.add(project='someone-else')
    path = '/v2.1/servers/%s/os-volume_attachments' % uuid
    code, data, _ = vapi.call('POST', path, {'volumeAttachment': {'volumeId': foreign}})
    assert code == 404, data
    code, data, _ = vapi.call('GET', path, token=vapi.other)
    assert code == 404, data
    code, data, _ = vapi.call('POST', path, {'volumeAttachment': {'volumeId': foreign}},
                              token=vapi.other)
    assert code == 404, data
    # a reader may list but not attach
    code, data, _ = vapi.call('GET', path, token=vapi.reader)
    assert code == 200, data
    code, data, _ = vapi.call('POST', path, {'volumeAttachment': {'volumeId': foreign}},
                              token=vapi.reader)
    assert code == 403, data
    assert vapi.volumes.attachments == {}


def test_attach_when_the_hosts_worker_is_down_is_409_at_once(vapi):
    uuid = _active(vapi)
    instances_db.update(vapi.engine.db, uuid, {'host': 'host-without-worker'})
    project = vapi.ok('GET', '/v2.1/servers/%s' % uuid)['server']['tenant_id']
    vid = vapi.volumes.add(project=project)
    code, data, _ = vapi.call('POST', '/v2.1/servers/%s/os-volume_attachments' % uuid,
                              {'volumeAttachment': {'volumeId': vid}})
    assert code == 409 and 'unavailable' in data['conflictingRequest']['message'], data
    assert vapi.volumes.attachments == {} and vapi.worker_calls == []


def test_attach_to_a_building_server_is_409(vapi):
    code, data, _ = vapi.call('POST', '/v2.1/servers', {'server': {
        'name': 'b', 'imageRef': IMAGE, 'flavorRef': '1', 'networks': [{'uuid': NET}]}},
        version='2.37')
    uuid = data['server']['id']
    server = vapi.ok('GET', '/v2.1/servers/%s' % uuid)['server']
    vid = vapi.volumes.add(project=server['tenant_id'])
    code, data, _ = vapi.call('POST', '/v2.1/servers/%s/os-volume_attachments' % uuid,
                              {'volumeAttachment': {'volumeId': vid}})
    assert code == 409, data
    assert vapi.volumes.volumes[vid]['status'] == 'available'


def test_boot_from_volume_without_image_ref(vapi):
    uuid = _active(vapi)
    project = vapi.ok('GET', '/v2.1/servers/%s' % uuid)['server']['tenant_id']
    vid = vapi.volumes.add(project=project, image_id=IMAGE)
    body = {'server': {'name': 'bfv', 'flavorRef': '1', 'networks': [{'uuid': NET}],
                       'block_device_mapping_v2': [{
                           'uuid': vid, 'source_type': 'volume',
                           'destination_type': 'volume', 'boot_index': 0,
                           'delete_on_termination': False}]}}
    code, data, _ = vapi.call('POST', '/v2.1/servers', body, version='2.37')
    assert code == 202, data
    server = vapi.ok('GET', '/v2.1/servers/%s' % data['server']['id'], version='2.3')['server']
    assert server['image'] == ''
    assert server['os-extended-volumes:volumes_attached'] == [
        {'id': vid, 'delete_on_termination': False}]


def test_update_changes_delete_on_termination_and_refuses_a_swap(vapi):
    uuid = _active(vapi)
    project = vapi.ok('GET', '/v2.1/servers/%s' % uuid)['server']['tenant_id']
    vid, other = vapi.volumes.add(project=project), vapi.volumes.add(project=project)
    path = '/v2.1/servers/%s/os-volume_attachments' % uuid
    vapi.ok('POST', path, {'volumeAttachment': {'volumeId': vid}})
    code, _, _ = vapi.call('PUT', path + '/00000000-0000-4000-8000-000000000000',
                           {'volumeAttachment': {'volumeId': other}}, token=vapi.admin)
    assert code == 404
    out = vapi.ok('PUT', '%s/%s' % (path, vid), {'volumeAttachment': {
        'volumeId': vid, 'delete_on_termination': True, 'serverId': uuid}},
        version='2.85')['volumeAttachment']
    assert out['delete_on_termination'] is True
    shown = vapi.ok('GET', '%s/%s' % (path, vid), version='2.85')['volumeAttachment']
    assert shown['delete_on_termination'] is True
    code, data, _ = vapi.call('PUT', '%s/%s' % (path, vid), {'volumeAttachment': {
        'volumeId': vid, 'device': '/dev/vdz'}}, version='2.85')
    assert code == 400 and 'device' in data['badRequest']['message']
    # a swap: only the block storage service may ask (403), and it is not offered (400)
    swap = {'volumeAttachment': {'volumeId': other}}
    assert vapi.call('PUT', '%s/%s' % (path, vid), swap)[0] == 403
    assert vapi.call('PUT', '%s/%s' % (path, vid), swap, token=vapi.admin)[0] == 403
    assert vapi.call('PUT', '%s/%s' % (path, vid), {'volumeAttachment': {
        'volumeId': vid}}, version='2.84')[0] == 400
