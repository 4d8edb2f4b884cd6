"""objectstore-ring-builder: create a builder, add/remove devices, rebalance, show.

    objectstore-ring-builder <builder> create <part_power> <replicas> <min_part_hours>
    objectstore-ring-builder <builder> add r<region>z<zone>-<ip>:<port>/<device> <weight> [...]
    objectstore-ring-builder <builder> set_weight <d<id>|search> <weight>
    objectstore-ring-builder <builder> remove <d<id>|search>
    objectstore-ring-builder <builder> rebalance
    objectstore-ring-builder <builder> write_ring
    objectstore-ring-builder <builder> show

The ring is written beside the builder: ``object.builder`` -> ``object.ring.json.gz``.
Exit status: 0 done, 1 nothing to do, 2 error.
"""
import os
import sys

from objectstore.ring import builder as builder_mod

USAGE = __doc__


def ring_path(builder_path):
    base = os.path.basename(builder_path)
    name = base[:-len('.builder')] if base.endswith('.builder') else base
    return os.path.join(os.path.dirname(os.path.abspath(builder_path)), name + '.ring.json.gz')


def _int(text, what):
    try:
        return int(text)
    except ValueError:
        raise builder_mod.BuilderError('%s must be an integer, got %r' % (what, text))


def _one(builder, text):
    found = builder.search(text)
    if len(found) != 1:
        raise builder_mod.BuilderError('%r matches %d devices, need exactly one'
                                       % (text, len(found)))
    return found[0]


def show(builder, path, out):
    out.write('%s: %d partitions, %d replicas, min_part_hours %d, balance %.2f%%%s\n' % (
        path, builder.parts, builder.replicas, builder.min_part_hours, builder.balance(),
        ' (needs rebalance)' if builder.dirty else ''))
    counts = builder.part_counts()
    out.write('  id region zone ip:port/device weight partitions\n')
    for dev in builder.devs:
        if dev is None:
            continue
        out.write('  d%d r%d z%d %s:%d/%s %.2f %d%s\n' % (
            dev['id'], dev['region'], dev['zone'], dev['ip'], dev['port'], dev['device'],
            dev['weight'], counts.get(dev['id'], 0), ' (to remove)' if dev.get('removed') else ''))


def run(argv, out=sys.stdout):
    if len(argv) < 2:
        raise builder_mod.BuilderError('usage:\n' + USAGE)
    path, command, args = argv[0], argv[1], argv[2:]
    if command == 'create':
        if len(args) != 3:
            raise builder_mod.BuilderError('create needs <part_power> <replicas> <min_part_hours>')
        if os.path.exists(path):
            raise builder_mod.BuilderError('%s already exists' % path)
        builder = builder_mod.RingBuilder(_int(args[0], 'part_power'), _int(args[1], 'replicas'),
                                          _int(args[2], 'min_part_hours'))
        builder.save(path)
        return 0
    builder = builder_mod.RingBuilder.load(path)
    if command == 'add':
        if not args or len(args) % 2:
            raise builder_mod.BuilderError('add needs pairs of <device spec> <weight>')
        for spec, weight in zip(args[::2], args[1::2]):
            try:
                dev_id = builder.add_dev(spec, weight)
            except ValueError as exc:
                raise builder_mod.BuilderError(str(exc))
            out.write('added d%d %s weight %s\n' % (dev_id, spec, weight))
    elif command == 'set_weight':
        if len(args) != 2:
            raise builder_mod.BuilderError('set_weight needs <device> <weight>')
        builder.set_weight(_one(builder, args[0]), args[1])
    elif command == 'remove':
        if len(args) != 1:
            raise builder_mod.BuilderError('remove needs <device>')
        builder.remove_dev(_one(builder, args[0]))
    elif command == 'rebalance':
        moved, balance = builder.rebalance()
        builder.save(path)
        builder.write_ring(ring_path(path))
        out.write('moved %d replicas, balance %.2f%%, wrote %s\n' % (moved, balance, ring_path(path)))
        return 0 if moved else 1
    elif command == 'write_ring':
        builder.write_ring(ring_path(path))
        return 0
    elif command == 'show':
        show(builder, path, out)
        return 0
    else:
        raise builder_mod.BuilderError('unknown command %r\n%s' % (command, USAGE))
    builder.save(path)
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        return run(argv)
    except builder_mod.BuilderError as exc:
        sys.stderr.write('error: %s\n' % exc)
        return 2


if __name__ == '__main__':
    sys.exit(main())
