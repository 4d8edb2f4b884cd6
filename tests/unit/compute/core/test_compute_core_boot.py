"""The boot path in process: engine -> conductor -> scheduler -> worker (fake driver),
over the in-memory RPC bus, with fake image and network services."""
import time

import pytest

import compute_core_fakes as fakes
from common import exceptions as exc
from compute import exceptions
from compute.db import claims
from compute.db import compute_nodes
from compute.db import instance_actions


def wait_for(engine, uuid, predicate, timeout=45):
    deadline = time.monotonic() + timeout
    server = None
    while time.monotonic() < deadline:
        server = engine.get(fakes.ctx(admin=True), uuid, show_deleted=True)
        if predicate(server):
            return server
        time.sleep(0.05)
    raise AssertionError('server never reached the state: %s/%s fault=%s' % (
        server and server['vm_state'], server and server['task_state'],
        server and server.get('fault')))


def boot(engine, **extra):
    req = {'name': 'vm1', 'image_ref': fakes.IMAGE_ID, 'flavor_ref': '1',
           'networks': [{'uuid': fakes.NET_ID}]}
    req.update(extra)
    return engine.create_servers(fakes.ctx(), req)


def active(server):
    return server['status'] == 'ACTIVE' and server['task_state'] is None


def test_boot_reaches_active_with_a_bound_port(engine, cloud):
    _, servers = boot(engine)
    assert servers[0]['status'] == 'BUILD'
    server = wait_for(engine, servers[0]['uuid'], active)
    assert server['host'] == 'host1' and server['power_state'] == 1
    [vif] = server['network_info']
    port = cloud.network_api.ports[vif['port_id']]
    assert port['binding:host_id'] == 'host1' and port['device_id'] == server['uuid']
    assert vif['fixed_ips'][0]['address'].startswith('10.0.0.')
    assert cloud.workers['host1'].driver.servers[server['uuid']].state == 1
    request_id = instance_actions.list_actions(engine.db, server['uuid'])[0]['request_id']
    deadline = time.monotonic() + 10      # action events are casts: they may trail
    while True:
        action = instance_actions.get_action(engine.db, server['uuid'], request_id)
        if action['events'] and action['events'][0]['result'] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [e['event'] for e in action['events']] == ['compute_build_and_run_instance']
    assert action['events'][0]['result'] == 'Success'


def test_delete_removes_domain_port_claim_and_row(engine, cloud):
    _, [server] = boot(engine)
    server = wait_for(engine, server['uuid'], active)
    port_id = server['network_info'][0]['port_id']
    engine.delete(fakes.ctx(), server)
    wait_for(engine, server['uuid'], lambda s: s['deleted'])
    assert server['uuid'] not in cloud.workers['host1'].driver.servers
    assert port_id not in cloud.network_api.ports
    node = compute_nodes.list_(engine.db)[0]
    assert node['vcpus_claimed'] == 0 and node['instances_claimed'] == 0
    with pytest.raises(exceptions.InstanceNotFound):
        engine.get(fakes.ctx(), server['uuid'])


def test_vif_timeout_goes_error_with_fault_and_cleans_up(conf, db):
    conf.set_override('vif_plugging_timeout', 1, 'compute')
    cloud = fakes.Cloud(conf, db, plug_ports=False)
    try:
        from compute import engine as engine_mod
        engine = engine_mod.Engine(conf, db, cloud.transport, cloud.image_api,
                                   cloud.network_api)
        _, [server] = boot(engine)
        server = wait_for(engine, server['uuid'], lambda s: s['vm_state'] == 'error')
        assert 'network-vif-plugged' in server['fault']['message']
        assert server['uuid'] not in cloud.workers['host1'].driver.servers
        assert cloud.network_api.ports == {}
        assert claims.release(db, server['uuid']) is False   # already released
    finally:
        cloud.stop()


