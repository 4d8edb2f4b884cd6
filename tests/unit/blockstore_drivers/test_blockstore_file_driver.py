"""The file volume driver on a temporary directory, with tgt played by a TEST FAKE of
tgtadm (common.testing.fake_tgtadm); cp and qemu-img run for real."""
import hashlib
import os
import subprocess

import pytest

from blockstore.drivers import base
from blockstore.drivers import file as file_driver
from blockstore.drivers import load_driver
from blockstore.drivers import settings as settings_mod
from blockstore.drivers import tgt as tgt_mod
from common.execute import CommandError
from common.execute import execute
from common.testing.fake_tgtadm import FakeTgtadm
from compute.drivers import base as virt_base
from compute.drivers.libvirt import volumes as virt_volumes

GiB = 1024 ** 3
MiB = 1024 ** 2
VOL = '6f1c2d3e-0000-4000-8000-00000000000a'
VOL2 = '6f1c2d3e-0000-4000-8000-00000000000b'
SNAP = '7a1c2d3e-0000-4000-8000-00000000000c'
HOST1 = {'initiator': 'iqn.2024-01.org.cirrostack:host1', 'ip': '192.0.2.10', 'host': 'host1',
         'platform': 'x86_64', 'os_type': 'linux', 'multipath': False}


@pytest.fixture
def fake_tgt():
    return FakeTgtadm()


@pytest.fixture
def driver(tmp_path, fake_tgt):
    conf = settings_mod.BackendSettings(volumes_dir=str(tmp_path / 'volumes'),
                                        volume_backend_name='file1')
    drv = file_driver.FileDriver(conf, tgt=tgt_mod.TgtAdm(runner=fake_tgt))
    drv.do_setup()
    drv.check_for_setup_error()
    return drv


def vol(volume_id=VOL, size=1, **kw):
    return dict({'id': volume_id, 'size': size}, **kw)


def write(path, offset, data):
    with open(path, 'r+b') as f:
        f.seek(offset)
        f.write(data)


def read(path, offset, length):
    with open(path, 'rb') as f:
        f.seek(offset)
        return f.read(length)


def listing(drv):
    return sorted(os.listdir(drv.volumes_dir))


def test_registry_loads_the_file_driver(tmp_path):
    drv = load_driver('file', settings_mod.BackendSettings(volumes_dir=str(tmp_path)))
    assert isinstance(drv, file_driver.FileDriver)
    with pytest.raises(ValueError, match='unknown volume driver'):
        load_driver('nfs')


def test_create_volume_is_a_sparse_private_file(driver):
    assert driver.create_volume(vol(size=2)) == {}
    path = driver.local_path(VOL)
    st = os.stat(path)
    assert st.st_size == 2 * GiB and st.st_blocks == 0
    assert st.st_mode & 0o777 == 0o600
    assert os.stat(driver.volumes_dir).st_mode & 0o777 == 0o700
    with pytest.raises(base.VolumeExists):
        driver.create_volume(vol(size=2))


def test_preallocated_volumes_take_their_space(tmp_path, fake_tgt):
    conf = settings_mod.BackendSettings(volumes_dir=str(tmp_path / 'v'),
                                        file_preallocation='full')
    drv = file_driver.FileDriver(conf, tgt=tgt_mod.TgtAdm(runner=fake_tgt))
    drv.do_setup()
    drv.create_volume(vol(size=1))
    assert os.stat(drv.local_path(VOL)).st_blocks * 512 >= GiB
    pool = drv.get_volume_stats()['pools'][0]
    assert pool['thick_provisioning_support'] and not pool['thin_provisioning_support']


@pytest.mark.parametrize('bad', ['../etc', 'a/b', '', '.hidden', 'x' * 65, 'a b', 5])
def test_ids_that_are_no_file_names_are_refused(driver, bad):
    with pytest.raises(base.InvalidInput):
        driver.create_volume(vol(volume_id=bad))
    with pytest.raises(base.InvalidInput):
        driver.create_snapshot({'id': bad, 'volume_id': VOL, 'volume_size': 1})
    assert listing(driver) == []


