"""Queries on hypervisors (os-hypervisors) as the workers report them."""
import datetime

import sqlalchemy as sa

from common import exceptions as exc
from common.db import types
from compute.db import aggregates
from compute.db import api as db_api
from compute.db import models

_REPORTED = ('vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used', 'local_gb_used',
             'running_vms', 'disk_available_least', 'hypervisor_type', 'hypervisor_version',
             'cpu_info', 'virt_type', 'host_ip', 'availability_zone', 'cpu_allocation_ratio',
             'ram_allocation_ratio', 'disk_allocation_ratio', 'reserved_host_memory_mb',
             'reserved_host_disk_mb')


def to_dict(row):
    data = db_api.row_to_dict(row)
    data['free_ram_mb'] = row.memory_mb - row.memory_mb_used
    data['free_disk_gb'] = row.local_gb - row.local_gb_used
    return data


def upsert(db, host, resources):
    """Insert or refresh the node of ``host`` from a HostResources dict (plus AZ/ratios)."""
    node_name = resources.get('hypervisor_hostname') or host
    values = {k: resources[k] for k in _REPORTED if resources.get(k) is not None}
    with db.session() as sess:
        # A host aggregate's AZ wins over the worker's configured default.
        zone = aggregates.zone_of_host(sess, host)
        if zone:
            values['availability_zone'] = zone
        row = sess.execute(sa.select(models.ComputeNode).where(
            models.ComputeNode.hypervisor_hostname == node_name)).scalar()
        if row is None:
            row = models.ComputeNode(host=host, hypervisor_hostname=node_name, **values)
            sess.add(row)
        else:
            row.host = host
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = types.utcnow()
        sess.flush()
        return to_dict(row)


# What the scheduler filters and weighs: sizes and settings a worker reports (they change
# when it reports) and what changes any time: the claimed sums (every claim) and the AZ
# (an admin moves the host's aggregate; the next request must see it).
_SIZE_COLUMNS = (
    'id', 'host', 'hypervisor_hostname', 'hypervisor_type', 'virt_type',
    'vcpus', 'memory_mb', 'local_gb', 'cpu_info', 'cpu_allocation_ratio',
    'ram_allocation_ratio', 'disk_allocation_ratio', 'reserved_host_memory_mb',
    'reserved_host_disk_mb')
_LIVE_COLUMNS = ('vcpus_claimed', 'memory_mb_claimed', 'disk_gb_claimed',
                 'instances_claimed', 'availability_zone')


def host_sizes(db):
    """{node id: the node's sizes, ratios, hypervisor and CPU info} of every node."""
    N = models.ComputeNode
    with db.session() as sess:
        rows = sess.execute(sa.select(*[getattr(N, c) for c in _SIZE_COLUMNS]))
        return {row.id: {c: getattr(row, c) for c in _SIZE_COLUMNS} for row in rows}


def host_states(db, worker_binary, down_time, sizes=None):
    """One dict per node for the scheduler: its sizes (from ``sizes``, a ``host_sizes``
    result the caller may keep a while, else read now), its claimed sums and AZ as they
    are now, and ``alive``/``disabled`` of its worker (a node whose worker has no row is neither),
    worked out by the database in one narrow query: this runs for every request, over
    every node.  Returns ``(hosts, unknown)``: nodes missing from ``sizes`` are left out
    and counted in ``unknown`` (the caller reads the sizes again)."""
    N, S = models.ComputeNode, models.Service
    cutoff = types.utcnow() - datetime.timedelta(seconds=down_time)
    alive = sa.case((sa.and_(sa.func.coalesce(S.updated_at, S.created_at) >= cutoff,
                             S.forced_down.is_(False)), 1), else_=0)
    query = sa.select(N.id, *[getattr(N, c) for c in _LIVE_COLUMNS],
                      alive.label('alive'), S.disabled).outerjoin(
        S, sa.and_(S.host == N.host, S.binary == worker_binary)).order_by(N.id)
    if sizes is None:
        sizes = host_sizes(db)
    hosts, unknown = [], 0
    with db.session() as sess:
        for row in sess.execute(query):
            size = sizes.get(row.id)
            if size is None:
                unknown += 1
                continue
            state = dict(size)
            state.update((c, getattr(row, c)) for c in _LIVE_COLUMNS)
            state['alive'] = bool(row.alive)
            state['disabled'] = bool(row.disabled)
            hosts.append(state)
    return hosts, unknown


def list_(db, host=None):
    query = sa.select(models.ComputeNode).order_by(models.ComputeNode.id)
    if host:
        query = query.where(models.ComputeNode.host == host)
    with db.session() as sess:
        return [to_dict(r) for r in sess.execute(query).scalars()]


def get(db, ident):
    if isinstance(ident, int) or str(ident).isdigit():
        clause = models.ComputeNode.id == int(ident)
    else:
        clause = models.ComputeNode.uuid == ident
    with db.session() as sess:
        row = sess.execute(sa.select(models.ComputeNode).where(clause)).scalar()
        if row is None:
            raise exc.NotFound('Hypervisor %s could not be found.' % ident)
        return to_dict(row)
