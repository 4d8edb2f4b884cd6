"""Admin APIs in-process: os-aggregates, os-hosts, os-migrations and server migrations,
os-instance_usage_audit_log and server diagnostics (policy, validation, microversions)."""
import datetime
import uuid

import pytest

from compute.api import state as state_mod
from compute.db import compute_nodes
from compute.db import instances as instances_db
from compute.db import models
from compute.db import services
from compute.drivers import fake as fake_driver
from test_compute_api_servers import boot, sapi  # noqa: F401 (fixture)

AGG = '/v2.1/os-aggregates'


def _hosts(conf, *hosts):
    db = state_mod.get(conf).db
    for host in hosts:
        services.report(db, 'compute-worker', host)
        compute_nodes.upsert(db, host, {'hypervisor_hostname': host, 'vcpus': 4,
                                        'memory_mb': 4096, 'local_gb': 40})
    services.report(db, 'compute-scheduler', 'ctl')
    return db


def test_aggregate_lifecycle_and_zone(api, compute_conf_obj):
    _hosts(compute_conf_obj, 'h1', 'h2')
    a = api.admin
    made = api.ok('POST', AGG, {'aggregate': {'name': 'agg1', 'availability_zone': 'az1'}},
                  token=a, version='2.41')['aggregate']
    assert set(made) == {'id', 'uuid', 'name', 'availability_zone', 'created_at',
                         'updated_at', 'deleted', 'deleted_at'}
    assert 'uuid' not in api.ok('GET', AGG, token=a)['aggregates'][0]
    path = '%s/%d' % (AGG, made['id'])
    act = path + '/action'
    got = api.ok('POST', act, {'add_host': {'host': 'h1'}}, token=a)['aggregate']
    assert got['hosts'] == ['h1'] and got['metadata'] == {'availability_zone': 'az1'}
    zones = api.ok('GET', '/v2.1/os-availability-zone')['availabilityZoneInfo']
    assert {z['zoneName'] for z in zones} == {'az1', 'nova'}
    # the same host in another aggregate with another zone: 409 (400 through metadata)
    other = api.ok('POST', AGG, {'aggregate': {'name': 'agg2', 'availability_zone': 'az2'}},
                   token=a)['aggregate']
    opath = '%s/%d' % (AGG, other['id'])
    assert api.call('POST', opath + '/action', {'add_host': {'host': 'h1'}},
                    token=a)[0] == 409
    api.ok('POST', opath + '/action', {'add_host': {'host': 'h2'}}, token=a)
    assert api.call('POST', act, {'set_metadata': {'metadata': {
        'availability_zone': None}}}, token=a)[0] == 200
    assert api.call('POST', act, {'add_host': {'host': 'h2'}}, token=a)[0] == 200
    assert api.call('POST', act, {'set_metadata': {'metadata': {
        'availability_zone': 'az3'}}}, token=a)[0] == 400
    assert api.call('PUT', path, {'aggregate': {'availability_zone': 'az3'}},
                    token=a)[0] == 400
    assert api.call('POST', act, {'add_host': {'host': 'h1'}}, token=a)[0] == 409
    assert api.call('POST', act, {'add_host': {'host': 'nohost'}}, token=a)[0] == 404
    assert api.call('POST', act, {'remove_host': {'host': 'nohost'}}, token=a)[0] == 404
    got = api.ok('POST', act, {'set_metadata': {'metadata': {'k': 'v'}}}, token=a)
    assert got['aggregate']['metadata'] == {'k': 'v'}
    got = api.ok('PUT', path, {'aggregate': {'name': 'renamed'}}, token=a)['aggregate']
    assert got['name'] == 'renamed' and got['updated_at']
    assert api.call('DELETE', path, token=a)[0] == 400            # still has hosts
    for host in ('h1', 'h2'):
        api.ok('POST', act, {'remove_host': {'host': host}}, token=a)
    api.ok('POST', opath + '/action', {'remove_host': {'host': 'h2'}}, token=a)
    nodes = {n['host']: n['availability_zone'] for n in compute_nodes.list_(
        state_mod.get(compute_conf_obj).db)}
    assert nodes == {'h1': 'nova', 'h2': 'nova'}
    assert api.call('DELETE', path, token=a)[0] == 200
    assert api.call('GET', path, token=a)[0] == 404


@pytest.mark.parametrize('body, code', [
    ({'aggregate': {'name': ''}}, 400),
    ({'aggregate': {'name': 'x' * 256}}, 400),
    ({'aggregate': {'name': 'ok', 'availability_zone': 'a:b'}}, 400),
    ({'aggregate': {'name': 'ok', 'availability_zone': 'internal'}}, 400),
    ({'aggregate': {'name': 'ok', 'bogus': 1}}, 400),
])
def test_aggregate_bad_bodies(api, body, code):
    assert api.call('POST', AGG, body, token=api.admin)[0] == code


