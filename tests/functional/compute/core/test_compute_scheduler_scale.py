"""The scheduler at scale, with the fake virt driver (no guests): hosts report their
resources through the worker's own periodic task into a real MariaDB database, then
several schedulers (threads, each its own SchedulerManager, as several compute-scheduler
daemons) place servers one request at a time until the cloud is full.  No host may end
overcommitted (the claims are conditional UPDATEs), every node's claimed sums must equal
its claims, and the time of each scheduling decision is measured and printed.

The default suite runs 100 hosts and 1,000 servers; the 1,000 hosts and 10,000 servers
run is marked slow (``SLOW=1 ./run_tests.sh`` or ``-m slow``); its figures are in the
README.
"""
import collections
import statistics
import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from common import config
from common import context as context_mod
from common.db import api as db_api
from common.db import migration
from compute import conf as compute_conf
from compute import exceptions
from compute.conductor import manager as conductor_manager
from compute.db import models
from compute.drivers import fake
from compute.scheduler import manager as scheduler_manager
from compute.worker import manager as worker_manager

pytestmark = pytest.mark.timeout(1800)

# Host shapes the fake driver reports (vcpus, memory MiB, disk GiB), in turn.
HOST_SHAPES = ((4, 4096, 200), (8, 8192, 400), (16, 16384, 800))
# Flavors of the requests (vcpus, memory MiB, root GiB), in turn.
FLAVORS = ((1, 512, 1), (1, 1024, 10), (2, 2048, 20), (4, 4096, 40))
SCHEDULERS = 4


def _mariadb():
    name = 'compute_sched_%s' % uuid.uuid4().hex[:10]
    admin = sa.create_engine('mysql+pymysql://root@127.0.0.1/', isolation_level='AUTOCOMMIT')
    try:
        with admin.connect() as conn:
            conn.execute(sa.text('CREATE DATABASE %s' % name))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.skip('MariaDB not reachable: %s' % exc)
    return admin, name, 'mysql+pymysql://root@127.0.0.1/%s' % name


def _conf(tmp_path, url):
    conf = config.ConfigOpts()
    compute_conf.register(conf)
    conf.set_override('state_path', str(tmp_path))
    conf.set_override('transport_url', 'fake://compute-scale-%s' % uuid.uuid4().hex)
    conf.set_override('connection', url, 'database')
    conf.set_override('max_pool_size', SCHEDULERS + 2, 'database')
    # The simulated workers report once, and send no heartbeat after: they stay up.
    conf.set_override('service_down_time', 24 * 3600)
    return conf


def _report_hosts(conf, db, count):
    """Each host's worker reports what its fake driver has, as it does every 30 s."""
    from common import rpc
    transport = rpc.get_transport(conf.transport_url)
    conductor = conductor_manager.ConductorManager(conf, db, transport)
    ctx = context_mod.RequestContext.admin_context()
    for i in range(count):
        host = 'sim%04d' % i
        vcpus, memory_mb, local_gb = HOST_SHAPES[i % len(HOST_SHAPES)]
        worker = worker_manager.WorkerManager(
            conf, transport, driver=fake.FakeDriver(host, vcpus, memory_mb, local_gb),
            image_api=object(), network_api=object())
        worker.host = host
        worker.conductor = conductor      # the conductor's own code, without the RPC hop
        worker._update_available_resource()
        conductor.service_report(ctx, 'compute-worker', host)


def _capacity(conf, count):
    c = conf.compute
    ram = sum((HOST_SHAPES[i % 3][1] - c.reserved_host_memory_mb) * c.ram_allocation_ratio
              for i in range(count))
    return ram