@pytest.mark.parametrize('size', [0, -1, True, '1', 10 ** 9])
def test_sizes_are_checked(driver, size):
    with pytest.raises(base.InvalidInput):
        driver.create_volume(vol(size=size))
    assert listing(driver) == []


def test_extend_grows_and_never_shrinks(driver):
    driver.create_volume(vol())
    write(driver.local_path(VOL), 4096, b'keep')
    driver.extend_volume(vol(), 3)
    assert os.path.getsize(driver.local_path(VOL)) == 3 * GiB
    assert read(driver.local_path(VOL), 4096, 4) == b'keep'
    for smaller in (3, 1):
        with pytest.raises(base.InvalidInput, match='not larger'):
            driver.extend_volume(vol(size=3), smaller)
    with pytest.raises(base.VolumeNotFound):
        driver.extend_volume(vol(VOL2), 2)


def test_extend_of_an_exported_volume_tells_tgt(driver, fake_tgt):
    driver.create_volume(vol())
    update = driver.create_export(vol())
    before = len(fake_tgt.calls)
    driver.extend_volume(vol(**update), 2)
    updates = [c for c in fake_tgt.calls[before:] if 'update' in c]
    params = [c[c.index('--params') + 1] for c in updates]
    assert params == ['online=0', 'path=%s' % driver.local_path(VOL), 'online=1']


def test_snapshot_and_volumes_from_it_hold_its_bytes(driver):
    driver.create_volume(vol())
    path = driver.local_path(VOL)
    write(path, 0, b'first')
    write(path, 512 * MiB, b'middle')
    snap = {'id': SNAP, 'volume_id': VOL, 'volume_size': 1}
    driver.create_snapshot(snap)
    write(path, 0, b'after')              # the snapshot keeps the old bytes
    spath = driver.snapshot_path(SNAP)
    assert read(spath, 0, 5) == b'first' and read(spath, 512 * MiB, 6) == b'middle'
    assert os.stat(spath).st_blocks * 512 < 1 * MiB        # holes stayed holes

    driver.create_volume_from_snapshot(vol(VOL2, size=2), snap)
    new = driver.local_path(VOL2)
    assert os.path.getsize(new) == 2 * GiB
    assert read(new, 0, 5) == b'first' and read(new, 512 * MiB, 6) == b'middle'
    assert read(new, GiB + 10, 4) == b'\0' * 4
    assert not [n for n in listing(driver) if n.endswith('.part')]


def test_clone_copies_the_source_and_checks_sizes(driver):
    driver.create_volume(vol(size=2))
    write(driver.local_path(VOL), 100, b'clone me')
    with pytest.raises(base.InvalidInput, match='smaller'):
        driver.create_cloned_volume(vol(VOL2, size=1), vol(size=2))
    assert not os.path.exists(driver.local_path(VOL2))
    driver.create_cloned_volume(vol(VOL2, size=2), vol(size=2))
    assert read(driver.local_path(VOL2), 100, 8) == b'clone me'
    with pytest.raises(base.VolumeNotFound):
        driver.create_cloned_volume(vol('c' * 8), vol('d' * 8))
    with pytest.raises(base.SnapshotNotFound):
        driver.create_volume_from_snapshot(vol('e' * 8), {'id': 'f' * 8, 'volume_id': VOL,
                                                          'volume_size': 1})


def test_failed_copy_leaves_no_partial_file(driver):
    driver.create_volume(vol())

    def failing_cp(cmd, timeout=None, **_kw):
        execute(cmd, timeout=timeout)
        raise CommandError(cmd, 1, '', 'cp: No space left on device')

    driver.runner = failing_cp
    with pytest.raises(base.NotEnoughSpace):
        driver.create_snapshot({'id': SNAP, 'volume_id': VOL, 'volume_size': 1})
    assert listing(driver) == ['volume-%s' % VOL]


