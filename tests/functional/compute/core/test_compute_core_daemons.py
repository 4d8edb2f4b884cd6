"""Boot and delete through real daemons: compute-api -> conductor -> scheduler -> worker
(fake virt driver) with the real image and network services, RabbitMQ and SQLite; the
port-up event travels network-api -> compute-api -> worker as in a real cloud."""
import time
import uuid

import pytest
import requests

from common import context
from common import rpc
from network import rpcapi as network_rpcapi

pytestmark = pytest.mark.timeout(300)


def wait(predicate, timeout=60, what='condition'):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError('timed out waiting for %s' % what)


@pytest.fixture(scope='module')
def world(stack):
    """A public image, a flavor and the demo project's network."""
    s = stack
    image = s.call('POST', 'image', '/v2/images', s.admin, {
        'name': 'guest', 'disk_format': 'raw', 'container_format': 'bare',
        'visibility': 'public'}).json()
    requests.put(s.urls['image'] + '/v2/images/%s/file' % image['id'], data=b'\0' * 4096,
                 headers={'X-Auth-Token': s.admin, 'Content-Type': 'application/octet-stream'},
                 timeout=60).raise_for_status()
    flavor = s.call('POST', 'compute', '/v2.1/flavors', s.admin, {'flavor': {
        'name': 'm1.nano', 'ram': 128, 'vcpus': 1, 'disk': 1, 'id': '42'}}).json()['flavor']
    net = s.call('POST', 'network', '/v2.0/networks', s.demo,
                 {'network': {'name': 'private'}}).json()['network']
    s.call('POST', 'network', '/v2.0/subnets', s.demo, {'subnet': {
        'network_id': net['id'], 'cidr': '10.9.0.0/24', 'ip_version': 4}})
    return {'image': image['id'], 'flavor': flavor['id'], 'net': net['id']}


def play_bridge_agent(stack, server_id):
    """Report the server's bound port ACTIVE, as the bridge agent does once it plugged
    the tap; returns the port."""
    def bound_port():
        ports = stack.call('GET', 'network', '/v2.0/ports?device_id=%s' % server_id,
                           stack.admin).json()['ports']
        return ports[0] if ports and ports[0].get('binding:host_id') == 'cmp1' else None
    port = wait(bound_port, what='a port bound to cmp1')
    transport = rpc.get_transport(stack.amqp)
    try:
        plugin = network_rpcapi.PluginApi(transport, timeout=30)
        assert plugin.update_port_status(context.RequestContext.admin_context(),
                                         port['id'], 'ACTIVE', 'cmp1') is True
    finally:
        transport.cleanup()
    return port


def server_of(stack, server_id, token=None):
    resp = stack.call('GET', 'compute', '/v2.1/servers/%s' % server_id,
                      token or stack.demo, ok=False)
    return resp.json().get('server') if resp.status_code == 200 else None


def test_boot_to_active_then_delete_leaves_nothing(stack, world):
    s = stack
    created = s.call('POST', 'compute', '/v2.1/servers', s.demo, {'server': {
        'name': 'vm1', 'imageRef': world['image'], 'flavorRef': world['flavor'],
        'networks': [{'uuid': world['net']}]}}).json()['server']
    server_id = created['id']
    port = play_bridge_agent(s, server_id)
    server = wait(lambda: (server_of(s, server_id) or {}).get('status') == 'ACTIVE'
                  and server_of(s, server_id), timeout=60, what='ACTIVE')
    assert server['addresses']['private'][0]['addr'] == port['fixed_ips'][0]['ip_address']
    assert server['OS-EXT-STS:power_state'] == 1
    events = s.call('GET', 'compute', '/v2.1/servers/%s/os-instance-actions' % server_id,
                    s.demo).json()['instanceActions']
    assert [a['action'] for a in events] == ['create']

    s.call('DELETE', 'compute', '/v2.1/servers/%s' % server_id, s.demo)
    wait(lambda: server_of(s, server_id) is None, what='the server gone')
    ports = s.call('GET', 'network', '/v2.0/ports?device_id=%s' % server_id,
                   s.admin).json()['ports']
    assert ports == []
    # The worker reports the host's usage every 30 s: the figure follows within that.
    wait(lambda: s.call('GET', 'compute', '/v2.1/os-hypervisors/detail', s.admin).json()[
        'hypervisors'][0]['running_vms'] in (0, None), timeout=45,
        what='running_vms back to 0')


