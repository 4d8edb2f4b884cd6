"""Scheduler filters, weighers and claims; concurrent claims never overcommit."""
import concurrent.futures
import uuid

import pytest

import compute_core_fakes as fakes
from common.db import types
from compute import exceptions
from compute.db import claims
from compute.db import compute_nodes
from compute.db import services as services_db
from compute.scheduler import filters
from compute.scheduler import manager as scheduler_manager


def spec(vcpus=1, memory_mb=128, root_gb=1, **extra):
    value = {'flavor': {'vcpus': vcpus, 'memory_mb': memory_mb, 'root_gb': root_gb,
                        'ephemeral_gb': 0, 'swap_mb': 0}, 'image': {}, 'group': None}
    value.update(extra)
    return value


def host(**kw):
    value = {'host': 'h1', 'hypervisor_hostname': 'h1', 'alive': True, 'disabled': False,
             'availability_zone': 'nova', 'vcpus': 4, 'memory_mb': 1024, 'local_gb': 10,
             'vcpus_claimed': 0, 'memory_mb_claimed': 0, 'disk_gb_claimed': 0,
             'cpu_allocation_ratio': 1.0, 'ram_allocation_ratio': 1.0,
             'disk_allocation_ratio': 1.0, 'reserved_host_memory_mb': 0,
             'reserved_host_disk_mb': 0, 'cpu_info': {'arch': 'x86_64'},
             'hypervisor_type': 'QEMU', 'virt_type': 'qemu'}
    value.update(kw)
    return value


@pytest.mark.parametrize('flt, h, s, ok', [
    (filters.ComputeFilter(), host(alive=False), spec(), False),
    (filters.ComputeFilter(), host(disabled=True), spec(), False),
    (filters.ComputeFilter(), host(), spec(), True),
    (filters.RamFilter(), host(memory_mb_claimed=900), spec(memory_mb=128), False),
    (filters.RamFilter(), host(memory_mb_claimed=900, ram_allocation_ratio=1.5), spec(), True),
    (filters.RamFilter(), host(reserved_host_memory_mb=900), spec(memory_mb=128), False),
    (filters.CoreFilter(), host(vcpus_claimed=4), spec(), False),
    (filters.CoreFilter(), host(vcpus_claimed=4, cpu_allocation_ratio=2.0), spec(), True),
    (filters.DiskFilter(), host(disk_gb_claimed=10), spec(), False),
    (filters.DiskFilter(), host(), spec(root_gb=10), True),
    (filters.AvailabilityZoneFilter(), host(), spec(availability_zone='az2'), False),
    (filters.AvailabilityZoneFilter(), host(availability_zone='az2'),
     spec(availability_zone='az2'), True),
    (filters.ImagePropertiesFilter(), host(),
     spec(image={'properties': {'architecture': 'aarch64'}}), False),
    (filters.ImagePropertiesFilter(), host(),
     spec(image={'properties': {'hypervisor_type': 'qemu'}}), True),
    (filters.ServerGroupAffinityFilter(), host(),
     spec(group={'policy': 'affinity', 'member_hosts': ['h2']}), False),
    (filters.ServerGroupAffinityFilter(), host(),
     spec(group={'policy': 'affinity', 'member_hosts': []}), True),
    (filters.ServerGroupAntiAffinityFilter(), host(),
     spec(group={'policy': 'anti-affinity', 'member_hosts': ['h1']}), False),
    (filters.ServerGroupAntiAffinityFilter(), host(),
     spec(group={'policy': 'anti-affinity', 'rules': {'max_server_per_host': 2},
                 'member_hosts': ['h1']}), True),
])
def test_filters(flt, h, s, ok):
    assert flt.passes(h, s) is ok


@pytest.fixture
def scheduler(conf, db):
    return scheduler_manager.SchedulerManager(conf, db)


def add_hosts(db, count, **kw):
    for i in range(count):
        name = 'h%d' % i
        fakes.add_node(db, name, **kw)
        services_db.report(db, 'compute-worker', name)


def test_weighers_spread_and_anti_affinity_places_apart(scheduler, db):
    add_hosts(db, 3)
    uuids = [str(uuid.uuid4()) for _ in range(3)]
    group = {'uuid': str(uuid.uuid4()), 'policy': 'anti-affinity', 'rules': {}}
    dests = scheduler.select_destinations(fakes.ctx(), spec(group=group), uuids)
    assert sorted(d['host'] for d in dests) == ['h0', 'h1', 'h2']
    with pytest.raises(exceptions.NoValidHost):
        scheduler.select_destinations(fakes.ctx(), spec(group=dict(
            group, member_hosts=None)), [str(uuid.uuid4()) for _ in range(4)])
    # The failed request released what it had claimed.
    assert sum(n['instances_claimed'] for n in compute_nodes.list_(db)) == 3


def test_affinity_keeps_a_request_on_one_host(scheduler, db):
    add_hosts(db, 3)
    group = {'uuid': str(uuid.uuid4()), 'policy': 'affinity', 'rules': {}}
    dests = scheduler.select_destinations(fakes.ctx(), spec(group=group),
                                          [str(uuid.uuid4()) for _ in range(3)])
    assert len({d['host'] for d in dests}) == 1


def test_dead_and_ignored_hosts_are_skipped(scheduler, db):
    add_hosts(db, 2)
    with db.session() as sess:
        from compute.db import models
        sess.query(models.Service).filter_by(host='h0').update(
            {'updated_at': types.utcnow().replace(year=2000)})
    [dest] = scheduler.select_destinations(fakes.ctx(), spec(), [str(uuid.uuid4())])
    assert dest['host'] == 'h1'
    with pytest.raises(exceptions.NoValidHost):
        scheduler.select_destinations(fakes.ctx(), spec(ignore_hosts=['h1']),
                                      [str(uuid.uuid4())])


def test_claims_are_released_and_idempotent(db):
    node = fakes.add_node(db, 'h0', vcpus=2, memory_mb=256, local_gb=2)
    assert claims.claim(db, node['id'], 'a', 1, 128, 1)
    assert claims.claim(db, node['id'], 'a', 1, 128, 1)     # same server: replaced
    assert compute_nodes.get(db, node['id'])['vcpus_claimed'] == 1
    assert claims.claim(db, node['id'], 'b', 1, 128, 1)
    assert not claims.claim(db, node['id'], 'c', 1, 128, 1)
    assert claims.release(db, 'a') and not claims.release(db, 'a')
    assert claims.claim(db, node['id'], 'c', 1, 128, 1)


def test_concurrent_schedulers_never_overcommit(conf, db):
    """16 threads, each its own scheduler and DB connection, race for 2 small hosts."""
    add_hosts(db, 2, vcpus=4, memory_mb=1024, local_gb=100)
    # Each host fits 8 servers of 128 MiB by RAM (ratio 1.0, no reserve), 4 by vCPU.
    conf.set_override('host_subset_size', 2, 'scheduler')

    def one(_):
        own_db = fakes.make_db(conf)
        try:
            return scheduler_manager.SchedulerManager(conf, own_db).select_destinations(
                fakes.ctx(), spec(), [str(uuid.uuid4())])[0]['host']
        except exceptions.NoValidHost:
            return None
        finally:
            own_db.dispose()

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(one, range(16)))
    placed = [r for r in results if r]
    assert len(placed) == 8                       # 4 vCPUs x 2 hosts
    for node in compute_nodes.list_(db):
        assert node['vcpus_claimed'] <= node['vcpus']
        assert node['instances_claimed'] == 4