def test_export_and_connection_info_fit_compute(driver, fake_tgt):
    driver.create_volume(vol())
    update = driver.create_export(vol(), HOST1)
    assert set(update) == {'provider_location', 'provider_auth'}
    assert update['provider_location'] == (
        '127.0.0.1:3260,1 iqn.2010-10.org.cirrostack:volume-%s 1' % VOL)
    method, user, password = update['provider_auth'].split(' ')
    assert method == 'CHAP' and len(password) >= 20

    info = driver.initialize_connection(vol(**update), HOST1)
    assert info == {'driver_volume_type': 'iscsi', 'data': {
        'target_iqn': 'iqn.2010-10.org.cirrostack:volume-%s' % VOL,
        'target_portal': '127.0.0.1:3260', 'target_lun': 1, 'auth_method': 'CHAP',
        'auth_username': user, 'auth_password': password, 'volume_id': VOL}}
    # compute's libvirt driver takes it as it is
    target = virt_volumes.IscsiTarget.from_attachment(
        virt_base.VolumeAttachment(volume_id=VOL, connection_info=info))
    assert (target.portal_host, target.portal_port, target.target_lun) == ('127.0.0.1', 3260, 1)
    assert target.auth_password == password

    (tgt_target,) = fake_tgt.targets.values()
    assert tgt_target['luns'] == {1: driver.local_path(VOL)}
    assert tgt_target['accounts'] == [user] and fake_tgt.passwords[user] == password
    assert tgt_target['acl'] == [HOST1['initiator']]


def test_each_volume_gets_its_own_credentials(driver):
    driver.create_volume(vol())
    driver.create_volume(vol(VOL2))
    one = driver.create_export(vol())['provider_auth']
    two = driver.create_export(vol(VOL2))['provider_auth']
    assert one.split()[1] != two.split()[1] and one.split()[2] != two.split()[2]


def test_a_connector_without_initiator_name_is_bound_by_address(driver, fake_tgt):
    driver.create_volume(vol())
    update = driver.create_export(vol())
    driver.initialize_connection(vol(**update), {'ip': '192.0.2.20'})
    (target,) = fake_tgt.targets.values()
    assert target['acl'] == ['192.0.2.20']


def test_initialize_needs_an_export(driver):
    driver.create_volume(vol())
    with pytest.raises(base.InvalidInput, match='create_export'):
        driver.initialize_connection(vol(), HOST1)


@pytest.mark.parametrize('connector', [
    {'initiator': 'iqn.2024-01.org.x:a,user=evil'}, {'initiator': 'iqn.x; rm -rf /'},
    {'ip': '10.0.0.1 --force'}, {'initiator': 'iqn.2024-01.org.x:a\nb'}, {}, 'host1',
    {'initiator': 'iqn.2024-01.org.x:a', 'host': 'bad host'}])
def test_connectors_are_validated_before_tgtadm(driver, fake_tgt, connector):
    driver.create_volume(vol())
    update = driver.create_export(vol())
    before = len(fake_tgt.calls)
    with pytest.raises(base.InvalidInput):
        driver.initialize_connection(vol(**update), connector)
    assert fake_tgt.calls[before:] == []


@pytest.mark.parametrize('auth', ['CHAP user pass,word=x', 'CHAP a', 'PLAIN a b',
                                  'CHAP us"er secretsecret', 'CHAP user pass word',
                                  'CHAP user sec\\ret'])
def test_stored_credentials_are_validated_before_tgtadm(driver, fake_tgt, auth):
    driver.create_volume(vol())
    with pytest.raises(base.InvalidInput) as err:
        driver.ensure_export(vol(provider_auth=auth), [HOST1])
    for secret in ('pass,word=x', 'secretsecret', 'sec\\ret'):
        assert secret not in str(err.value)             # a secret is never quoted
    assert fake_tgt.targets == {}


def test_create_export_is_idempotent_and_keeps_credentials(driver, fake_tgt):
    driver.create_volume(vol())
    update = driver.create_export(vol())
    again = driver.create_export(vol(**update))
    assert again == update
    assert len(fake_tgt.targets) == 1


def test_tgtd_restart_then_ensure_export_restores_targets(driver, fake_tgt):
    driver.create_volume(vol())
    update = driver.create_export(vol(), HOST1)
    driver.initialize_connection(vol(**update), HOST1)
    fake_tgt.restart()
    assert driver.list_exports() == []
    driver.ensure_export(vol(**update), [HOST1])
    (target,) = fake_tgt.targets.values()
    user, password = update['provider_auth'].split()[1:]
    assert fake_tgt.passwords == {user: password}
    assert target['acl'] == [HOST1['initiator']]
    assert driver.list_exports()[0]['volume_id'] == VOL


