"""Admin views through the engine, the real worker and the fake driver: diagnostics of a
running server, the migration record of a resize, and an aggregate's availability zone
followed by the scheduler."""
import pytest

import compute_core_fakes as fakes
from compute import exceptions
from compute.db import aggregates
from compute.db import compute_nodes
from compute.db import instances as instances_db
from compute.db import migration_records
from test_compute_core_actions import act, settled
from test_compute_core_boot import active, boot, wait_for


def test_diagnostics_from_the_worker_and_409_when_not_running(engine, db):
    _, [server] = boot(engine)
    server = wait_for(engine, server['uuid'], active)
    data = engine.get_diagnostics(fakes.ctx(admin=True), server)
    assert data['state'] == 'running' and data['num_cpus'] == 1
    assert data['memory_details'] == {'maximum': 128, 'used': 128}
    assert data['num_nics'] == 1 and data['nic_details'][0]['mac_address']
    assert data['uptime'] is not None and data['uptime'] >= 0
    instances_db.update(db, server['uuid'], {'vm_state': 'stopped'})
    with pytest.raises(exceptions.InstanceInvalidState):
        engine.get_diagnostics(fakes.ctx(admin=True),
                               engine.get(fakes.ctx(admin=True), server['uuid']))


def test_a_resize_leaves_a_migration_record(engine, db):
    _, [server] = boot(engine)
    server = wait_for(engine, server['uuid'], active)
    fakes.add_flavor(db, flavorid='2', name='m1.micro', memory_mb=256, vcpus=2, root_gb=2)
    act(engine, server, 'resize', flavor_ref='2')
    wait_for(engine, server['uuid'], settled('VERIFY_RESIZE'))
    [mig] = migration_records.list_(db, {'instance_uuid': server['uuid']})
    assert (mig['migration_type'], mig['status']) == ('resize', 'finished')
    assert mig['source_compute'] == mig['dest_compute'] == 'host1'
    assert mig['old_instance_type_id'] != mig['new_instance_type_id']
    act(engine, server, 'confirm_resize')
    wait_for(engine, server['uuid'], settled('ACTIVE'))
    assert migration_records.list_(db, {'host': 'host1'})[0]['status'] == 'confirmed'
    assert migration_records.list_(db, {'host': 'other'}) == []
    assert migration_records.in_progress(db, server['uuid']) == []


def test_aggregate_zone_is_the_hosts_zone_for_the_scheduler(engine, cloud, db, conf):
    cloud.add_worker('host2')
    _, [first] = boot(engine)          # the scheduler has read (and keeps) the node sizes
    wait_for(engine, first['uuid'], active)
    agg = aggregates.create(db, 'fast', 'az-fast')
    aggregates.add_host(db, agg['id'], 'host2', 'nova')
    # a worker's report keeps the aggregate's zone
    cloud.workers['host2']._update_available_resource()
    zones = {n['host']: n['availability_zone'] for n in compute_nodes.list_(db)}
    assert zones == {'host1': 'nova', 'host2': 'az-fast'}
    _, [server] = boot(engine, availability_zone='az-fast')
    server = wait_for(engine, server['uuid'], active)
    assert server['host'] == 'host2' and server['availability_zone'] == 'az-fast'
    # host2 now has a server: its zone cannot move under it
    with pytest.raises(Exception) as err:
        aggregates.update(db, agg['id'], {'availability_zone': 'elsewhere'}, 'nova')
    assert getattr(err.value, 'code', None) == 400
