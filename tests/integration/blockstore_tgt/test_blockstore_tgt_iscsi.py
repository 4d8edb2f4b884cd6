"""The file driver on a real tgtd, attached with QEMU's own iSCSI initiator (libiscsi), as
compute attaches volumes: CHAP, access by initiator name, snapshots and clones, live
extend, tgtd restart + ensure_export, nothing left behind; and the figures."""
import os
import re
import shutil
import subprocess
import time
import uuid

import pytest

import blockstore_tgt_helpers as helpers

pytestmark = pytest.mark.integration
GiB = 1024 ** 3
MiB = 1024 ** 2
CONNECTOR = {'initiator': helpers.INITIATOR, 'ip': '127.0.0.1', 'host': 'tgt-test',
             'platform': 'x86_64', 'os_type': 'linux', 'multipath': False}


def new_volume(driver, size=1):
    volume = {'id': str(uuid.uuid4()), 'size': size}
    driver.create_volume(volume)
    return volume


def attach(driver, volume):
    """Export + connection info, as the manager does it; the volume dict gets the update."""
    volume.update(driver.create_export(volume, CONNECTOR))
    return driver.initialize_connection(volume, CONNECTOR)['data']


def _run(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr


def io_ok(done):
    out = done.stdout + done.stderr
    assert done.returncode == 0 and 'fail' not in out.lower(), out
    return out


def test_attach_write_read_with_chap_and_refusals(driver, initiator, tgtd):
    volume = new_volume(driver)
    data = attach(driver, volume)
    io_ok(initiator.io(data, 'write -P 0xa5 1M 4M', 'read -P 0xa5 1M 4M'))
    with open(driver.local_path(volume['id']), 'rb') as f:      # the bytes are in the file
        f.seek(MiB)
        assert f.read(4 * MiB) == b'\xa5' * (4 * MiB)

    wrong = initiator.io(data, 'read 0 4k', password='not-the-password')
    assert wrong.returncode != 0 and 'Authentication failure' in wrong.stdout + wrong.stderr
    other_user = initiator.io(data, 'read 0 4k', user='someoneelse')
    assert other_user.returncode != 0
    stranger = helpers.Initiator(initiator.workdir, 'iqn.2024-01.org.example:stranger')
    assert stranger.io(data, 'read 0 4k').returncode != 0       # not bound: not served

    # another volume's credentials do not open this one
    second = new_volume(driver)
    second_data = attach(driver, second)
    crossed = dict(data, auth_username=second_data['auth_username'],
                   auth_password=second_data['auth_password'])
    assert initiator.io(crossed, 'read 0 4k').returncode != 0

    driver.terminate_connection(volume, CONNECTOR)
    assert initiator.io(data, 'read 0 4k').returncode != 0      # unbound now
    for vol in (volume, second):
        driver.delete_volume(vol)
    assert data['target_iqn'] not in tgtd.show_text()
    assert tgtd.adm.accounts() == []
    assert driver.list_volume_data() == {'volumes': [], 'snapshots': [], 'partial': []}


def test_snapshot_clone_and_volume_from_snapshot_hold_the_right_bytes(driver, initiator):
    volume = new_volume(driver)
    data = attach(driver, volume)
    io_ok(initiator.io(data, 'write -P 0x11 0 2M', 'write -P 0x12 700M 1M'))
    snapshot = {'id': str(uuid.uuid4()), 'volume_id': volume['id'], 'volume_size': 1}
    driver.create_snapshot(snapshot)
    io_ok(initiator.io(data, 'write -P 0x22 0 2M'))             # after the snapshot

    from_snap = {'id': str(uuid.uuid4()), 'size': 2}
    driver.create_volume_from_snapshot(from_snap, snapshot)
    clone = {'id': str(uuid.uuid4()), 'size': 1}
    driver.create_cloned_volume(clone, volume)

    io_ok(initiator.io(attach(driver, from_snap), 'read -P 0x11 0 2M', 'read -P 0x12 700M 1M',
                       'read -P 0 1500M 1M'))
    io_ok(initiator.io(attach(driver, clone), 'read -P 0x22 0 2M', 'read -P 0x12 700M 1M'))
    assert initiator.size(attach(driver, from_snap)) == 2 * GiB
    for vol in (from_snap, clone, volume):
        driver.delete_volume(vol)
    driver.delete_snapshot(snapshot)


def test_extend_while_attached(driver, initiator):
    volume = new_volume(driver)
    data = attach(driver, volume)
    commands = []
    for i in range(120):       # I/O all along, checked, while the volume grows
        commands += ['write -q -P 0x5a %dM 1M' % (i % 64), 'read -q -P 0x5a %dM 1M' % (i % 64),
                     'sleep 20']
    # what compute does next (virDomainBlockResize to the new size): QEMU reads the
    # capacity again; then the new space is usable
    commands += ['length', 'truncate 2G', 'length', 'write -q -P 0x6b 1800M 1M',
                 'read -q -P 0x6b 1800M 1M']
    objects, opts, secret = initiator._args(data)
    args = ['qemu-io'] + objects + ['--image-opts', opts]
    for command in commands:
        args += ['-c', command]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(1.5)
        started = time.monotonic()
        driver.extend_volume(volume, 2)
        helpers.TIMINGS['extend while attached (s)'] = time.monotonic() - started
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.unlink(secret)
    assert proc.returncode == 0 and 'fail' not in out.lower(), out
    assert re.findall(r'^(\d+ [GM]iB)$', out, re.M) == ['1 GiB', '2 GiB'], out
    assert initiator.size(data) == 2 * GiB                     # a new login sees it too
    driver.delete_volume(volume)


def test_tgtd_restart_then_ensure_export_brings_targets_back(driver, initiator, tgtd):
    volumes = [new_volume(driver) for _ in range(2)]
    datas = [attach(driver, v) for v in volumes]
    for index, data in enumerate(datas):
        io_ok(initiator.io(data, 'write -P 0x%02x 0 1M' % (0x30 + index)))
    tgtd.restart()
    assert driver.list_exports() == []
    assert initiator.io(datas[0], 'read 0 4k').returncode != 0
    for volume in volumes:                      # what the manager does at start
        driver.ensure_export(volume, [CONNECTOR])
    assert sorted(e['volume_id'] for e in driver.list_exports()) == sorted(
        v['id'] for v in volumes)
    for index, data in enumerate(datas):        # the same connection info works again
        io_ok(initiator.io(data, 'read -P 0x%02x 0 1M' % (0x30 + index)))
    for volume in volumes:
        driver.delete_volume(volume)
    assert 'Target' not in tgtd.show_text()


def test_leftovers_after_a_crash_are_reaped(driver, tgtd):
    known = new_volume(driver)
    attach(driver, known)
    orphan = new_volume(driver)
    attach(driver, orphan)
    part = os.path.join(driver.volumes_dir, '.volume-%s.part' % uuid.uuid4())
    open(part, 'wb').close()
    removed = driver.cleanup_orphans([known['id']], [])
    assert removed['volumes'] == [orphan['id']] and removed['partial'] == [
        os.path.basename(part)]
    assert [e['volume_id'] for e in driver.list_exports()] == [known['id']]
    assert orphan['id'] not in tgtd.show_text()
    driver.delete_volume(known)


@pytest.mark.slow
def test_figures_for_1_gib(driver, initiator, workdir):
    """Create/snapshot/clone time of a 1 GiB volume full of data, and sequential MiB/s
    through iSCSI (QEMU's initiator -> tgtd -> the file) against the file directly."""
    source = os.path.join(workdir, 'random.raw')
    with open(source, 'wb') as f:
        for _ in range(1024):
            f.write(os.urandom(MiB))

    def timed(name, func, *args):
        started = time.monotonic()
        result = func(*args)
        helpers.TIMINGS[name] = time.monotonic() - started
        return result

    volume = {'id': str(uuid.uuid4()), 'size': 1}
    timed('create 1 GiB volume (s)', driver.create_volume, volume)
    data = attach(driver, volume)
    started = time.monotonic()
    done = initiator.img(data, 'convert-to', source)
    assert done.returncode == 0, done.stderr
    helpers.TIMINGS['qemu-img convert 1 GiB into the LUN over iSCSI (MiB/s)'] = (
        1024 / (time.monotonic() - started))
    subprocess.run(['cmp', source, driver.local_path(volume['id'])], check=True)

    snapshot = {'id': str(uuid.uuid4()), 'volume_id': volume['id'], 'volume_size': 1}
    timed('snapshot of a full 1 GiB volume (s)', driver.create_snapshot, snapshot)
    clone = {'id': str(uuid.uuid4()), 'size': 1}
    timed('clone of a full 1 GiB volume (s)', driver.create_cloned_volume, clone, volume)
    empty = new_volume(driver)
    snap2 = {'id': str(uuid.uuid4()), 'volume_id': empty['id'], 'volume_size': 1}
    timed('snapshot of an empty 1 GiB volume (s)', driver.create_snapshot, snap2)

    path = driver.local_path(volume['id'])
    copy = os.path.join(workdir, 'direct.raw')
    shutil.copyfile(source, copy)
    timed('qemu-img convert 1 GiB into the file directly (s)', _run,
          ['qemu-img', 'convert', '-n', '-t', 'writeback', '-f', 'raw', '-O', 'raw', source,
           copy])
    helpers.TIMINGS['qemu-img convert 1 GiB into the file directly (MiB/s)'] = (
        1024 / helpers.TIMINGS.pop('qemu-img convert 1 GiB into the file directly (s)'))
    started = time.monotonic()
    done = initiator.img(data, 'read-all', GiB)
    assert done.returncode == 0, done.stderr
    helpers.TIMINGS['qemu-img read of the 1 GiB LUN over iSCSI (MiB/s)'] = (
        1024 / (time.monotonic() - started))
    for label, cache in (('page cache', 'writeback'), ('O_DIRECT', 'none')):
        started = time.monotonic()
        _run(['qemu-img', 'convert', '-n', '-T', cache, '--image-opts',
              'driver=file,filename=%s' % path, '--target-image-opts',
              'driver=null-co,size=%d' % GiB])
        helpers.TIMINGS['qemu-img read of the 1 GiB file directly, %s (MiB/s)' % label] = (
            1024 / (time.monotonic() - started))
    for vol in (clone, empty, volume):
        driver.delete_volume(vol)
    for snap in (snapshot, snap2):
        driver.delete_snapshot(snap)
