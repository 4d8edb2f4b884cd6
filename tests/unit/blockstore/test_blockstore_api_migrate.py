"""Volume migration between two file backends (the second one the ``backend2`` section):
the data moves to the other backend's storage and the volume's host changes."""
import os
import time

import pytest

from blockstore import services as blockstore_services
from blockstore.drivers import file as file_driver
from blockstore.drivers import tgt as tgt_mod
from blockstore.volume import manager as volume_manager


@pytest.fixture
def second(cloud, tmp_path):
    conf = cloud.conf
    conf.set_override('volumes_dir', str(tmp_path / 'volumes2'), 'backend2')
    conf.set_override('volume_backend_name', 'file2', 'backend2')
    driver = file_driver.FileDriver(volume_manager.backend_settings(conf, 'backend2'),
                                    tgt=tgt_mod.TgtAdm(runner=cloud.tgt))
    services = blockstore_services.volume_services(
        conf, executor='threading', groups=['backend2'], driver=driver,
        image_source=cloud.images, backup_store=cloud.store)
    for svc in services:
        svc.start()
    admin = cloud.admin()
    deadline = time.monotonic() + 20
    while len(cloud.ok('GET', '/scheduler-stats/get_pools', token=admin)['pools']) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    yield driver
    for svc in services:
        svc.stop()
    for svc in services:
        svc.wait()


def _migrate(cloud, vol, host, token, **extra):
    return cloud.call('POST', '/volumes/%s/action' % vol['id'], {
        'os-migrate_volume': dict({'host': host, 'force_host_copy': False,
                                   'lock_volume': True}, **extra)}, token=token)


def test_migrate_moves_data_and_host(cloud, second):
    admin = cloud.admin()
    vol = cloud.volume(1)
    source = cloud.driver.local_path(vol['id'])
    with open(source, 'r+b') as f:
        f.seek(5 * 1024 * 1024)
        f.write(b'moved data')
    shown = cloud.ok('GET', '/volumes/%s' % vol['id'], token=admin)['volume']
    assert shown['os-vol-host-attr:host'] == 'node1@file1#file1'
    assert shown['migration_status'] is None
    # members may not; the same backend, an unknown one and clusters are refused
    assert _migrate(cloud, vol, 'node1@file2#file2', None)[0] == 403
    code, fault = _migrate(cloud, vol, 'node1@file1#file1', admin)
    assert code == 400 and 'different' in fault['badRequest']['message']
    assert _migrate(cloud, vol, 'node1@nope', admin)[0] == 400
    assert _migrate(cloud, vol, '../x', admin)[0] == 400
    code, _ = _migrate(cloud, vol, 'node1@file2#file2', admin)
    assert code == 202
    deadline = time.monotonic() + 20
    while True:
        shown = cloud.ok('GET', '/volumes/%s' % vol['id'], token=admin)['volume']
        if shown['migration_status'] in ('success', 'error'):
            break
        assert time.monotonic() < deadline, shown
        time.sleep(0.05)
    assert shown['migration_status'] == 'success' and shown['status'] == 'available'
    assert shown['os-vol-host-attr:host'] == 'node1@file2#file2'
    assert not os.path.exists(source)
    with open(second.local_path(vol['id']), 'rb') as f:
        f.seek(5 * 1024 * 1024)
        assert f.read(10) == b'moved data'
        f.seek(0, 2)
        assert f.tell() == 1024 ** 3
    # a member does not see where it lives nor the migration state
    mine = cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']
    assert 'os-vol-host-attr:host' not in mine and 'migration_status' not in mine
    # it lives on: snapshots and deletion are the new backend's
    snap = cloud.ok('POST', '/snapshots', {'snapshot': {'volume_id': vol['id']}})['snapshot']
    assert cloud.wait('snapshot', snap['id'], ('available', 'error'))['status'] == 'available'
    cloud.ok('DELETE', '/snapshots/%s' % snap['id'])
    cloud.wait('snapshot', snap['id'], ('deleted',))
    cloud.ok('DELETE', '/volumes/%s' % vol['id'])
    cloud.wait('volume', vol['id'], ('deleted',))
    assert not os.path.exists(second.local_path(vol['id']))


def test_migrate_refusals(cloud, second):
    admin = cloud.admin()
    vol = cloud.volume(1)
    snap = cloud.ok('POST', '/snapshots', {'snapshot': {'volume_id': vol['id']}})['snapshot']
    cloud.wait('snapshot', snap['id'], ('available',))
    code, fault = _migrate(cloud, vol, 'node1@file2', admin)
    assert code == 400 and 'snapshots' in fault['badRequest']['message']
    attached = cloud.volume(1)
    cloud.ok('POST', '/volumes/%s/action' % attached['id'], {'os-reset_status': {
        'status': 'in-use'}}, token=admin)
    code, fault = _migrate(cloud, attached, 'node1@file2', admin)
    assert code == 400 and 'online migration' in fault['badRequest']['message']


def test_migrate_completion_refused_without_target(cloud):
    admin = cloud.admin()
    one, two = cloud.volume(1), cloud.volume(1)
    path = '/volumes/%s/action' % one['id']
    body = {'os-migrate_volume_completion': {'new_volume': two['id'], 'error': False}}
    assert cloud.call('POST', path, body)[0] == 403
    code, fault = cloud.call('POST', path, body, token=admin)
    assert code == 400 and 'not mid-migration' in fault['badRequest']['message']
    assert cloud.call('POST', path, {'os-migrate_volume_completion': {}},
                      token=admin)[0] == 400
