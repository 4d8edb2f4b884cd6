"""Volumes of servers in process: engine -> worker (fake driver) -> block storage (fake
volume API with the attachments handshake): attach/detach, boot from a volume, volumes
made from an image, delete_on_termination, and what failures leave."""
import time

import pytest

import compute_core_fakes as fakes
from common import exceptions as exc
from compute import clients
from compute import exceptions
from compute.db import bdms as bdms_db
from compute.db import instance_actions
from test_compute_core_boot import active
from test_compute_core_boot import boot
from test_compute_core_boot import wait_for


def _active_server(engine):
    _, servers = boot(engine)
    return wait_for(engine, servers[0]['uuid'], active)


def _events(engine, uuid, action):
    """The (event, result) pairs of the server's newest ``action`` once one finished (the
    events are casts: they may trail, in any order)."""
    deadline = time.monotonic() + 10
    while True:
        rows = [a for a in instance_actions.list_actions(engine.db, uuid)
                if a['action'] == action]
        got = instance_actions.get_action(engine.db, uuid, rows[0]['request_id']) \
            if rows else {'events': []}
        done = {(e['event'], e['result']) for e in got['events'] if e['result']}
        if done or time.monotonic() > deadline:
            return done
        time.sleep(0.05)


def test_attach_then_detach_runs_the_whole_handshake(engine, cloud):
    server = _active_server(engine)
    vid = cloud.volume_api.add()
    bdm = engine.attach_volume(fakes.ctx(), server, vid, tag='data')
    assert bdm['device_name'] == '/dev/vdb' and bdm['tag'] == 'data'
    vol = cloud.volume_api.volumes[vid]
    assert vol['status'] == 'in-use'
    assert vol['attachments'][0]['server_id'] == server['uuid']
    [att] = cloud.volume_api.attachment_of(vid)
    # reserved by the API without connector, connected by the worker with its host's
    assert att['connector']['host'] == 'host1' and att['status'] == 'attached'
    assert att['connector']['initiator'].startswith('iqn.')
    assert cloud.workers['host1'].driver.servers[server['uuid']].volumes == {vid: 'vdb'}
    shown = engine.get(fakes.ctx(), server['uuid'])
    assert shown['volumes_attached'] == [{'id': vid, 'delete_on_termination': False}]
    assert _events(engine, server['uuid'], 'attach_volume') == {
        ('compute_attach_volume', 'Success')}

    with pytest.raises(exceptions.InvalidRequest, match='detach them first'):
        engine.action(fakes.ctx(), server, 'shelve')
    engine.detach_volume(fakes.ctx(), server, vid)
    assert cloud.workers['host1'].driver.servers[server['uuid']].volumes == {}
    assert cloud.volume_api.attachment_of(vid) == []
    assert cloud.volume_api.volumes[vid]['status'] == 'available'
    assert engine.get(fakes.ctx(), server['uuid'])['volumes_attached'] == []
    assert _events(engine, server['uuid'], 'detach_volume') == {
        ('compute_detach_volume', 'Success')}


def test_attach_refusals(engine, cloud):
    server = _active_server(engine)
    other = cloud.volume_api.add(project='someone-else')
    with pytest.raises(exc.NotFound):
        engine.attach_volume(fakes.ctx(), server, other)
    busy = cloud.volume_api.add(status='in-use')
    with pytest.raises(exceptions.InvalidRequest, match="status must be 'available'"):
        engine.attach_volume(fakes.ctx(), server, busy)
    vid = cloud.volume_api.add()
    with pytest.raises(exceptions.InvalidRequest, match='device path'):
        engine.attach_volume(fakes.ctx(), server, vid, device='/dev/../etc')
    engine.attach_volume(fakes.ctx(), server, vid)
    with pytest.raises(exceptions.InvalidRequest, match='already attached'):
        engine.attach_volume(fakes.ctx(), server, vid)
    with pytest.raises(exc.NotFound):
        engine.detach_volume(fakes.ctx(), server, busy)
    building = dict(server, vm_state='building', task_state='spawning')
    with pytest.raises(exceptions.InstanceInvalidState):
        engine.attach_volume(fakes.ctx(), building, cloud.volume_api.add())
    # nothing of the refused attempts is left behind
    assert [b['volume_id'] for b in bdms_db.volumes(engine.db, server['uuid'])] == [vid]
    assert len(cloud.volume_api.attachments) == 1