def test_aggregate_policy_and_name_conflict(api):
    body = {'aggregate': {'name': 'dup'}}
    assert api.call('POST', AGG, body)[0] == 403
    assert api.call('GET', AGG)[0] == 403
    api.ok('POST', AGG, body, token=api.admin)
    assert api.call('POST', AGG, body, token=api.admin)[0] == 409
    assert api.call('GET', AGG + '/abc', token=api.admin)[0] == 400
    assert api.call('GET', AGG + '/-1', token=api.admin)[0] == 404        # tempest's id
    assert api.call('DELETE', AGG + '/-1', token=api.admin)[0] == 404
    assert api.call('DELETE', AGG + '/999', token=api.admin)[0] == 404


def test_os_hosts(api, compute_conf_obj):
    _hosts(compute_conf_obj, 'h1')
    a = api.admin
    listed = api.ok('GET', '/v2.1/os-hosts', token=a)['hosts']
    assert {'host_name': 'h1', 'service': 'compute', 'zone': 'nova'} in listed
    assert {'host_name': 'ctl', 'service': 'scheduler', 'zone': 'internal'} in listed
    assert api.ok('GET', '/v2.1/os-hosts?zone=nova', token=a)['hosts'] == [
        {'host_name': 'h1', 'service': 'compute', 'zone': 'nova'}]
    assert api.ok('GET', '/v2.1/os-hosts?zone=xxx', token=a)['hosts'] == []
    shown = api.ok('GET', '/v2.1/os-hosts/h1', token=a)['host']
    assert shown[0]['resource'] == {'host': 'h1', 'project': '(total)', 'cpu': 4,
                                    'memory_mb': 4096, 'disk_gb': 40}
    assert [r['resource']['project'] for r in shown] == ['(total)', '(used_now)',
                                                         '(used_max)']
    assert api.call('GET', '/v2.1/os-hosts/nohost', token=a)[0] == 404
    assert api.call('GET', '/v2.1/os-hosts')[0] == 403
    assert api.call('PUT', '/v2.1/os-hosts/h1', {'status': 'enable'}, token=a)[0] == 501
    assert api.call('PUT', '/v2.1/os-hosts/h1', {'status': 'bad'}, token=a)[0] == 400
    assert api.call('PUT', '/v2.1/os-hosts/h1', {}, token=a)[0] == 400
    assert api.call('PUT', '/v2.1/os-hosts/nohost', {'status': 'enable'},
                    token=a)[0] == 404
    for action in ('reboot', 'shutdown', 'startup'):
        assert api.call('GET', '/v2.1/os-hosts/h1/%s' % action, token=a)[0] == 501
        assert api.call('GET', '/v2.1/os-hosts/nohost/%s' % action, token=a)[0] == 404
        assert api.call('GET', '/v2.1/os-hosts/h1/%s' % action)[0] == 403
    assert api.call('GET', '/v2.1/os-hosts', token=a, version='2.43')[0] == 404


def _migration(db, server_id, created, **values):
    row = dict(uuid=str(uuid.uuid4()), instance_uuid=server_id, migration_type='resize',
               source_compute='h1', dest_compute='h1', source_node='h1', dest_node='h1',
               old_flavor_id='1', new_flavor_id='1', status='finished', project_id='demo',
               user_id='u1', created_at=created)
    row.update(values)
    with db.session() as sess:
        sess.add(models.Migration(**row))
    return row


