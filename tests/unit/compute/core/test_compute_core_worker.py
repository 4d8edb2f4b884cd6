"""Worker: power-state sync, recovery after a restart, orphan domains."""
import compute_core_fakes as fakes
from compute import states
from compute.db import claims
from compute.db import compute_nodes
from compute.db import instances as instances_db
from compute.drivers import power_state
from test_compute_core_boot import active, boot, wait_for


def test_guest_dying_inside_shows_shutoff(engine, cloud):
    _, [server] = boot(engine)
    wait_for(engine, server['uuid'], active)
    worker = cloud.workers['host1']
    worker.driver.set_power_state(server['uuid'], power_state.SHUTDOWN)
    worker._sync_power_states()
    got = engine.get(fakes.ctx(), server['uuid'])
    assert got['status'] == 'SHUTOFF' and got['power_state'] == power_state.SHUTDOWN


def test_stopped_server_running_again_is_stopped(engine, cloud):
    _, [server] = boot(engine)
    wait_for(engine, server['uuid'], active)
    instances_db.update(engine.db, server['uuid'], {'vm_state': states.STOPPED})
    worker = cloud.workers['host1']
    worker._sync_power_states()
    assert worker.driver.servers[server['uuid']].state == power_state.SHUTDOWN


def test_restart_recovery_settles_every_interrupted_state(engine, cloud, db):
    worker = cloud.workers['host1']
    uuids = []
    for name in ('deleting', 'building', 'rebooting', 'pausing'):
        _, [server] = boot(engine, name=name)
        wait_for(engine, server['uuid'], active)
        uuids.append(server['uuid'])
    deleting, building, rebooting, pausing = uuids
    # Simulate a worker killed in the middle of each task.
    instances_db.update(db, deleting, {'task_state': states.DELETING})
    instances_db.update(db, building, {'vm_state': states.BUILDING,
                                       'task_state': states.SPAWNING})
    instances_db.update(db, rebooting, {'task_state': states.REBOOTING_HARD})
    worker.driver.pause(pausing)
    instances_db.update(db, pausing, {'task_state': states.PAUSING})
    # A domain of a deleted server of this cloud, and one this cloud does not know.
    _, [gone] = boot(engine, name='gone')
    wait_for(engine, gone['uuid'], active)
    instances_db.soft_delete(db, gone['uuid'])     # as if deleted while the host was down
    claims.release(db, gone['uuid'])
    foreign = '99999999-0000-0000-0000-000000000001'
    worker.driver.spawn({'uuid': foreign, 'name': 'x', 'flavor': {
        'id': '1', 'name': 'f', 'vcpus': 1, 'memory_mb': 64, 'root_gb': 0}},
        {'id': fakes.IMAGE_ID}, [])

    worker.init_host()

    assert engine.get(fakes.ctx(), deleting, show_deleted=True)['deleted']
    built = engine.get(fakes.ctx(), building)
    assert built['status'] == 'ERROR' and 'restart' in built['fault']['message']
    assert building not in worker.driver.servers
    assert engine.get(fakes.ctx(), rebooting)['status'] == 'ACTIVE'
    paused = engine.get(fakes.ctx(), pausing)
    assert paused['status'] == 'PAUSED' and paused['task_state'] is None
    assert gone['uuid'] not in worker.driver.servers
    assert foreign in worker.driver.servers
    # Claims follow: two servers left on the host (rebooting, pausing).
    assert compute_nodes.list_(db)[0]['instances_claimed'] == 2
