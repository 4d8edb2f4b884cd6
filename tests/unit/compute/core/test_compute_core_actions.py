"""Server actions through the engine's state machine down to the fake driver."""
import pytest

import compute_core_fakes as fakes
from compute import exceptions
from compute import states
from compute.db import claims  # noqa: F401
from compute.db import compute_nodes
from compute.db import instances as instances_db
from test_compute_core_boot import active, boot, wait_for


@pytest.fixture
def server(engine):
    _, [server] = boot(engine)
    return wait_for(engine, server['uuid'], active)


def settled(status):
    return lambda s: s['status'] == status and s['task_state'] is None


def act(engine, server, action, /, **kw):
    current = engine.get(fakes.ctx(), server['uuid'])
    return engine.action(fakes.ctx(), current, action, **kw)


def test_stop_start_reboot_pause_suspend_cycle(engine, cloud, server):
    driver = cloud.workers['host1'].driver
    uuid = server['uuid']
    for name, kw, status, power in (
            ('stop', {}, 'SHUTOFF', 4), ('start', {}, 'ACTIVE', 1),
            ('reboot', {'type': 'SOFT'}, 'ACTIVE', 1), ('reboot', {'type': 'HARD'}, 'ACTIVE', 1),
            ('pause', {}, 'PAUSED', 3), ('unpause', {}, 'ACTIVE', 1),
            ('suspend', {}, 'SUSPENDED', 7), ('resume', {}, 'ACTIVE', 1)):
        act(engine, server, name, **kw)
        got = wait_for(engine, uuid, settled(status))
        assert got['power_state'] == power, name
        assert driver.servers[uuid].state == power, name
    actions = [a['action'] for a in engine.list_actions(fakes.ctx(), server)]
    assert actions[-1] == 'create' and actions.count('reboot') == 2


@pytest.mark.parametrize('action, vm_state', [
    ('start', 'active'), ('unpause', 'active'), ('resume', 'active'),
    ('confirm_resize', 'active'), ('unrescue', 'active'), ('unshelve', 'active')])
def test_actions_refused_in_the_wrong_state_are_409(engine, server, action, vm_state):
    with pytest.raises(exceptions.InstanceInvalidState) as info:
        act(engine, server, action)
    assert info.value.code == 409
    assert "Cannot '%s' instance %s while it is in vm_state %s" % (
        action, server['uuid'], vm_state) in str(info.value)


def test_an_action_during_a_task_is_409(engine, server):
    instances_db.update(engine.db, server['uuid'], {'task_state': states.POWERING_OFF})
    with pytest.raises(exceptions.InstanceInvalidState) as info:
        act(engine, server, 'pause')
    assert 'task_state powering-off' in str(info.value)


def test_concurrent_second_action_loses_the_compare_and_swap(engine, server):
    stale = engine.get(fakes.ctx(), server['uuid'])
    instances_db.update(engine.db, server['uuid'], {'task_state': states.PAUSING})
    with pytest.raises(exceptions.InstanceInvalidState):
        engine.action(fakes.ctx(), stale, 'stop')


def test_locked_server_refuses_member_but_not_admin(engine, server):
    act(engine, server, 'lock', reason='maintenance')
    locked = engine.get(fakes.ctx(), server['uuid'])
    assert locked['locked'] and locked['locked_reason'] == 'maintenance'
    with pytest.raises(exceptions.InstanceLocked):
        engine.action(fakes.ctx(), locked, 'stop')
    with pytest.raises(exceptions.InstanceLocked):
        engine.delete(fakes.ctx(), locked)
    engine.action(fakes.ctx(admin=True), locked, 'stop')
    wait_for(engine, server['uuid'], settled('SHUTOFF'))


def test_other_project_cannot_see_the_server(engine, server):
    with pytest.raises(exceptions.InstanceNotFound):
        engine.get(fakes.ctx(project='p2'), server['uuid'])
    assert engine.list_(fakes.ctx(project='p2')) == []
    assert len(engine.list_(fakes.ctx(admin=True, project='p2'), all_tenants=True)) == 1


def test_resize_confirm_and_revert(engine, cloud, db, server):
    fakes.add_flavor(db, flavorid='2', name='m1.micro', memory_mb=256, vcpus=2, root_gb=2)
    act(engine, server, 'resize', flavor_ref='2')
    got = wait_for(engine, server['uuid'], settled('VERIFY_RESIZE'))
    assert got['flavor']['id'] == '2' and got['old_flavor']['id'] == '1'
    node = compute_nodes.list_(db)[0]
    assert node['vcpus_claimed'] == 3       # old + new held until confirm
    act(engine, server, 'confirm_resize')
    got = wait_for(engine, server['uuid'], settled('ACTIVE'))
    assert got['vcpus'] == 2 and got['old_flavor'] is None
    assert compute_nodes.list_(db)[0]['vcpus_claimed'] == 2
    fakes.add_flavor(db, flavorid='3', name='m1.small', memory_mb=512, vcpus=3, root_gb=3)
    act(engine, server, 'resize', flavor_ref='3')
    wait_for(engine, server['uuid'], settled('VERIFY_RESIZE'))
    act(engine, server, 'revert_resize')
    got = wait_for(engine, server['uuid'], settled('ACTIVE'))
    assert got['flavor']['id'] == '2' and got['vcpus'] == 2
    assert compute_nodes.list_(db)[0]['vcpus_claimed'] == 2


