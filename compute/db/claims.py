"""Atomic resource claims on compute nodes.

A claim is one conditional UPDATE that adds the server's resources to the node's
``*_claimed`` sums only if they still fit under total x allocation ratio (minus what the
host reserves), plus a ``claims`` row to release it later.  The database serialises the
UPDATEs, so concurrent schedulers never overcommit a node, whatever they believed.
"""
import sqlalchemy as sa

from compute.db import models

N = models.ComputeNode


def _fits(vcpus, memory_mb, disk_gb):
    return sa.and_(
        N.vcpus_claimed + vcpus <= N.vcpus * N.cpu_allocation_ratio,
        N.memory_mb_claimed + memory_mb
        <= (N.memory_mb - N.reserved_host_memory_mb) * N.ram_allocation_ratio,
        N.disk_gb_claimed + disk_gb
        <= (N.local_gb - N.reserved_host_disk_mb / 1024.0) * N.disk_allocation_ratio)


def _change(sess, node_id, vcpus, memory_mb, disk_gb, count, condition=None):
    query = sa.update(N).where(N.id == node_id)
    if condition is not None:
        query = query.where(condition)
    result = sess.execute(query.values(
        vcpus_claimed=N.vcpus_claimed + vcpus, memory_mb_claimed=N.memory_mb_claimed + memory_mb,
        disk_gb_claimed=N.disk_gb_claimed + disk_gb,
        instances_claimed=N.instances_claimed + count))
    return result.rowcount == 1


def _release(sess, uuid, kind):
    row = sess.get(models.Claim, (uuid, kind))
    if row is None:
        return False
    # Only the transaction whose DELETE removed the row gives the resources back (two
    # concurrent releases both read it).
    gone = sess.execute(sa.delete(models.Claim).where(
        models.Claim.instance_uuid == uuid, models.Claim.kind == kind)).rowcount
    sess.expunge(row)
    if gone != 1:
        return False
    _change(sess, row.compute_node_id, -row.vcpus, -row.memory_mb, -row.disk_gb, -1)
    return True


def claim(db, node_id, uuid, vcpus, memory_mb, disk_gb, kind='instance'):
    """Claim on ``node_id`` for server ``uuid``; True if it fit.  A previous claim of the
    same server and kind (on any node) is released in the same transaction."""
    def attempt():
        with db.session() as sess:
            _release(sess, uuid, kind)
            if not _change(sess, node_id, vcpus, memory_mb, disk_gb, 1,
                           _fits(vcpus, memory_mb, disk_gb)):
                return False
            sess.add(models.Claim(instance_uuid=uuid, kind=kind, compute_node_id=node_id,
                                  vcpus=vcpus, memory_mb=memory_mb, disk_gb=disk_gb))
            return True
    return db.retry_on_deadlock(attempt, attempts=20)


def release(db, uuid, kind=None):
    """Release the claim(s) of a server (``kind`` None: all); True if any was held."""
    def attempt():
        with db.session() as sess:
            kinds = [kind] if kind else [k for (k,) in sess.execute(
                sa.select(models.Claim.kind).where(models.Claim.instance_uuid == uuid))]
            return any([_release(sess, uuid, k) for k in kinds])
    return db.retry_on_deadlock(attempt, attempts=20)


def move(db, uuid, from_kind, to_kind):
    """Rename a claim (a confirmed resize keeps the new flavor's claim as the server's)."""
    with db.session() as sess:
        row = sess.get(models.Claim, (uuid, from_kind))
        if row is None:
            return
        _release(sess, uuid, to_kind)
        sess.flush()
        sess.execute(sa.update(models.Claim).where(
            models.Claim.instance_uuid == uuid, models.Claim.kind == from_kind).values(
            kind=to_kind))


def on_node(db, node_id):
    with db.session() as sess:
        return sess.execute(sa.select(sa.func.count()).where(
            models.Claim.compute_node_id == node_id)).scalar()