def test_unknown_image_is_400_and_leaves_nothing(stack, world):
    s = stack
    resp = s.call('POST', 'compute', '/v2.1/servers', s.demo, {'server': {
        'name': 'bad', 'imageRef': str(uuid.uuid4()), 'flavorRef': world['flavor'],
        'networks': [{'uuid': world['net']}]}}, ok=False)
    assert resp.status_code == 400, resp.text
    assert 'could not be found' in resp.json()['badRequest']['message']
    listed = s.call('GET', 'compute', '/v2.1/servers', s.demo).json()['servers']
    assert [x for x in listed if x['name'] == 'bad'] == []


def _zones(stack):
    return {z['zoneName'] for z in stack.call('GET', 'compute', '/v2.1/os-availability-zone',
                                              stack.demo).json()['availabilityZoneInfo']}


def test_aggregate_zone_resize_migration_and_diagnostics(stack, world):
    """An aggregate's AZ becomes cmp1's zone (kept across the worker's reports) and the
    scheduler places a server asked in it there; diagnostics come from the worker; a
    resize leaves a migration record os-migrations lists."""
    s = stack
    agg = s.call('POST', 'compute', '/v2.1/os-aggregates', s.admin, {'aggregate': {
        'name': 'func-agg', 'availability_zone': 'az-func'}}).json()['aggregate']
    act = '/v2.1/os-aggregates/%d/action' % agg['id']
    s.call('POST', 'compute', act, s.admin, {'add_host': {'host': 'cmp1'}})
    time.sleep(5)                        # two resource reports of the worker
    assert _zones(s) == {'az-func'}
    created = s.call('POST', 'compute', '/v2.1/servers', s.demo, {'server': {
        'name': 'vm-az', 'imageRef': world['image'], 'flavorRef': world['flavor'],
        'availability_zone': 'az-func', 'networks': [{'uuid': world['net']}]}}).json()[
        'server']
    server_id = created['id']
    play_bridge_agent(s, server_id)
    server = wait(lambda: (server_of(s, server_id) or {}).get('status') == 'ACTIVE'
                  and server_of(s, server_id), what='ACTIVE')
    assert server['OS-EXT-AZ:availability_zone'] == 'az-func'
    v248 = {'OpenStack-API-Version': 'compute 2.48'}
    diag = s.call('GET', 'compute', '/v2.1/servers/%s/diagnostics' % server_id, s.admin,
                  headers=v248).json()
    assert diag['state'] == 'running' and diag['num_cpus'] == 1 and diag['num_nics'] == 1
    assert s.call('GET', 'compute', '/v2.1/servers/%s/diagnostics' % server_id, s.demo,
                  ok=False).status_code == 403

    s.call('POST', 'compute', '/v2.1/flavors', s.admin, {'flavor': {
        'name': 'm1.micro', 'ram': 256, 'vcpus': 1, 'disk': 2, 'id': '43'}})
    s.call('POST', 'compute', '/v2.1/servers/%s/action' % server_id, s.demo,
           {'resize': {'flavorRef': '43'}})
    wait(lambda: (server_of(s, server_id) or {}).get('status') == 'VERIFY_RESIZE',
         what='VERIFY_RESIZE')
    v280 = {'OpenStack-API-Version': 'compute 2.80'}

    def migration():
        found = [m for m in s.call('GET', 'compute', '/v2.1/os-migrations', s.admin,
                                   headers=v280).json()['migrations']
                 if m['instance_uuid'] == server_id]
        return found[0] if len(found) == 1 else None
    mig = migration()
    assert (mig['migration_type'], mig['status'], mig['source_compute'],
            mig['dest_compute']) == ('resize', 'finished', 'cmp1', 'cmp1')
    assert mig['new_instance_type_id'] != mig['old_instance_type_id']
    s.call('POST', 'compute', '/v2.1/servers/%s/action' % server_id, s.demo,
           {'confirmResize': None})
    wait(lambda: (migration() or {}).get('status') == 'confirmed', what='confirmed')
    # the zone of a host with servers does not move under them
    assert s.call('PUT', 'compute', '/v2.1/os-aggregates/%d' % agg['id'], s.admin,
                  {'aggregate': {'availability_zone': 'elsewhere'}},
                  ok=False).status_code == 400

    s.call('DELETE', 'compute', '/v2.1/servers/%s' % server_id, s.demo)
    wait(lambda: server_of(s, server_id) is None, what='the server gone')
    s.call('POST', 'compute', act, s.admin, {'remove_host': {'host': 'cmp1'}})
    s.call('DELETE', 'compute', '/v2.1/os-aggregates/%d' % agg['id'], s.admin)
    assert _zones(s) == {'nova'}