def test_terminate_and_remove_export_leave_no_target(driver, fake_tgt):
    driver.create_volume(vol())
    update = driver.create_export(vol())
    driver.initialize_connection(vol(**update), HOST1)
    driver.terminate_connection(vol(**update), HOST1)
    (target,) = fake_tgt.targets.values()
    assert target['acl'] == []
    driver.terminate_connection(vol(**update), HOST1)       # again: fine
    driver.remove_export(vol(**update))
    assert fake_tgt.targets == {} and fake_tgt.passwords == {}
    driver.remove_export(vol(**update))                    # idempotent


def test_delete_volume_removes_export_and_file(driver, fake_tgt):
    driver.create_volume(vol())
    driver.create_export(vol())
    driver.delete_volume(vol())
    assert fake_tgt.targets == {} and listing(driver) == []
    driver.delete_volume(vol())                            # a volume without data is fine


def test_tgtd_down_is_backend_unavailable(driver, fake_tgt):
    driver.create_volume(vol())
    fake_tgt.running = False
    with pytest.raises(base.BackendUnavailable, match='tgtd'):
        driver.check_for_setup_error()
    with pytest.raises(base.BackendUnavailable):
        driver.create_export(vol())


def test_cleanup_removes_only_what_has_no_volume(driver, fake_tgt, tmp_path):
    for volume_id in (VOL, VOL2):
        driver.create_volume(vol(volume_id))
        driver.create_export(vol(volume_id))
    driver.create_snapshot({'id': SNAP, 'volume_id': VOL, 'volume_size': 1})
    open(os.path.join(driver.volumes_dir, '.volume-x.part'), 'w').close()
    # a target of another backend (another directory) is not this backend's to remove
    other = tmp_path / 'other'
    other.mkdir()
    (other / 'volume-zzz').write_bytes(b'')
    fake_tgt.targets[99] = {'iqn': 'iqn.2010-10.org.cirrostack:volume-zzz',
                            'luns': {1: str(other / 'volume-zzz')}, 'accounts': [], 'acl': []}
    assert driver.list_volume_data() == {'volumes': sorted([VOL, VOL2]), 'snapshots': [SNAP],
                                         'partial': ['.volume-x.part']}
    removed = driver.cleanup_orphans([VOL], [], exported_volume_ids=[])
    assert removed == {'volumes': [VOL2], 'snapshots': [SNAP], 'partial': ['.volume-x.part'],
                       'targets': sorted(['iqn.2010-10.org.cirrostack:volume-%s' % v
                                          for v in (VOL, VOL2)])}
    assert listing(driver) == ['volume-%s' % VOL]
    assert list(fake_tgt.targets) == [99]


def test_stats_report_capacity_and_provisioning(driver):
    driver.create_volume(vol(size=3))
    stats = driver.get_volume_stats()
    assert stats['volume_backend_name'] == 'file1' and stats['storage_protocol'] == 'iSCSI'
    (pool,) = stats['pools']
    assert pool['pool_name'] == 'file1'
    assert pool['provisioned_capacity_gb'] == 3.0
    assert 0 < pool['free_capacity_gb'] <= pool['total_capacity_gb']
    assert pool['thin_provisioning_support'] and pool['max_over_subscription_ratio'] == 20.0


# -- images ---------------------------------------------------------------------------

def _qcow2_image(tmp_path, payload, size='64M'):
    raw = tmp_path / 'src.raw'
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'raw', str(raw), size], check=True)
    write(str(raw), MiB, payload)
    qcow = tmp_path / 'src.qcow2'
    subprocess.run(['qemu-img', 'convert', '-q', '-f', 'raw', '-O', 'qcow2', str(raw),
                    str(qcow)], check=True)
    return qcow.read_bytes()


def _meta(data, fmt, **kw):
    return dict({'id': 'img-1', 'disk_format': fmt, 'size': len(data),
                 'os_hash_algo': 'sha512',
                 'os_hash_value': hashlib.sha512(data).hexdigest()}, **kw)


