"""A build request handled twice (a conductor killed -9 while handling it gets it again
from the broker, or its periodic recovery resends it): a server already taken by its
worker is left alone and keeps exactly its one claim; one given a host whose worker
never heard of it is sent there again; nothing stays in BUILD."""
import compute_core_fakes as fakes
from compute import states
from compute.db import compute_nodes
from compute.db import instances as instances_db
from test_compute_core_boot import active, boot, wait_for


def _claimed(db):
    [node] = compute_nodes.list_(db)
    return node['instances_claimed'], node['memory_mb_claimed']


def _spec(cloud, server):
    return cloud.conductor._request_spec(server)


def test_build_request_handled_again_after_the_worker_took_it(engine, cloud, db):
    _, [server] = boot(engine)
    server = wait_for(engine, server['uuid'], active)
    before = _claimed(db)
    assert before == (1, 128)
    cloud.conductor.build_instances(fakes.ctx(admin=True), [server['uuid']],
                                    _spec(cloud, server))
    assert _claimed(db) == before
    again = wait_for(engine, server['uuid'], active)
    assert again['host'] == 'host1' and len(again['network_info']) == 1


def test_server_given_a_host_but_never_sent_is_sent_again(engine, cloud, db):
    # The conductor wrote the host, then died before its cast to the worker.
    _, [server] = boot(engine)
    server = wait_for(engine, server['uuid'], active)
    instances_db.update(db, server['uuid'], {'vm_state': states.BUILDING,
                                             'task_state': states.SCHEDULING,
                                             'network_info': []})
    cloud.workers['host1'].driver.servers.pop(server['uuid'])
    cloud.conductor.build_instances(fakes.ctx(admin=True), [server['uuid']],
                                    _spec(cloud, server))
    again = wait_for(engine, server['uuid'], active)
    assert again['host'] == 'host1' and server['uuid'] in cloud.workers['host1'].driver.servers
    assert _claimed(db) == (1, 128)


def test_a_build_sent_twice_to_the_worker_keeps_the_claim(engine, cloud, db):
    _, [server] = boot(engine)
    server = wait_for(engine, server['uuid'], active)
    worker = cloud.workers['host1']
    worker.build_and_run_instance(fakes.ctx(admin=True), server, _spec(cloud, server))
    assert _claimed(db) == (1, 128)
    assert wait_for(engine, server['uuid'], active)['host'] == 'host1'


def test_recovery_resends_builds_left_in_scheduling(engine, cloud, db):
    _, [server] = boot(engine)
    server = wait_for(engine, server['uuid'], active)
    instances_db.update(db, server['uuid'], {'vm_state': states.BUILDING,
                                             'task_state': states.SCHEDULING,
                                             'network_info': []})
    cloud.workers['host1'].driver.servers.pop(server['uuid'])
    with db.session() as sess:     # old enough not to be a live request
        from compute.db import models
        import datetime
        row = sess.get(models.Instance, server['uuid'])
        row.created_at = row.created_at - datetime.timedelta(minutes=5)
    cloud.conductor._recover_stuck_builds()
    assert wait_for(engine, server['uuid'], active)['host'] == 'host1'
    assert _claimed(db) == (1, 128)
