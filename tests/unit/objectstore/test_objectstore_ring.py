"""Ring builder placement, minimal movement, min_part_hours, ring lookups and the CLI."""
import io
import os
import time

import pytest

from objectstore.ring import Ring
from objectstore.ring import builder as builder_mod
from objectstore.ring import cli
from objectstore.ring import utils


def four_zone_builder(min_part_hours=0, part_power=8):
    builder = builder_mod.RingBuilder(part_power, 3, min_part_hours)
    for i in range(4):
        builder.add_dev('r1z%d-127.0.0.1:%d/d%d' % (i + 1, 6000 + i // 2, i), 100)
    return builder


def zones_of(builder, part):
    return [builder._zone(builder.table[r][part]) for r in range(builder.replicas)]


def test_replicas_in_distinct_zones_and_balanced():
    builder = four_zone_builder()
    builder.rebalance(now=1000, seed=3)
    for part in range(builder.parts):
        assert len(set(zones_of(builder, part))) == 3
    assert builder.balance() < 2.0


def test_adding_a_device_moves_about_the_minimum():
    builder = four_zone_builder()
    builder.rebalance(now=1000, seed=3)
    before = [row[:] for row in builder.table]
    builder.add_dev('r1z5-127.0.0.1:6002/d4', 100)
    moved, balance = builder.rebalance(now=2000, seed=3)
    changed = sum(a != b for old, new in zip(before, builder.table) for a, b in zip(old, new))
    ideal = builder.parts * builder.replicas / 5   # the new device's fair share
    assert changed == moved
    assert ideal <= moved <= ideal * 1.05 + 2
    assert balance < 2.0
    for part in range(builder.parts):
        assert len(set(zones_of(builder, part))) == 3
        # never more than one replica of a partition moves in one rebalance
        assert sum(before[r][part] != builder.table[r][part] for r in range(3)) <= 1


def test_min_part_hours_holds_partitions():
    builder = four_zone_builder(min_part_hours=1)
    builder.rebalance(now=1000, seed=3)
    builder.add_dev('r1z5-127.0.0.1:6002/d4', 100)
    moved, _ = builder.rebalance(now=1000 + 1800, seed=3)
    assert moved == 0
    assert builder.part_counts().get(4, 0) == 0
    moved, _ = builder.rebalance(now=1000 + 3601, seed=3)
    assert moved > 0
    # the partitions just moved are held again
    assert builder.rebalance(now=1000 + 3700, seed=3)[0] == 0


def test_removed_device_is_drained_even_within_min_part_hours():
    builder = four_zone_builder(min_part_hours=24)
    builder.add_dev('r1z5-127.0.0.1:6002/d4', 100)
    builder.rebalance(now=1000, seed=3)
    builder.remove_dev(0)
    builder.rebalance(now=1001, seed=3)
    assert 0 not in builder.part_counts()
    assert builder.devs[0] is None
    for part in range(builder.parts):
        assert len(set(zones_of(builder, part))) == 3


def test_fewer_zones_than_replicas_still_spreads_over_devices():
    builder = builder_mod.RingBuilder(6, 3, 0)
    for i in range(4):
        builder.add_dev('r1z%d-127.0.0.1:6000/d%d' % (i % 2 + 1, i), 100)
    builder.rebalance(seed=1)
    for part in range(builder.parts):
        devs = [builder.table[r][part] for r in range(3)]
        assert len(set(devs)) == 3 and len(set(zones_of(builder, part))) == 2


def test_builder_rejects_bad_input():
    with pytest.raises(builder_mod.BuilderError):
        builder_mod.RingBuilder(0, 3, 1)
    builder = four_zone_builder()
    with pytest.raises(ValueError):
        builder.add_dev('z1-127.0.0.1:6000/d9', 100)
    with pytest.raises(builder_mod.BuilderError):
        builder.add_dev('r1z1-127.0.0.1:6000/d9', 'heavy')
    with pytest.raises(builder_mod.BuilderError):
        builder.add_dev('r1z1-127.0.0.1:6000/d0', 100)   # duplicate
    small = builder_mod.RingBuilder(4, 3, 0)
    small.add_dev('r1z1-127.0.0.1:6000/d0', 1)
    with pytest.raises(builder_mod.BuilderError):
        small.rebalance()


def test_ring_lookup_handoffs_and_reload(tmp_path):
    utils.set_hash_path_secret('pre', 'suf')
    builder = four_zone_builder(part_power=6)
    builder.rebalance(seed=1)
    path = str(tmp_path / 'object.ring.json.gz')
    builder.write_ring(path)
    ring = Ring(path)
    assert ring.replica_count == 3 and ring.partition_count == 64
    part, nodes = ring.get_nodes('a', 'c', 'o')
    assert part == utils.part_of_hash(utils.hash_path('a', 'c', 'o'), 6)
    assert [n['index'] for n in nodes] == [0, 1, 2]
    assert {'id', 'region', 'zone', 'ip', 'port', 'device', 'weight', 'replication_ip',
            'replication_port'} <= set(nodes[0])
    handoffs = list(ring.get_more_nodes(part))
    assert len(handoffs) == 1 and handoffs[0]['id'] not in {n['id'] for n in nodes}
    assert ring.get_part('a') == utils.part_of_hash(utils.hash_path('a'), 6)
    # a rebalanced ring written over the file is picked up
    builder.add_dev('r1z5-127.0.0.1:6002/d4', 100)
    builder.rebalance(seed=1)
    builder.write_ring(path)
    os.utime(path, (time.time() + 5, time.time() + 5))
    ring._next_check = 0
    assert len([d for d in ring.devs if d]) == 5


def test_hash_path_depends_on_secret():
    utils.set_hash_path_secret('one', '')
    first = utils.hash_path('a', 'c', 'o')
    utils.set_hash_path_secret('two', '')
    assert utils.hash_path('a', 'c', 'o') != first
    with pytest.raises(ValueError):
        utils.hash_path('a', None, 'o')
    with pytest.raises(ValueError):
        utils.set_hash_path_secret('', '')


def test_cli_create_add_rebalance_show(tmp_path):
    path = str(tmp_path / 'object.builder')
    assert cli.run([path, 'create', '6', '3', '1']) == 0
    out = io.StringIO()
    for i in range(4):
        assert cli.run([path, 'add', 'r1z%d-127.0.0.1:6000/d%d' % (i + 1, i), '100'],
                       out=out) == 0
    assert cli.run([path, 'rebalance'], out=out) == 0
    assert os.path.exists(str(tmp_path / 'object.ring.json.gz'))
    cli.run([path, 'show'], out=out)
    assert 'd3 r1 z4 127.0.0.1:6000/d3' in out.getvalue()
    # nothing may move within min_part_hours: exit status 1
    assert cli.run([path, 'rebalance'], out=out) == 1
    assert cli.main([path, 'add', 'bogus', '1']) == 2
    assert cli.main([path, 'create', '6', '3', '1']) == 2   # exists
    assert cli.main([str(tmp_path / 'missing.builder'), 'show']) == 2
