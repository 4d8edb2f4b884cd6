"""The lvm volume driver's commands, through a TEST FAKE runner that plays LVM (this host
has no device-mapper: the driver cannot run here)."""
import pytest

from blockstore.drivers import base
from blockstore.drivers import lvm
from blockstore.drivers import settings as settings_mod
from blockstore.drivers import tgt as tgt_mod
from common.execute import CommandError
from common.testing.fake_tgtadm import FakeTgtadm

GiB = 1024 ** 3
VOL, VOL2, SNAP = 'vol-1', 'vol-2', 'snap-1'


class FakeLvmRunner:
    """TEST FAKE: keeps logical volumes of one VG in memory, answers vgs/lvs, records
    every command (``calls``) and lets ``dd`` succeed."""

    def __init__(self, vg='cs-vg', size_gb=100, pool=None):
        self.vg, self.size_gb = vg, size_gb
        self.lvs = {}              # name -> {'size': GiB, 'origin': name or ''}
        if pool:
            self.lvs[pool] = {'size': 50, 'origin': '', 'data_percent': '10.00'}
        self.calls = []
        self.fail = {}             # command name -> stderr of its next failure

    def __call__(self, cmd, timeout=None, **_kw):
        cmd = [str(c) for c in cmd]
        self.calls.append(cmd)
        if cmd[0] in self.fail:
            raise CommandError(cmd, 5, '', self.fail.pop(cmd[0]))
        return getattr(self, '_' + cmd[0])(cmd)

    def _vgs(self, cmd):
        if cmd[-1] != self.vg:
            raise CommandError(cmd, 5, '', 'Volume group "%s" not found' % cmd[-1])
        if 'vg_size,vg_free' in cmd:
            used = sum(lv['size'] for lv in self.lvs.values())
            return '  %d|%d\n' % (self.size_gb * GiB, (self.size_gb - used) * GiB)
        return '  %s\n' % self.vg

    def _lvs(self, cmd):
        fields = cmd[cmd.index('-o') + 1].split(',')
        out = []
        for name, lv in sorted(self.lvs.items()):
            values = {'lv_name': name, 'lv_size': str(lv['size'] * GiB),
                      'origin': lv['origin'], 'data_percent': lv.get('data_percent', '')}
            out.append('  ' + '|'.join(values[f] for f in fields))
        return '\n'.join(out) + '\n'

    def _lvcreate(self, cmd):
        name = cmd[cmd.index('-n') + 1]
        if '-s' in cmd:
            origin = cmd[-1].split('/', 1)[1]
            size = (int(cmd[cmd.index('-L') + 1].rstrip('g')) if '-L' in cmd
                    else self.lvs[origin]['size'])
            self.lvs[name] = {'size': size, 'origin': origin}
        else:
            size = cmd[cmd.index('-V' if '-V' in cmd else '-L') + 1]
            self.lvs[name] = {'size': int(size.rstrip('g')), 'origin': ''}
        return ''

    def _lvextend(self, cmd):
        self.lvs[cmd[-1].split('/', 1)[1]]['size'] = int(cmd[cmd.index('-L') + 1].rstrip('g'))
        return ''

    def _lvremove(self, cmd):
        del self.lvs[cmd[-1].split('/', 1)[1]]
        return ''

    def _dd(self, cmd):
        return ''

    def commands(self, *names):
        return [c for c in self.calls if c[0] in names]


def make(tmp_path, thin=False, clear='zero'):
    runner = FakeLvmRunner(pool='cs-vg-pool' if thin else None)
    fake_tgt = FakeTgtadm(check_paths=False)
    conf = settings_mod.BackendSettings(
        volume_driver='lvm', volume_group='cs-vg', lvm_type='thin' if thin else 'default',
        volume_clear=clear, volumes_dir=str(tmp_path / 'work'), volume_backend_name='lvm1')
    drv = lvm.LVMDriver(conf, runner=runner, tgt=tgt_mod.TgtAdm(runner=fake_tgt))
    drv.do_setup()
    drv.check_for_setup_error()
    return drv, runner, fake_tgt