def _simulate(tmp_path, hosts, servers, per_request):
    admin, name, url = _mariadb()
    db = db_api.Database(url)
    try:
        conf = _conf(tmp_path, url)
        migration.upgrade(db, 'compute.db.migrations')
        started = time.monotonic()
        _report_hosts(conf, db, hosts)
        report_time = time.monotonic() - started
        # Ask for more than fits: the last requests find every host full.
        mean_ram = statistics.mean(f[1] for f in FLAVORS)
        assert servers * mean_ram > _capacity(conf, hosts), 'the cloud must fill up'
        ctx = context_mod.RequestContext.admin_context()
        requests = collections.deque(range(0, servers, per_request))
        lock = threading.Lock()
        decisions, refused, errors = [], [], []     # seconds per server placed / refused

        def scheduler_loop():
            sched = scheduler_manager.SchedulerManager(conf, db)
            while True:
                with lock:
                    if not requests:
                        return
                    n = requests.popleft()
                vcpus, memory_mb, root_gb = FLAVORS[n // per_request % len(FLAVORS)]
                spec = {'flavor': {'vcpus': vcpus, 'memory_mb': memory_mb,
                                   'root_gb': root_gb, 'ephemeral_gb': 0, 'swap_mb': 0},
                        'image': {}, 'availability_zone': None,
                        'num_instances': per_request}
                t0 = time.monotonic()
                try:
                    sched.select_destinations(ctx, spec, [str(uuid.uuid4())
                                                          for _ in range(per_request)])
                    decisions.extend([(time.monotonic() - t0) / per_request] * per_request)
                except exceptions.NoValidHost:
                    # the request's claims are released: none of its servers placed
                    refused.extend([(time.monotonic() - t0) / per_request] * per_request)
                except Exception as exc:  # noqa: B902 - reported by the assertion below
                    errors.append(repr(exc))
                    return

        threads = [threading.Thread(target=scheduler_loop) for _ in range(SCHEDULERS)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
        assert not errors, errors[:3]
        nodes, claim_sums = _audit(db)
        return {'hosts': hosts, 'servers': servers, 'per_request': per_request,
                'placed': len(decisions),
                'refused': len(refused), 'decisions': decisions, 'wall': wall,
                'report_time': report_time, 'nodes': nodes, 'claim_sums': claim_sums}
    finally:
        db.engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text('DROP DATABASE IF EXISTS %s' % name))
        admin.dispose()


def _audit(db):
    N, C = models.ComputeNode, models.Claim
    with db.session() as sess:
        nodes = [dict(r._mapping) for r in sess.execute(sa.select(
            N.id, N.host, N.vcpus, N.memory_mb, N.local_gb, N.cpu_allocation_ratio,
            N.ram_allocation_ratio, N.disk_allocation_ratio, N.reserved_host_memory_mb,
            N.reserved_host_disk_mb, N.vcpus_claimed, N.memory_mb_claimed,
            N.disk_gb_claimed, N.instances_claimed))]
        sums = {r.compute_node_id: r for r in sess.execute(sa.select(
            C.compute_node_id, sa.func.sum(C.vcpus).label('vcpus'),
            sa.func.sum(C.memory_mb).label('memory_mb'),
            sa.func.sum(C.disk_gb).label('disk_gb'),
            sa.func.count().label('count')).group_by(C.compute_node_id))}
    return nodes, sums


def _check_and_report(result):
    nodes, sums = result['nodes'], result['claim_sums']
    assert len(nodes) == result['hosts']
    full = 0
    for node in nodes:
        ram_limit = (node['memory_mb'] - node['reserved_host_memory_mb']) * \
            node['ram_allocation_ratio']
        cpu_limit = node['vcpus'] * node['cpu_allocation_ratio']
        disk_limit = (node['local_gb'] - node['reserved_host_disk_mb'] / 1024.0) * \
            node['disk_allocation_ratio']
        claimed = sums.get(node['id'])
        # The node's running sums are exactly its claims, and they fit.
        assert (node['vcpus_claimed'], node['memory_mb_claimed'], node['disk_gb_claimed'],
                node['instances_claimed']) == (
            (int(claimed.vcpus), int(claimed.memory_mb), int(claimed.disk_gb), claimed.count)
            if claimed else (0, 0, 0, 0)), node['host']
        assert node['memory_mb_claimed'] <= ram_limit, node
        assert node['vcpus_claimed'] <= cpu_limit, node
        assert node['disk_gb_claimed'] <= disk_limit, node
        if ram_limit - node['memory_mb_claimed'] < min(f[1] for f in FLAVORS):
            full += 1
    assert result['placed'] + result['refused'] == result['servers']
    assert sum(n['instances_claimed'] for n in nodes) == result['placed']
    # Filled up: the refused ones came only when (nearly) every host was full.
    assert result['refused'] > 0 and full >= 0.9 * len(nodes), (full, result['refused'])
    times = sorted(result['decisions'])
    pct = lambda p: times[min(len(times) - 1, int(p * len(times)))] * 1000  # noqa: E731
    line = ('[scheduler scale] %d hosts (reported in %.1f s), %d servers in requests of %d '
            'by %d schedulers in %.1f s: %d placed, %d refused (cloud full), %d/%d hosts '
            'full, none overcommitted; per server decision median %.1f ms, p95 %.1f ms, '
            'max %.1f ms; %.0f servers/s' % (
                result['hosts'], result['report_time'], result['servers'],
                result['per_request'], SCHEDULERS, result['wall'], result['placed'],
                result['refused'], full, len(nodes), pct(0.5), pct(0.95), times[-1] * 1000,
                result['servers'] / result['wall']))
    print('\n' + line)
    return line


def test_scheduler_100_hosts_1000_servers(tmp_path):
    _check_and_report(_simulate(tmp_path, 100, 1000, per_request=1))


@pytest.mark.slow
def test_scheduler_1000_hosts_10000_servers(tmp_path):
    # Requests of 10 servers (``server create --min 10``): the host states are read once
    # per request, as Nova's scheduler does.
    _check_and_report(_simulate(tmp_path, 1000, 10000, per_request=10))