def test_a_failed_attach_leaves_no_attachment(engine, cloud):
    server = _active_server(engine)
    vid = cloud.volume_api.add()
    cloud.volume_api.fail['attachment_complete'] = clients.VolumeError(500, 'tgt is down')
    with pytest.raises(exc.BadRequest, match='tgt is down'):
        engine.attach_volume(fakes.ctx(), server, vid)
    assert cloud.volume_api.attachments == {}
    assert cloud.volume_api.volumes[vid]['status'] == 'available'
    assert cloud.workers['host1'].driver.servers[server['uuid']].volumes == {}
    assert bdms_db.list_(engine.db, server['uuid']) == []


def test_boot_from_volume_and_delete_keeps_the_volume(engine, cloud):
    vid = cloud.volume_api.add(image_id=fakes.IMAGE_ID)
    _, [server] = boot(engine, image_ref='', block_device_mapping=[
        {'uuid': vid, 'source_type': 'volume', 'destination_type': 'volume',
         'boot_index': 0}])
    assert server['image_ref'] == ''
    server = wait_for(engine, server['uuid'], active)
    fake_server = cloud.workers['host1'].driver.servers[server['uuid']]
    assert fake_server.volumes == {vid: 'vda'}
    assert cloud.volume_api.volumes[vid]['status'] == 'in-use'
    assert server['volumes_attached'] == [{'id': vid, 'delete_on_termination': False}]
    with pytest.raises(exc.BadRequest, match='root device'):
        engine.detach_volume(fakes.ctx(), server, vid)
    for action, kwargs in (('rebuild', {'image_ref': fakes.IMAGE_ID}), ('shelve', {}),
                           ('create_image', {'name': 'snap'})):
        with pytest.raises(exceptions.InvalidRequest, match='booted from a volume'):
            engine.action(fakes.ctx(), server, action, **kwargs)
    assert engine.get(fakes.ctx(), server['uuid'])['task_state'] is None
    engine.delete(fakes.ctx(), server)
    wait_for(engine, server['uuid'], lambda s: s['deleted'])
    assert cloud.volume_api.volumes[vid]['status'] == 'available'
    assert cloud.volume_api.attachments == {}


def test_volume_from_image_is_made_waited_for_and_deleted_on_termination(engine, cloud):
    cloud.volume_api.create_delay = 3
    _, [server] = boot(engine, image_ref='', block_device_mapping=[
        {'uuid': fakes.IMAGE_ID, 'source_type': 'image', 'destination_type': 'volume',
         'boot_index': '0', 'volume_size': '2', 'delete_on_termination': True},
        {'source_type': 'blank', 'destination_type': 'volume', 'volume_size': 1,
         'boot_index': -1}])
    server = wait_for(engine, server['uuid'], active)
    made = [c for c in cloud.volume_api.calls if c[0] == 'create']
    assert made == [('create', 2, fakes.IMAGE_ID), ('create', 1, None)]
    boot_vol, data_vol = [b['volume_id'] for b in bdms_db.volumes(engine.db, server['uuid'])]
    assert cloud.workers['host1'].driver.servers[server['uuid']].volumes == {
        boot_vol: 'vda', data_vol: 'vdb'}
    assert {cloud.volume_api.volumes[v]['status'] for v in (boot_vol, data_vol)} == {'in-use'}
    engine.delete(fakes.ctx(), server)
    wait_for(engine, server['uuid'], lambda s: s['deleted'])
    assert boot_vol not in cloud.volume_api.volumes           # delete_on_termination
    assert cloud.volume_api.volumes[data_vol]['status'] == 'available'


def test_a_volume_that_never_becomes_available_fails_the_build(engine, cloud, conf):
    conf.set_override('volume_create_timeout', 1, 'compute')
    cloud.volume_api.create_delay = 10 ** 6
    _, [server] = boot(engine, image_ref='', block_device_mapping=[
        {'uuid': fakes.IMAGE_ID, 'source_type': 'image', 'destination_type': 'volume',
         'boot_index': 0, 'volume_size': 1}])
    server = wait_for(engine, server['uuid'], lambda s: s['vm_state'] == 'error')
    assert 'did not become available within 1 s' in server['fault']['message']
    assert cloud.volume_api.attachments == {}