def _fetcher(data):
    def fetch(image_id):
        assert image_id == 'img-1'
        for i in range(0, len(data), 65536):
            yield data[i:i + 65536]
    return fetch


def test_qcow2_image_becomes_raw_volume_data(driver, tmp_path):
    data = _qcow2_image(tmp_path, b'bootsector')
    driver.create_volume(vol())
    driver.copy_image_to_volume(vol(), _meta(data, 'qcow2'), _fetcher(data))
    path = driver.local_path(VOL)
    assert read(path, MiB, 10) == b'bootsector'
    assert os.path.getsize(path) == GiB                 # the volume keeps its size
    assert listing(driver) == ['volume-%s' % VOL]


@pytest.mark.parametrize('change,error', [
    ({'os_hash_value': '0' * 128}, 'checksum'), ({'size': 5}, 'bytes'),
    ({'disk_format': 'raw'}, 'qcow2'), ({'disk_format': 'iso'}, 'cannot become'),
    ({'os_hash_value': None, 'checksum': None}, 'no checksum')])
def test_bad_images_are_refused_and_leave_nothing(driver, tmp_path, change, error):
    data = _qcow2_image(tmp_path, b'x')
    driver.create_volume(vol())
    with pytest.raises(base.ImageUnacceptable, match=error):
        driver.copy_image_to_volume(vol(), _meta(data, 'qcow2', **change), _fetcher(data))
    assert listing(driver) == ['volume-%s' % VOL]
    assert read(driver.local_path(VOL), MiB, 1) == b'\0'


def test_image_larger_than_the_volume_is_refused(driver, tmp_path):
    data = _qcow2_image(tmp_path, b'x', size='2G')
    driver.create_volume(vol())
    with pytest.raises(base.ImageUnacceptable, match='more than volume'):
        driver.copy_image_to_volume(vol(), _meta(data, 'qcow2'), _fetcher(data))


def test_qcow2_with_backing_file_is_refused(driver, tmp_path):
    secret = tmp_path / 'host-secret'
    secret.write_bytes(b'host data')
    sneaky = tmp_path / 'sneaky.qcow2'
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', str(secret),
                    str(sneaky), '1M'], check=True)
    data = sneaky.read_bytes()
    driver.create_volume(vol())
    with pytest.raises(base.ImageUnacceptable, match='backing'):
        driver.copy_image_to_volume(vol(), _meta(data, 'qcow2'), _fetcher(data))


@pytest.mark.parametrize('fmt', ['raw', 'qcow2'])
def test_volume_to_image_yields_its_data(driver, fmt):
    driver.create_volume(vol())
    write(driver.local_path(VOL), 3 * MiB, b'upload me')
    with driver.copy_volume_to_image(vol(), fmt) as image:
        assert image.disk_format == fmt
        subprocess.run(['qemu-img', 'compare', '-q', '-f', 'raw', '-F', fmt,
                        driver.local_path(VOL), image.path], check=True)
        if fmt == 'raw':
            assert image.path == driver.local_path(VOL) and image.size == GiB
        else:
            assert sum(len(c) for c in image.chunks()) == image.size
        tmp = image.path
    if fmt != 'raw':
        assert not os.path.exists(tmp)
    assert listing(driver) == ['volume-%s' % VOL]
    with pytest.raises(base.InvalidInput):
        with driver.copy_volume_to_image(vol(), 'iso'):
            pass


def test_concurrent_attachments_make_one_target(driver, fake_tgt):
    import threading
    driver.create_volume(vol())
    update = driver.create_export(vol())
    fake_tgt.restart()                  # all find no target and must not each make one
    fake_tgt.delay = 0.002
    hosts = [dict(HOST1, initiator='iqn.2024-01.org.cirrostack:h%d' % i) for i in range(4)]
    errors = []

    def attach(connector):
        try:
            driver.initialize_connection(vol(**update), connector)
        except Exception as exc:        # reported below
            errors.append(exc)

    threads = [threading.Thread(target=attach, args=(h,)) for h in hosts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    (target,) = fake_tgt.targets.values()
    assert sorted(target['acl']) == sorted(h['initiator'] for h in hosts)
