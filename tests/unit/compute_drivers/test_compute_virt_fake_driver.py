"""The fake driver (for manager unit tests and many-host simulation) and the registry."""
import pytest

from compute import drivers
from compute.drivers import base
from compute.drivers import fake
from compute.drivers import power_state as ps

UUID = '3f0e6a4c-8f0a-4b8e-9a3c-1d2e3f4a5b6c'
PORT = '0befd7eb-b3aa-4c1e-9e8f-000000000001'


def _instance(flavor=None):
    return base.Instance(uuid=UUID, name='vm', flavor=flavor or base.Flavor(
        'f1', 'm1.small', 2, 2048, 20))


@pytest.fixture
def drv():
    d = drivers.load_driver('fake', host='sim-1', vcpus=8, memory_mb=8192, local_gb=100)
    d.init_host('sim-1')
    return d


def test_registry():
    assert isinstance(drivers.load_driver('fake'), fake.FakeDriver)
    assert drivers.DRIVERS['libvirt'].startswith('compute.drivers.libvirt.driver:')
    with pytest.raises(ValueError, match='unknown compute driver'):
        drivers.load_driver('xen')


def test_spawn_paused_resume_and_resources(drv):
    drv.spawn(_instance().to_dict(), {'id': 'img'}, [{'port_id': PORT,
                                                      'mac': 'fa:16:3e:00:00:01'}],
              paused=True)
    assert drv.get_info(UUID).state == ps.PAUSED
    drv.resume_spawned(UUID)
    assert drv.list_instance_power_states() == {UUID: ps.RUNNING}
    res = drv.get_available_resource()
    assert (res.vcpus_used, res.memory_mb_used, res.local_gb_used) == (2, 2048, 20)
    assert res.hypervisor_hostname == 'sim-1' and res.hypervisor_type == 'fake'
    with pytest.raises(base.InstanceExists):
        drv.spawn(_instance(), base.ImageMeta(id='img'), [])


def test_state_rules_match_the_real_driver(drv):
    drv.spawn(_instance(), base.ImageMeta(id='img'), [])
    with pytest.raises(base.InvalidState):
        drv.unpause(UUID)
    drv.pause(UUID)
    drv.unpause(UUID)
    drv.suspend(UUID)
    assert drv.get_info(UUID).state == ps.SUSPENDED
    with pytest.raises(base.InvalidState):
        drv.pause(UUID)
    drv.resume(UUID, [])
    assert drv.power_off(UUID) is True
    assert drv.reboot(UUID, [], 'SOFT') == 'HARD'       # a stopped guest cannot soft-reboot
    with pytest.raises(base.InvalidInput):
        drv.reboot(UUID, [], 'WARM')
    drv.rescue(UUID, [], base.ImageMeta(id='img'))
    with pytest.raises(base.InvalidState):
        drv.rescue(UUID, [], base.ImageMeta(id='img'))
    drv.unrescue(UUID)
    drv.resize(UUID, base.Flavor('f2', 'm1.medium', 4, 4096, 40), [], None)
    assert drv.get_available_resource().vcpus_used == 4
    drv.revert_resize(UUID, None, [], None)
    assert drv.get_available_resource().vcpus_used == 2
    drv.confirm_resize(UUID)
    with pytest.raises(base.InvalidState):
        drv.revert_resize(UUID, None, [], None)


def test_hotplug_snapshot_console_destroy(drv, tmp_path):
    drv.spawn(_instance(), base.ImageMeta(id='img'), [])
    vif = {'port_id': PORT, 'mac': 'fa:16:3e:00:00:09'}
    drv.attach_interface(UUID, vif)
    with pytest.raises(base.InvalidState):
        drv.attach_interface(UUID, vif)
    drv.detach_interface(UUID, vif)
    att = {'volume_id': 'v1', 'connection_info': {}}
    assert drv.attach_volume(UUID, att) == 'vdb'
    assert drv.attach_volume(UUID, {'volume_id': 'v2', 'connection_info': {}}) == 'vdc'
    drv.detach_volume(UUID, att)
    snap = drv.snapshot(UUID, str(tmp_path / 'snap'))
    assert snap.disk_format == 'qcow2' and (tmp_path / 'snap').read_bytes()
    assert 'fake console' in drv.get_console_output(UUID)
    assert drv.get_vnc_console(UUID).port == 5900
    drv.destroy(UUID)
    drv.destroy(UUID)                                   # idempotent
    assert drv.list_instances() == []
    with pytest.raises(base.InstanceNotFound):
        drv.get_info(UUID)


def test_failure_injection_and_guest_death(drv):
    drv.spawn(_instance(), base.ImageMeta(id='img'), [])
    drv.fail_next('power_on', base.HypervisorUnavailable('down'))
    with pytest.raises(base.HypervisorUnavailable):
        drv.power_on(UUID, [])
    drv.set_power_state(UUID, ps.CRASHED)
    assert ps.reconcile('active', None, drv.get_info(UUID).state).action == ps.MARK_STOPPED
    assert ('power_on', UUID) in drv.calls


def test_uninitialised_driver_refuses_to_spawn():
    with pytest.raises(base.VirtError, match='init_host'):
        fake.FakeDriver().spawn(_instance(), base.ImageMeta(id='img'), [])


def test_many_simulated_hosts_are_independent():
    hosts = [drivers.load_driver('fake', host='h%d' % i, vcpus=4) for i in range(50)]
    for h in hosts:
        h.init_host(h.hostname)
    hosts[7].spawn(_instance(), base.ImageMeta(id='img'), [])
    used = [h.get_available_resource().vcpus_used for h in hosts]
    assert used.count(2) == 1 and used[7] == 2