def test_os_migrations_microversions_and_paging(sapi, compute_conf_obj):
    db = state_mod.get(compute_conf_obj).db
    sid = boot(sapi)[0]['server']['id']
    t0 = datetime.datetime(2026, 1, 1)
    old = _migration(db, sid, t0)
    new = _migration(db, sid, t0 + datetime.timedelta(hours=1), status='confirmed',
                     source_compute='h2', dest_compute='h2')
    a = sapi.admin
    assert sapi.call('GET', '/v2.1/os-migrations')[0] == 403
    migs = sapi.ok('GET', '/v2.1/os-migrations', token=a)['migrations']
    assert [m['status'] for m in migs] == ['confirmed', 'finished']
    assert 'migration_type' not in migs[0] and migs[0]['old_instance_type_id'] == 1
    migs = sapi.ok('GET', '/v2.1/os-migrations', token=a, version='2.23')['migrations']
    assert migs[0]['migration_type'] == 'resize' and 'uuid' not in migs[0]
    page = sapi.ok('GET', '/v2.1/os-migrations?limit=1', token=a, version='2.59')
    assert [m['uuid'] for m in page['migrations']] == [new['uuid']]
    assert 'marker=%s' % new['uuid'] in page['migrations_links'][0]['href']
    page = sapi.ok('GET', '/v2.1/os-migrations?marker=%s' % new['uuid'], token=a,
                   version='2.59')
    assert [m['uuid'] for m in page['migrations']] == [old['uuid']]
    assert sapi.call('GET', '/v2.1/os-migrations?marker=nope', token=a,
                     version='2.59')[0] == 400
    migs = sapi.ok('GET', '/v2.1/os-migrations?changes-before=2026-01-01T00:30:00', token=a,
                   version='2.66')['migrations']
    assert [m['uuid'] for m in migs] == [old['uuid']]
    assert sapi.call('GET', '/v2.1/os-migrations?changes-since=2026-02-01T00:00:00&'
                     'changes-before=2026-01-01T00:00:00', token=a,
                     version='2.66')[0] == 400
    migs = sapi.ok('GET', '/v2.1/os-migrations?host=h2&user_id=u1', token=a,
                   version='2.80')['migrations']
    assert [(m['uuid'], m['user_id'], m['project_id']) for m in migs] == [
        (new['uuid'], 'u1', 'demo')]
    # a server's in-progress live migrations: none here
    base = '/v2.1/servers/%s/migrations' % sid
    assert sapi.ok('GET', base, token=a, version='2.23') == {'migrations': []}
    assert sapi.call('GET', base + '/1', token=a, version='2.23')[0] == 404
    assert sapi.call('GET', base, version='2.23')[0] == 403
    live = _migration(db, sid, t0, migration_type='live-migration', status='running')
    got = sapi.ok('GET', base, token=a, version='2.80')['migrations']
    assert [(m['uuid'], m['server_uuid']) for m in got] == [(live['uuid'], sid)]
    assert sapi.ok('GET', base + '/%d' % got[0]['id'], token=a,
                   version='2.23')['migration']['status'] == 'running'


def test_instance_usage_audit_log(sapi, compute_conf_obj):
    db = _hosts(compute_conf_obj, 'h1', 'h2')
    sid = boot(sapi)[0]['server']['id']
    instances_db.update(db, sid, {'host': 'h1', 'created_at': datetime.datetime(2026, 1, 5)})
    a = sapi.admin
    path = '/v2.1/os-instance_usage_audit_log'
    assert sapi.call('GET', path)[0] == 403
    log = sapi.ok('GET', path + '/2026-02-10%2010:00:00', token=a)['instance_usage_audit_log']
    assert log['period_beginning'] == '2026-01-01 00:00:00'
    assert log['period_ending'] == '2026-02-01 00:00:00'
    assert log['num_hosts'] == 2 and log['total_instances'] == 1
    assert log['log']['h1']['instances'] == 1 and log['log']['h2']['instances'] == 0
    before = sapi.ok('GET', path + '/2026-01-10%2010:00:00.5', token=a)
    assert before['instance_usage_audit_log']['total_instances'] == 0
    assert sapi.call('GET', path + '/invalid_time', token=a)[0] == 400
    assert sapi.ok('GET', path, token=a)['instance_usage_audit_logs']['num_hosts'] == 2


def test_server_diagnostics(sapi, compute_conf_obj, monkeypatch):
    db = state_mod.get(compute_conf_obj).db
    sid = boot(sapi)[0]['server']['id']
    path = '/v2.1/servers/%s/diagnostics' % sid
    assert sapi.call('GET', path, token=sapi.admin)[0] == 409        # not running yet
    instances_db.update(db, sid, {'host': 'h1', 'vm_state': 'active',
                                  'launched_at': datetime.datetime.utcnow()})
    # the fake driver's figures stand in for the worker's libvirt ones
    driver = fake_driver.FakeDriver('h1')
    engine = state_mod.engine(state_mod.get(compute_conf_obj))

    def figures(ctx, server):
        driver.servers[server['uuid']] = fake_driver._FakeServer(
            fake_driver.base.Instance.from_dict({
                'uuid': server['uuid'], 'name': 'x', 'flavor': {
                    'id': '1', 'name': 'm1.nano', 'memory_mb': 128, 'vcpus': 1,
                    'root_gb': 1}}), None, [], [])
        return driver.get_diagnostics(server['uuid'])
    monkeypatch.setattr(engine.worker, 'get_diagnostics', figures)
    assert sapi.call('GET', path)[0] == 403
    new = sapi.ok('GET', path, token=sapi.admin, version='2.48')
    assert new['num_cpus'] == 1 and new['memory_details']['maximum'] == 128
    assert new['disk_details'] == [{'read_bytes': 0, 'read_requests': 0, 'write_bytes': 0,
                                    'write_requests': 0, 'errors_count': 0}]
    assert new['uptime'] >= 0 and new['state'] == 'running'
    old = sapi.ok('GET', path, token=sapi.admin)
    assert old['memory'] == 128 * 1024 and old['cpu0_time'] == 0 and old['vda_read'] == 0
