"""A volume daemon killed mid-operation: at its next start every volume, snapshot and
backup it owned ends in a stable state, orphan data goes and in-use exports come back."""
import os

from blockstore.db import api as db_api
from blockstore.db import models
from blockstore.state import BlockstoreState
from blockstore.volume import manager as volume_manager

CONNECTOR = {'initiator': 'iqn.2024-01.org.cirrostack:node1', 'ip': '192.0.2.10',
             'host': 'node1'}


def restart(cloud):
    state = BlockstoreState.get(cloud.conf)
    mgr = volume_manager.VolumeManager(cloud.conf, state, driver=cloud.driver,
                                       image_source=cloud.images, backup_store=cloud.store)
    mgr.init_host()
    return mgr


def test_restart_settles_transitional_states(cloud):
    db = BlockstoreState.get(cloud.conf).db
    creating = cloud.volume(1)
    deleting = cloud.volume(1)
    extending = cloud.volume(1)
    attached = cloud.volume(1)
    act = '/volumes/%s/action' % attached['id']
    cloud.ok('POST', act, {'os-reserve': {}})
    cloud.ok('POST', act, {'os-initialize_connection': {'connector': CONNECTOR}}, status=200)
    cloud.ok('POST', act, {'os-attach': {'mountpoint': '/dev/vdb'}})
    snap = cloud.ok('POST', '/snapshots', {'snapshot': {'volume_id': extending['id']}})
    snap = cloud.wait('snapshot', snap['snapshot']['id'], ('available',))
    # What a kill -9 in the middle of each operation leaves behind:
    db_api.update(db, models.Volume, creating['id'], status='creating')
    db_api.update(db, models.Volume, deleting['id'], status='deleting')
    db_api.update(db, models.Volume, extending['id'], status='extending')
    db_api.update(db, models.Snapshot, snap['id'], status='creating')
    orphan = cloud.driver.local_path('0badf00d-0000-4000-8000-000000000000')
    with open(orphan, 'wb') as f:
        f.truncate(1024)
    cloud.tgt.restart()  # tgtd lost its targets too
    restart(cloud)
    assert cloud.wait('volume', creating['id'], ('error',))['status'] == 'error'
    cloud.wait('volume', deleting['id'], ('deleted',))
    assert not os.path.exists(cloud.driver.local_path(deleting['id']))
    assert cloud.wait('volume', extending['id'], ('available',))['size'] == 1
    assert cloud.wait('snapshot', snap['id'], ('error',))['status'] == 'error'
    assert not os.path.exists(orphan)
    # The attached volume's target is back for compute to log in again.
    exports = [e['volume_id'] for e in cloud.driver.list_exports()]
    assert exports == [attached['id']]
    assert cloud.ok('GET', '/volumes/%s' % attached['id'])['volume']['status'] == 'in-use'


def test_scheduler_restart_places_volumes_it_never_placed(cloud):
    from blockstore.scheduler.manager import SchedulerManager
    db = BlockstoreState.get(cloud.conf).db
    vol = cloud.volume(1)
    # As if the scheduler died holding the request: creating, on no pool.
    db_api.update(db, models.Volume, vol['id'], status='creating', host=None)
    cloud.driver.delete_volume({'id': vol['id'], 'size': 1})
    SchedulerManager(cloud.conf, BlockstoreState.get(cloud.conf)).init_host()
    assert cloud.wait('volume', vol['id'], ('available', 'error'))['status'] == 'available'
    assert os.path.exists(cloud.driver.local_path(vol['id']))
