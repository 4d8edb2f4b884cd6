"""Power-state mapping and reconciliation, plain data validation, console tail."""
import libvirt
import pytest

from compute.drivers import base
from compute.drivers import power_state as ps
from compute.drivers.libvirt import console
from compute.drivers.libvirt import states


@pytest.mark.parametrize('lv,saved,expected', [
    (libvirt.VIR_DOMAIN_NOSTATE, False, ps.NOSTATE),
    (libvirt.VIR_DOMAIN_RUNNING, False, ps.RUNNING),
    (libvirt.VIR_DOMAIN_BLOCKED, False, ps.RUNNING),
    (libvirt.VIR_DOMAIN_PAUSED, False, ps.PAUSED),
    (libvirt.VIR_DOMAIN_SHUTDOWN, False, ps.SHUTDOWN),
    (libvirt.VIR_DOMAIN_SHUTOFF, False, ps.SHUTDOWN),
    (libvirt.VIR_DOMAIN_SHUTOFF, True, ps.SUSPENDED),
    (libvirt.VIR_DOMAIN_CRASHED, False, ps.CRASHED),
    (libvirt.VIR_DOMAIN_PMSUSPENDED, False, ps.SUSPENDED),
    (99, False, ps.NOSTATE),
])
def test_libvirt_state_mapping(lv, saved, expected):
    assert states.to_power_state(lv, saved) == expected


@pytest.mark.parametrize('vm,task,hv,expected', [
    ('active', None, ps.RUNNING, (ps.RUNNING, ps.NO_ACTION)),
    ('active', None, ps.SHUTDOWN, (ps.SHUTDOWN, ps.MARK_STOPPED)),   # died inside
    ('active', None, ps.CRASHED, (ps.CRASHED, ps.MARK_STOPPED)),
    ('active', None, ps.NOSTATE, (ps.NOSTATE, ps.MARK_STOPPED)),     # domain gone
    ('active', 'rebooting', ps.SHUTDOWN, (None, ps.NO_ACTION)),      # a task owns it
    ('paused', None, ps.SHUTDOWN, (ps.SHUTDOWN, ps.MARK_STOPPED)),
    ('stopped', None, ps.RUNNING, (ps.RUNNING, ps.POWER_OFF_GUEST)),
    ('stopped', None, ps.SHUTDOWN, (ps.SHUTDOWN, ps.NO_ACTION)),
    ('suspended', None, ps.SUSPENDED, (ps.SUSPENDED, ps.NO_ACTION)),
    ('building', None, ps.NOSTATE, (None, ps.NO_ACTION)),
    ('error', None, ps.RUNNING, (None, ps.NO_ACTION)),
])
def test_reconcile(vm, task, hv, expected):
    assert tuple(ps.reconcile(vm, task, hv)) == expected


PORT = '0befd7eb-b3aa-4c1e-9e8f-000000000001'


def test_vif_tap_name_and_checks():
    vif = base.VIF(port_id=PORT.upper(), mac='FA:16:3E:AA:BB:CC', mtu=9000)
    assert vif.tap_name == 'tap0befd7eb-b3' and len(vif.tap_name) <= 15
    assert vif.mac == 'fa:16:3e:aa:bb:cc'
    for bad in (dict(mac='01:00:5e:00:00:01'), dict(mac='fa:16:3e:aa:bb'),
                dict(port_id='../../etc'), dict(mtu=10), dict(mtu='1500')):
        with pytest.raises(base.InvalidInput):
            base.VIF(**dict(dict(port_id=PORT, mac='fa:16:3e:00:00:01'), **bad))


def test_plain_data_round_trip():
    inst = base.Instance(uuid='3F0E6A4C-8F0A-4B8E-9A3C-1D2E3F4A5B6C', name='vm',
                         flavor=base.Flavor('f', 'n', 1, 64, 1), user_data=b'\xff\x00bin')
    data = inst.to_dict()
    assert data['uuid'] == '3f0e6a4c-8f0a-4b8e-9a3c-1d2e3f4a5b6c'
    again = base.Instance.from_dict(data)
    assert again == inst and again.user_data == b'\xff\x00bin'
    bdi = base.BlockDeviceInfo.from_dict({'volumes': [
        {'volume_id': 'v1', 'connection_info': {'driver_volume_type': 'iscsi'}}]})
    assert isinstance(bdi.volumes[0], base.VolumeAttachment)
    with pytest.raises(base.InvalidInput, match='base64'):
        base.Instance.from_dict(dict(data, user_data='***'))
    with pytest.raises(base.InvalidInput):
        base.Instance.from_dict(dict(data, uuid='x; rm -rf /'))
    with pytest.raises(base.InvalidInput):
        base.Flavor.from_dict({'id': 'f', 'name': 'n', 'vcpus': 0, 'memory_mb': 64,
                               'root_gb': 1})
    with pytest.raises(base.InvalidInput):
        base.Flavor.from_dict({'id': 'f'})
    assert base.uuid_of('3F0E6A4C-8F0A-4B8E-9A3C-1D2E3F4A5B6C') == data['uuid']
    assert base.uuid_of(data) == base.uuid_of(inst) == data['uuid']
    with pytest.raises(base.InvalidInput):
        base.uuid_of({'uuid': None})


def test_console_tail_is_bounded_and_spans_rotation(tmp_path):
    log = tmp_path / 'console.log'
    assert console.tail(str(log)) == ''
    (tmp_path / 'console.log.0').write_bytes(b'old line 1\nold line 2\n')
    log.write_bytes(b'new line\r\n' + b'x' * 50 + b'\n')
    text = console.tail(str(log), 1000)
    assert text.startswith('old line 1') and 'new line\n' in text
    short = console.tail(str(log), 30)
    assert len(short.encode()) <= 30 and short.endswith('x\n') and not short.startswith('o')
    assert console.tail(str(log), 55) == 'x' * 50 + '\n'
    assert len(console.tail(str(log), 10 ** 9)) < console.HARD_MAX_BYTES + 1
    log.write_bytes(b'\xff\xfe bad utf8\n')
    assert 'bad utf8' in console.tail(str(log))
    console.remove(str(log))
    assert list(tmp_path.iterdir()) == []