def test_failed_spawn_is_retried_on_another_host(conf, db):
    cloud = fakes.Cloud(conf, db, hosts=('host1', 'host2'))
    try:
        from compute import engine as engine_mod
        from compute.drivers import base
        engine = engine_mod.Engine(conf, db, cloud.transport, cloud.image_api,
                                   cloud.network_api)
        for worker in cloud.workers.values():
            worker.driver.fail_next('spawn', base.VirtError('disk full'))
        # Both hosts fail once: the third attempt has no host left -> ERROR.
        _, [server] = boot(engine)
        server = wait_for(engine, server['uuid'], lambda s: s['vm_state'] == 'error')
        assert 'disk full' in server['fault']['message'] or \
            'No valid host' in server['fault']['message']
        assert cloud.network_api.ports == {}
        # One host failing: the retry lands on the other.
        cloud.workers['host1'].driver.fail_next('spawn', base.VirtError('boom'))
        _, [server] = boot(engine, name='vm2')
        server = wait_for(engine, server['uuid'], active)
        assert server['host'] == 'host2' and server['retry_hosts'] == ['host1']
        assert len(cloud.network_api.ports) == 1
    finally:
        cloud.stop()


def test_no_valid_host_is_error_with_fault(engine, db):
    fakes.add_flavor(db, flavorid='huge', name='huge', memory_mb=50000, vcpus=1)
    _, [server] = engine.create_servers(fakes.ctx(), {
        'name': 'big', 'image_ref': fakes.IMAGE_ID, 'flavor_ref': 'huge', 'networks': 'none'})
    server = wait_for(engine, server['uuid'], lambda s: s['vm_state'] == 'error')
    assert 'No valid host' in server['fault']['message']


@pytest.mark.parametrize('req, message', [
    ({'flavor_ref': 'nope'}, "Flavor 'nope' could not be found"),
    ({'image_ref': 'aaaaaaaa-1111-1111-1111-111111111111'}, 'could not be found'),
    ({'networks': [{'uuid': 'aaaaaaaa-1111-1111-1111-111111111111'}]}, 'Network'),
    ({'key_name': 'nokey'}, 'Invalid key_name'),
    ({'security_groups': ['missing']}, 'Unable to find'),
    ({'user_data': '%%%'}, 'Userdata'),
    ({'availability_zone': 'elsewhere'}, 'availability zone'),
])
def test_bad_create_requests_are_400_and_leave_nothing(engine, cloud, req, message):
    body = {'name': 'x', 'image_ref': fakes.IMAGE_ID, 'flavor_ref': '1',
            'networks': [{'uuid': fakes.NET_ID}]}
    body.update(req)
    with pytest.raises(exc.BadRequest) as info:
        engine.create_servers(fakes.ctx(), body)
    assert message in str(info.value)
    assert engine.list_(fakes.ctx()) == []
    assert cloud.network_api.ports == {}


def test_quota_exceeded_is_403(engine):
    from compute.db import quotas
    quotas.set_limits(engine.db, fakes.PROJECT, {'instances': 1})
    boot(engine)
    with pytest.raises(exceptions.QuotaExceeded) as info:
        boot(engine, name='vm2')
    assert info.value.code == 403 and 'instances' in str(info.value)


def test_multi_create_names_and_reservation(engine):
    reservation, servers = boot(engine, networks='none', min_count=2, max_count=3)
    assert [s['display_name'] for s in servers] == ['vm1-1', 'vm1-2', 'vm1-3']
    for s in servers:
        wait_for(engine, s['uuid'], active)
    listed = engine.list_(fakes.ctx(), {'reservation_id': reservation})
    assert len(listed) == 3


def test_delete_racing_the_build_leaves_nothing(conf, db):
    """Deletes at every step of a build: right after create (scheduling), and while the
    worker waits for its port; each server goes away with its port and domain."""
    cloud = fakes.Cloud(conf, db, plug_ports=False)
    try:
        from compute import engine as engine_mod
        engine = engine_mod.Engine(conf, db, cloud.transport, cloud.image_api,
                                   cloud.network_api)
        _, [early] = boot(engine, name='early')
        engine.delete(fakes.ctx(), early)
        _, [waiting] = boot(engine, name='waiting')
        wait_for(engine, waiting['uuid'], lambda s: s['task_state'] == 'spawning')
        engine.delete(fakes.ctx(), engine.get(fakes.ctx(), waiting['uuid']))
        for server in (early, waiting):
            wait_for(engine, server['uuid'], lambda s: s['deleted'])
        deadline = time.monotonic() + 20
        while cloud.network_api.ports and time.monotonic() < deadline:
            time.sleep(0.1)
        assert cloud.network_api.ports == {}
        assert cloud.workers['host1'].driver.servers == {}
        assert compute_nodes.list_(db)[0]['instances_claimed'] == 0
    finally:
        cloud.stop()