def test_killed_worker_mid_build_ends_in_error_not_build(stack, world):
    """kill -9 of the worker while a build waits for its port: after the restart the
    server is ERROR with a fault, and its port is gone."""
    s = stack
    created = s.call('POST', 'compute', '/v2.1/servers', s.demo, {'server': {
        'name': 'vm-killed', 'imageRef': world['image'], 'flavorRef': world['flavor'],
        'networks': [{'uuid': world['net']}]}}).json()['server']
    server_id = created['id']
    wait(lambda: s.call('GET', 'network', '/v2.0/ports?device_id=%s' % server_id,
                        s.admin).json()['ports'], what='the port')
    s.procs['compute-worker'].kill()
    s.start_compute('worker')
    server = wait(lambda: (server_of(s, server_id) or {}).get('status') == 'ERROR'
                  and server_of(s, server_id), timeout=90, what='ERROR')
    assert 'restart' in server['fault']['message']
    wait(lambda: s.call('GET', 'network', '/v2.0/ports?device_id=%s' % server_id,
                        s.admin).json()['ports'] == [], what='the port deleted')
    s.call('DELETE', 'compute', '/v2.1/servers/%s' % server_id, s.demo)
    wait(lambda: server_of(s, server_id) is None, what='the server gone')


@pytest.mark.parametrize('role', ['conductor', 'scheduler'])
def test_killed_conductor_or_scheduler_mid_boots_leaves_none_in_build(stack, world, role):
    """kill -9 of compute-conductor or compute-scheduler right after five servers were
    asked for, started again at once (as the supervisor does): each server ends ACTIVE,
    or ERROR with a fault; none stays in BUILD."""
    s = stack
    s.call('POST', 'compute', '/v2.1/servers', s.demo, {'server': {
        'name': 'vm-kill-%s' % role, 'imageRef': world['image'],
        'flavorRef': world['flavor'], 'networks': [{'uuid': world['net']}],
        'min_count': 5, 'max_count': 5}})
    s.procs['compute-%s' % role].kill()
    s.start_compute(role)
    transport = rpc.get_transport(s.amqp)
    plugin = network_rpcapi.PluginApi(transport, timeout=30)
    reported = set()
    try:
        deadline = time.monotonic() + 240
        while True:
            servers = [x for x in s.call('GET', 'compute', '/v2.1/servers/detail', s.demo)
                       .json()['servers'] if x['name'].startswith('vm-kill-%s' % role)]
            for server in servers:       # the bridge agent's part: plugged ports go up
                for port in s.call('GET', 'network', '/v2.0/ports?device_id=%s'
                                   % server['id'], s.admin).json()['ports']:
                    if port.get('binding:host_id') == 'cmp1' and port['id'] not in reported:
                        plugin.update_port_status(context.RequestContext.admin_context(),
                                                  port['id'], 'ACTIVE', 'cmp1')
                        reported.add(port['id'])
            statuses = sorted(x['status'] for x in servers)
            if len(servers) == 5 and all(st in ('ACTIVE', 'ERROR') for st in statuses):
                break
            assert time.monotonic() < deadline, 'still building: %s' % statuses
            time.sleep(1)
        for server in servers:
            if server['status'] == 'ERROR':
                assert server.get('fault', {}).get('message'), server
        print('\n[kill -9 compute-%s during 5 boots] %s' % (role, statuses))
    finally:
        transport.cleanup()
        for server in s.call('GET', 'compute', '/v2.1/servers', s.demo).json()['servers']:
            if server['name'].startswith('vm-kill-'):
                s.call('DELETE', 'compute', '/v2.1/servers/%s' % server['id'], s.demo,
                       ok=False)
        wait(lambda: not [x for x in s.call('GET', 'compute', '/v2.1/servers', s.demo)
                          .json()['servers'] if x['name'].startswith('vm-kill-')],
             timeout=120, what='the servers gone')