def test_thick_volume_lifecycle_commands(tmp_path):
    drv, runner, _ = make(tmp_path)
    drv.create_volume({'id': VOL, 'size': 2})
    drv.extend_volume({'id': VOL, 'size': 2}, 3)
    drv.delete_volume({'id': VOL, 'size': 3})
    assert runner.commands('lvcreate', 'lvextend', 'dd', 'lvremove') == [
        ['lvcreate', '--yes', '-Zy', '-n', 'volume-vol-1', '-L', '2g', 'cs-vg'],
        ['lvextend', '-L', '3g', 'cs-vg/volume-vol-1'],
        ['dd', 'if=/dev/zero', 'of=/dev/cs-vg/volume-vol-1', 'bs=1M', 'count=3072',
         'oflag=direct'],
        ['lvremove', '-f', 'cs-vg/volume-vol-1']]
    assert runner.lvs == {}


def test_volume_clear_none_skips_the_zeroing(tmp_path):
    drv, runner, _ = make(tmp_path, clear='none')
    drv.create_volume({'id': VOL, 'size': 1})
    drv.delete_volume({'id': VOL, 'size': 1})
    assert runner.commands('dd') == []


def test_thick_snapshot_clone_and_volume_from_snapshot(tmp_path):
    drv, runner, _ = make(tmp_path)
    drv.create_volume({'id': VOL, 'size': 1})
    drv.create_snapshot({'id': SNAP, 'volume_id': VOL, 'volume_size': 1})
    with pytest.raises(base.VolumeBusy, match='snapshot-snap-1'):
        drv.delete_volume({'id': VOL, 'size': 1})
    assert 'volume-vol-1' in runner.lvs and runner.commands('lvremove') == []
    runner.calls.clear()
    drv.create_volume_from_snapshot({'id': VOL2, 'size': 2},
                                    {'id': SNAP, 'volume_id': VOL, 'volume_size': 1})
    assert runner.commands('lvcreate', 'dd') == [
        ['lvcreate', '--yes', '-Zy', '-n', 'volume-vol-2', '-L', '2g', 'cs-vg'],
        ['dd', 'if=/dev/cs-vg/snapshot-snap-1', 'of=/dev/cs-vg/volume-vol-2', 'bs=1M',
         'count=1024', 'iflag=direct', 'oflag=direct']]
    runner.calls.clear()
    drv.create_cloned_volume({'id': 'vol-3', 'size': 1}, {'id': VOL, 'size': 1})
    assert runner.commands('lvcreate', 'dd', 'lvremove') == [
        ['lvcreate', '--yes', '-s', '-n', 'clone-snap-vol-3', '-L', '1g', 'cs-vg/volume-vol-1'],
        ['lvcreate', '--yes', '-Zy', '-n', 'volume-vol-3', '-L', '1g', 'cs-vg'],
        ['dd', 'if=/dev/cs-vg/clone-snap-vol-3', 'of=/dev/cs-vg/volume-vol-3', 'bs=1M',
         'count=1024', 'iflag=direct', 'oflag=direct'],
        ['lvremove', '-f', 'cs-vg/clone-snap-vol-3']]
    drv.delete_snapshot({'id': SNAP, 'volume_id': VOL, 'volume_size': 1})
    drv.delete_volume({'id': VOL, 'size': 1})
    assert sorted(runner.lvs) == ['volume-vol-2', 'volume-vol-3']


def test_failed_copy_removes_the_new_volume(tmp_path):
    drv, runner, _ = make(tmp_path)
    drv.create_volume({'id': VOL, 'size': 1})
    runner.fail['dd'] = 'dd: error reading: Input/output error'
    with pytest.raises(base.VolumeDriverError, match='Input/output'):
        drv.create_cloned_volume({'id': VOL2, 'size': 1}, {'id': VOL, 'size': 1})
    assert sorted(runner.lvs) == ['volume-vol-1']     # neither the copy nor the temp snap


def test_thin_snapshots_and_clones_copy_nothing(tmp_path):
    drv, runner, _ = make(tmp_path, thin=True)
    drv.create_volume({'id': VOL, 'size': 1})
    drv.create_snapshot({'id': SNAP, 'volume_id': VOL, 'volume_size': 1})
    drv.create_volume_from_snapshot({'id': VOL2, 'size': 2},
                                    {'id': SNAP, 'volume_id': VOL, 'volume_size': 1})
    drv.create_cloned_volume({'id': 'vol-3', 'size': 1}, {'id': VOL, 'size': 1})
    drv.delete_volume({'id': VOL, 'size': 1})         # thin snapshots are independent
    assert runner.commands('lvcreate', 'lvextend', 'lvremove') == [
        ['lvcreate', '--yes', '-T', 'cs-vg/cs-vg-pool', '-V', '1g', '-n', 'volume-vol-1'],
        ['lvcreate', '--yes', '-s', '-kn', '-ay', '-n', 'snapshot-snap-1', 'cs-vg/volume-vol-1'],
        ['lvcreate', '--yes', '-s', '-kn', '-ay', '-n', 'volume-vol-2',
         'cs-vg/snapshot-snap-1'],
        ['lvextend', '-L', '2g', 'cs-vg/volume-vol-2'],
        ['lvcreate', '--yes', '-s', '-kn', '-ay', '-n', 'volume-vol-3', 'cs-vg/volume-vol-1'],
        ['lvremove', '-f', 'cs-vg/volume-vol-1']]
    assert runner.commands('dd') == []