def test_create_image_uploads_a_snapshot(engine, cloud, server):
    result = act(engine, server, 'create_image', name='snap1')
    wait_for(engine, server['uuid'], settled('ACTIVE'))
    image = cloud.image_api.images[result['image_id']]
    assert image['status'] == 'active' and image['name'] == 'snap1'
    assert image['instance_uuid'] == server['uuid'] and image['image_type'] == 'snapshot'
    # an image_type of the caller's metadata is kept (as Nova does)
    result = act(engine, server, 'create_image', name='snap2', metadata={'image_type': 'test'})
    wait_for(engine, server['uuid'], settled('ACTIVE'))
    assert cloud.image_api.images[result['image_id']]['image_type'] == 'test'


def test_create_backup_keeps_the_newest_of_its_rotation(engine, cloud, server):
    made = []
    for n in range(3):
        made.append(act(engine, server, 'create_backup', name='b%d' % n,
                        backup_type='daily', rotation=2)['image_id'])
        wait_for(engine, server['uuid'], settled('ACTIVE'))
    weekly = act(engine, server, 'create_backup', name='w', backup_type='weekly',
                 rotation=1)['image_id']
    wait_for(engine, server['uuid'], settled('ACTIVE'))
    images = cloud.image_api.images
    assert made[0] not in images and made[1] in images and made[2] in images
    assert images[made[2]]['image_type'] == 'backup' and images[made[2]]['status'] == 'active'
    assert act(engine, server, 'create_backup', name='none', backup_type='daily',
               rotation=0) is None
    assert made[1] not in images and made[2] not in images and weekly in images


def test_restore_of_a_server_not_soft_deleted_is_409(engine, server):
    with pytest.raises(exceptions.InstanceInvalidState):
        act(engine, server, 'restore')


def test_rescue_unrescue_rebuild(engine, server):
    assert 'adminPass' in act(engine, server, 'rescue')
    wait_for(engine, server['uuid'], settled('RESCUE'))
    act(engine, server, 'unrescue')
    wait_for(engine, server['uuid'], settled('ACTIVE'))
    rebuilt = act(engine, server, 'rebuild', image_ref=fakes.IMAGE_ID, name='renamed')
    assert rebuilt['status'] == 'REBUILD'
    got = wait_for(engine, server['uuid'], settled('ACTIVE'))
    assert got['display_name'] == 'renamed'


def test_shelve_offloads_at_once_by_default(engine, cloud, db, server):
    act(engine, server, 'shelve')
    got = wait_for(engine, server['uuid'], settled('SHELVED_OFFLOADED'))
    assert got['host'] is None
    assert server['uuid'] not in cloud.workers['host1'].driver.servers
    snapshot = got['system_metadata']['shelved_image_id']
    assert cloud.image_api.images[snapshot]['status'] == 'active'
    act(engine, got, 'unshelve')
    got = wait_for(engine, server['uuid'], settled('ACTIVE'))
    # Unshelved from the snapshot, which then goes (as in Nova).
    assert snapshot not in cloud.image_api.images
    assert 'shelved_image_id' not in got['system_metadata']


def test_deleting_a_shelved_server_deletes_its_snapshot(engine, cloud, server):
    act(engine, server, 'shelve')
    got = wait_for(engine, server['uuid'], settled('SHELVED_OFFLOADED'))
    snapshot = got['system_metadata']['shelved_image_id']
    assert snapshot in cloud.image_api.images
    engine.delete(fakes.ctx(), got)
    assert snapshot not in cloud.image_api.images


def test_shelve_offload_unshelve(engine, cloud, db, conf, server):
    conf.set_override('shelved_offload_time', -1, 'compute')
    act(engine, server, 'shelve')
    got = wait_for(engine, server['uuid'], settled('SHELVED'))
    act(engine, got, 'shelve_offload')
    got = wait_for(engine, server['uuid'], settled('SHELVED_OFFLOADED'))
    assert got['host'] is None
    assert server['uuid'] not in cloud.workers['host1'].driver.servers
    assert compute_nodes.list_(db)[0]['vcpus_claimed'] == 0
    act(engine, got, 'unshelve')
    got = wait_for(engine, server['uuid'], settled('ACTIVE'))
    assert got['host'] == 'host1'
    assert server['uuid'] in cloud.workers['host1'].driver.servers


def test_console_output(engine, server):
    assert 'fake console' in engine.get_console_output(fakes.ctx(), server)


def test_driver_failure_leaves_a_stable_state_and_a_fault(engine, cloud, server):
    from compute.drivers import base
    cloud.workers['host1'].driver.fail_next('pause', base.VirtError('cannot pause'))
    act(engine, server, 'pause')
    got = wait_for(engine, server['uuid'], settled('ACTIVE'))
    assert got['fault']['message'] == 'cannot pause'


def test_external_events_codes(engine, server):
    events = engine.external_events(fakes.ctx(admin=True), [
        {'name': 'network-vif-plugged', 'server_uuid': server['uuid'], 'tag': 'x'},
        {'name': 'network-vif-plugged',
         'server_uuid': '99999999-9999-9999-9999-999999999999'}])
    assert [e['code'] for e in events] == [200, 404]