def test_a_volume_in_error_fails_the_build_with_its_reason(engine, cloud):
    cloud.volume_api.create_status = 'error'
    _, [server] = boot(engine, image_ref='', block_device_mapping=[
        {'uuid': fakes.IMAGE_ID, 'source_type': 'image', 'destination_type': 'volume',
         'boot_index': 0, 'volume_size': 1, 'delete_on_termination': True}])
    server = wait_for(engine, server['uuid'], lambda s: s['vm_state'] == 'error')
    assert 'went to status error' in server['fault']['message']
    [vid] = [b['volume_id'] for b in bdms_db.volumes(engine.db, server['uuid'])]
    engine.delete(fakes.ctx(), engine.get(fakes.ctx(), server['uuid']))
    wait_for(engine, server['uuid'], lambda s: s['deleted'])
    assert vid not in cloud.volume_api.volumes


def test_delete_that_cannot_release_a_volume_is_error_then_retried(engine, cloud):
    server = _active_server(engine)
    vid = cloud.volume_api.add()
    engine.attach_volume(fakes.ctx(), server, vid)
    cloud.volume_api.fail['attachment_delete'] = clients.VolumeError(503, 'blockstore down')
    engine.delete(fakes.ctx(), engine.get(fakes.ctx(), server['uuid']))
    server = wait_for(engine, server['uuid'], lambda s: s['vm_state'] == 'error')
    assert 'blockstore down' in server['fault']['message']
    assert len(cloud.volume_api.attachments) == 1       # not forgotten: still recorded
    assert bdms_db.find_volume(engine.db, server['uuid'], vid)['attachment_id']
    engine.delete(fakes.ctx(), server)
    wait_for(engine, server['uuid'], lambda s: s['deleted'])
    assert cloud.volume_api.attachments == {}
    assert cloud.volume_api.volumes[vid]['status'] == 'available'


@pytest.mark.parametrize('bdms, message', [
    ([{'uuid': fakes.IMAGE_ID, 'source_type': 'snapshot', 'destination_type': 'volume',
       'boot_index': 0, 'volume_size': 1}], 'snapshot is not supported'),
    ([{'uuid': fakes.IMAGE_ID, 'source_type': 'image', 'destination_type': 'volume',
       'boot_index': 0}], 'non-zero volume_size'),
    ([{'source_type': 'blank', 'destination_type': 'volume', 'volume_size': 1,
       'boot_index': 0}], 'cannot boot'),
    ([{'uuid': fakes.IMAGE_ID, 'source_type': 'image', 'destination_type': 'volume',
       'boot_index': 0, 'volume_size': 1},
      {'uuid': fakes.IMAGE_ID, 'source_type': 'image', 'destination_type': 'volume',
       'boot_index': 0, 'volume_size': 1}], 'Boot sequence'),
    ([{'uuid': 'not-a-uuid', 'source_type': 'volume', 'destination_type': 'volume',
       'boot_index': 0}], 'uuid'),
    ([{'uuid': '44444444-4444-4444-4444-444444444444', 'source_type': 'volume',
       'destination_type': 'volume', 'boot_index': 0}], 'failed to get volume'),
])
def test_block_device_mapping_refusals(engine, cloud, bdms, message):
    with pytest.raises(exceptions.InvalidRequest, match=message):
        boot(engine, image_ref='', block_device_mapping=bdms)
    assert cloud.volume_api.attachments == {}


def test_volume_of_another_project_or_in_use_cannot_boot(engine, cloud):
    for vid in (cloud.volume_api.add(project='other'), cloud.volume_api.add(status='in-use')):
        with pytest.raises(exceptions.InvalidRequest):
            boot(engine, image_ref='', block_device_mapping=[
                {'uuid': vid, 'source_type': 'volume', 'destination_type': 'volume',
                 'boot_index': 0}])
    vid = cloud.volume_api.add()
    with pytest.raises(exceptions.InvalidRequest, match='several servers'):
        boot(engine, image_ref='', max_count=2, block_device_mapping=[
            {'uuid': vid, 'source_type': 'volume', 'destination_type': 'volume',
             'boot_index': 0}])