def test_stats_of_thick_and_thin(tmp_path):
    drv, runner, _ = make(tmp_path)
    drv.create_volume({'id': VOL, 'size': 4})
    (pool,) = drv.get_volume_stats()['pools']
    assert (pool['total_capacity_gb'], pool['free_capacity_gb'],
            pool['provisioned_capacity_gb']) == (100.0, 96.0, 4.0)
    assert pool['thick_provisioning_support'] and pool['max_over_subscription_ratio'] == 1.0
    drv, runner, _ = make(tmp_path, thin=True)
    drv.create_volume({'id': VOL, 'size': 8})
    (pool,) = drv.get_volume_stats()['pools']
    assert (pool['total_capacity_gb'], pool['free_capacity_gb']) == (50.0, 45.0)
    assert pool['thin_provisioning_support'] and pool['provisioned_capacity_gb'] == 8.0


def test_export_serves_the_logical_volume(tmp_path):
    drv, runner, fake_tgt = make(tmp_path)
    drv.create_volume({'id': VOL, 'size': 1})
    update = drv.create_export({'id': VOL, 'size': 1})
    info = drv.initialize_connection(dict(id=VOL, size=1, **update),
                                     {'initiator': 'iqn.2024-01.org.cirrostack:h1'})
    assert info['data']['target_iqn'] == 'iqn.2010-10.org.cirrostack:volume-vol-1'
    (target,) = fake_tgt.targets.values()
    assert target['luns'] == {1: '/dev/cs-vg/volume-vol-1'}
    assert drv.list_exports()[0]['volume_id'] == VOL
    drv.extend_volume({'id': VOL, 'size': 1}, 2)
    assert any('path=/dev/cs-vg/volume-vol-1' in c for c in fake_tgt.calls)
    drv.delete_volume({'id': VOL, 'size': 2})
    assert fake_tgt.targets == {}


def test_missing_vg_and_bad_names(tmp_path):
    runner = FakeLvmRunner(vg='other')
    conf = settings_mod.BackendSettings(volume_group='cs-vg', volumes_dir=str(tmp_path))
    drv = lvm.LVMDriver(conf, runner=runner, tgt=tgt_mod.TgtAdm(runner=FakeTgtadm()))
    with pytest.raises(base.BackendUnavailable, match='cs-vg'):
        drv.check_for_setup_error()
    with pytest.raises(base.BackendUnavailable):
        lvm.LVMDriver(settings_mod.BackendSettings(volume_group='vg; rm -rf /'),
                      runner=runner)
    drv, runner, _ = make(tmp_path)
    with pytest.raises(base.InvalidInput):
        drv.create_volume({'id': '../../dev/sda', 'size': 1})
    assert runner.commands('lvcreate') == []


def test_no_room_is_not_enough_space(tmp_path):
    drv, runner, _ = make(tmp_path)
    runner.fail['lvcreate'] = '  Volume group "cs-vg" has insufficient free space'
    with pytest.raises(base.NotEnoughSpace):
        drv.create_volume({'id': VOL, 'size': 500})


def test_cleanup_removes_unknown_lvs(tmp_path):
    drv, runner, _ = make(tmp_path)
    for volume_id in (VOL, VOL2):
        drv.create_volume({'id': volume_id, 'size': 1})
    runner.lvs['clone-snap-vol-9'] = {'size': 1, 'origin': 'volume-vol-1'}
    runner.lvs['unrelated'] = {'size': 1, 'origin': ''}
    removed = drv.cleanup_orphans([VOL], [])
    assert removed['volumes'] == [VOL2] and removed['partial'] == ['clone-snap-vol-9']
    assert sorted(runner.lvs) == ['unrelated', 'volume-vol-1']
