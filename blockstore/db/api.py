"""Queries of the block storage database; controllers and managers call these, never SQL.

Rows come back as plain dicts.  State changes go through ``transition``: an UPDATE
guarded by the statuses the change is allowed from, so two requests racing for one
volume cannot both win (the loser gets a 400 naming the current status, as Cinder)."""
import datetime

import sqlalchemy as sa

from blockstore.db import models
from common import exceptions
from common import heartbeat
from common.db import query
from common.db import types

RESOURCES = ('volumes', 'snapshots', 'gigabytes', 'backups', 'backup_gigabytes', 'groups',
             'per_volume_gigabytes')
# A limit on one volume's size, not a count: nothing is "in use" of it.
PER_VOLUME = 'per_volume_gigabytes'


# The resources controllers name: they pass the kind, never a model (no SQL in api/).
KINDS = {'volume': models.Volume, 'snapshot': models.Snapshot, 'backup': models.Backup,
         'attachment': models.Attachment, 'group': models.Group,
         'group_snapshot': models.GroupSnapshot}


def _model(kind):
    """The model of a kind name (controllers) or the model itself (workers)."""
    return KINDS[kind] if isinstance(kind, str) else kind


def _where(model, where, equal):
    """SQL conditions (workers) plus ``column=value`` equalities (controllers)."""
    return list(where) + [getattr(model, key) == value for key, value in equal.items()]


def _dict(row):
    out = {}
    for col in row.__table__.columns:
        out[col.name] = getattr(row, 'metadata_' if col.name == 'metadata' else col.key)
    return out


def run(db, func):
    return query.transaction(db, func)


def _scope(model, ctx, all_projects=False):
    if all_projects:
        return None
    return model.project_id == ctx.project_id


def _visible(row, ctx):
    return row is not None and (ctx.is_admin or row.project_id == ctx.project_id)


def _get_row(sess, model, ident, ctx, what):
    row = sess.get(model, ident) if isinstance(ident, str) else None
    if ctx is not None and not _visible(row, ctx) or row is None:
        raise exceptions.NotFound('%s %s could not be found.' % (what, ident))
    return row


def get(db, model, ident, ctx=None, what='Resource'):
    model = _model(model)
    return run(db, lambda sess: _dict(_get_row(sess, model, ident, ctx, what)))


def get_volume(db, ident, ctx=None):
    return get(db, models.Volume, ident, ctx, 'Volume')


def get_snapshot(db, ident, ctx=None):
    return get(db, models.Snapshot, ident, ctx, 'Snapshot')


def get_backup(db, ident, ctx=None):
    return get(db, models.Backup, ident, ctx, 'Backup')


def get_attachment(db, ident, ctx=None):
    return get(db, models.Attachment, ident, ctx, 'Attachment')


def update(db, model, ident, **values):
    model = _model(model)

    def go(sess):
        row = sess.get(model, ident)
        if row is None:
            raise exceptions.NotFound('%s could not be found.' % ident)
        for key, value in values.items():
            setattr(row, 'metadata_' if key == 'metadata' else key, value)
        sess.flush()
        return _dict(row)
    return run(db, go)


def transition(db, model, ident, allowed, values, what='Volume', field='status', extra=None):
    """Set ``values`` if the row's ``field`` is one of ``allowed`` (and ``extra(row)`` is
    None, else its message is the error); returns the row dict before the change."""
    model = _model(model)

    def go(sess):
        row = sess.get(model, ident)
        if row is None:
            raise exceptions.NotFound('%s %s could not be found.' % (what, ident))
        before = _dict(row)
        current = getattr(row, field)
        if allowed is not None and current not in allowed:
            raise exceptions.BadRequest(
                'Invalid %s: %s %s must be %s, not %s.'
                % (what.lower(), what, field, ' or '.join(sorted(allowed)), current))
        problem = extra(sess, row) if extra else None
        if problem:
            raise exceptions.BadRequest(problem)
        for key, value in values.items():
            setattr(row, 'metadata_' if key == 'metadata' else key, value)
        return before
    return run(db, go)


VOLUME_DELETABLE = frozenset({'available', 'error', 'error_restoring', 'error_extending',
                              'error_managing', 'error_deleting'})


def begin_volume_delete(db, ident, cascade=False, force=False):
    """Mark a volume ``deleting`` if it may go (not attached unless ``force``; snapshots
    only with ``cascade``, and then all of them ``deleting`` too; no backup running), in
    one transaction: a refusal changes nothing. Returns the volume before."""
    def check(sess, row):
        if row.group_id is not None:
            return ('Invalid volume: volume %s is in group %s; remove it from the group '
                    'or delete the group with its volumes.' % (row.id, row.group_id))
        if not force and row.attach_status == 'attached':
            return 'Invalid volume: volume %s is attached; detach it first.' % row.id
        snaps = list(sess.execute(sa.select(models.Snapshot.status).where(
            models.Snapshot.volume_id == row.id)).scalars())
        if snaps and not cascade:
            return ('Invalid volume: volume %s has %d snapshot(s); delete them first or '
                    'use cascade.' % (row.id, len(snaps)))
        busy = [s for s in snaps if s not in ('available', 'error', 'error_deleting')]
        if busy:
            return 'Invalid volume: a snapshot of volume %s is %s.' % (row.id, busy[0])
        if sess.execute(sa.select(models.Backup.id).where(
                models.Backup.volume_id == row.id,
                models.Backup.status.in_(('creating', 'restoring')))).first():
            return 'Invalid volume: volume %s has a backup in progress.' % row.id
        if cascade:
            sess.execute(sa.update(models.Snapshot).where(
                models.Snapshot.volume_id == row.id).values(status='deleting'))
        if force:
            sess.execute(sa.delete(models.Attachment).where(
                models.Attachment.volume_id == row.id))
            # an offer of a volume that is going is withdrawn with it
            sess.execute(sa.delete(models.Transfer).where(
                models.Transfer.volume_id == row.id))
        return None
    return transition(db, models.Volume, ident, None if force else VOLUME_DELETABLE,
                      {'status': 'deleting'}, extra=check)


def migration_destination(db, conf, vol, host):
    """The reporting pool ``host`` (``host@backend#pool``, or the first pool of
    ``host@backend``) a volume may move to: another backend than its own, of the type's
    ``volume_backend_name`` if it has one, with room for it."""
    pools = [p for p in list_pools(db, conf.blockstore.pool_down_time)
             if p['name'] == host or '#' not in host and p['host'] == host]
    if not pools:
        raise exceptions.BadRequest('Invalid host: no backend pool %s is up.' % host)
    pool = pools[0]
    if pool['host'] == (vol['host'] or '').partition('#')[0]:
        raise exceptions.BadRequest('Invalid host: destination host must be different '
                                    'than the current host.')
    vtype = get_type(db, vol['volume_type_id']) if vol['volume_type_id'] else None
    wanted = vtype and vtype['extra_specs'].get('volume_backend_name')
    if wanted and pool['backend_name'] != wanted:
        raise exceptions.BadRequest('Invalid host: %s is not a backend of the volume type '
                                    '(volume_backend_name %s).' % (host, wanted))
    if not claim(db, pool, vol['size']):
        raise exceptions.BadRequest('Invalid host: pool %s has no room for %d GiB.'
                                    % (pool['name'], vol['size']))
    return pool


def begin_migration(db, ident, destination):
    """Lock an available volume for its move (status ``maintenance``, migration_status
    ``migrating``) unless it has snapshots, is in a group or moves already."""
    def check(sess, row):
        if row.migration_status in ('migrating', 'starting'):
            return 'Invalid volume: volume %s is already being migrated.' % row.id
        if row.group_id is not None:
            return 'Invalid volume: volume %s is in a group.' % row.id
        if sess.execute(sa.select(models.Snapshot.id).where(
                models.Snapshot.volume_id == row.id)).first():
            return 'Invalid volume: volume %s has snapshots.' % row.id
        return None
    return transition(db, models.Volume, ident, {'available'},
                      {'status': 'maintenance', 'previous_status': 'available',
                       'migration_status': 'migrating'}, extra=check)


def begin_snapshot_delete(db, ident, allowed):
    """Mark a snapshot ``deleting`` unless a volume is being created from it."""
    def check(sess, row):
        if row.group_snapshot_id is not None:
            return ('Invalid snapshot: snapshot %s is part of group snapshot %s; delete the '
                    'group snapshot.' % (row.id, row.group_snapshot_id))
        if sess.execute(sa.select(models.Volume.id).where(
                models.Volume.snapshot_id == row.id,
                models.Volume.status == 'creating')).first():
            return 'Invalid snapshot: a volume is being created from it.'
        return None
    return transition(db, models.Snapshot, ident, allowed, {'status': 'deleting'},
                      what='Snapshot', extra=check)


def begin_backup_delete(db, ident, allowed):
    """Mark a backup ``deleting`` unless incremental backups are based on it."""
    def check(sess, row):
        if sess.execute(sa.select(models.Backup.id).where(
                models.Backup.parent_id == row.id)).first():
            return ('Invalid backup: incremental backups exist for backup %s; delete '
                    'them first.' % row.id)
        return None
    return transition(db, models.Backup, ident, allowed, {'status': 'deleting'},
                      what='Backup', extra=check)


def delete_row(db, model, ident):
    model = _model(model)

    def go(sess):
        row = sess.get(model, ident)
        if row is not None:
            sess.delete(row)
    run(db, go)


# lists -------------------------------------------------------------------------------

VOLUME_FIELDS = {
    'name': query.Field(models.Volume.name), 'status': query.Field(models.Volume.status),
    'size': query.Field(models.Volume.size, 'int'),
    'availability_zone': query.Field(models.Volume.availability_zone),
    'bootable': query.Field(models.Volume.bootable, 'bool'),
    'created_at': query.Field(models.Volume.created_at),
    'updated_at': query.Field(models.Volume.updated_at),
    'id': query.Field(models.Volume.id),
    'project_id': query.Field(models.Volume.project_id),
    'volume_type_id': query.Field(models.Volume.volume_type_id),
    'snapshot_id': query.Field(models.Volume.snapshot_id),
    'source_volid': query.Field(models.Volume.source_volid),
    'host': query.Field(models.Volume.host),
}
SNAPSHOT_FIELDS = {
    'name': query.Field(models.Snapshot.name), 'status': query.Field(models.Snapshot.status),
    'volume_id': query.Field(models.Snapshot.volume_id),
    'size': query.Field(models.Snapshot.size, 'int'), 'id': query.Field(models.Snapshot.id),
    'created_at': query.Field(models.Snapshot.created_at),
    'project_id': query.Field(models.Snapshot.project_id),
}
BACKUP_FIELDS = {
    'name': query.Field(models.Backup.name), 'status': query.Field(models.Backup.status),
    'volume_id': query.Field(models.Backup.volume_id), 'id': query.Field(models.Backup.id),
    'size': query.Field(models.Backup.size, 'int'),
    'created_at': query.Field(models.Backup.created_at),
    'project_id': query.Field(models.Backup.project_id),
}
ATTACHMENT_FIELDS = {
    'volume_id': query.Field(models.Attachment.volume_id),
    'instance_id': query.Field(models.Attachment.instance_uuid),
    'status': query.Field(models.Attachment.attach_status),
    'id': query.Field(models.Attachment.id),
}


def list_rows(db, model, fields, ctx, all_projects, filters, sorts, limit, marker_id=None,
              page_reverse=False, metadata=None, what='Resource'):
    """One page (``limit + 1`` rows at most) of ``model`` rows the caller may see."""
    model = _model(model)

    def go(sess):
        marker = None
        if marker_id is not None:
            marker = sess.get(model, marker_id)
            if not _visible(marker, ctx):
                raise exceptions.NotFound('Marker %s could not be found.' % marker_id)
        stmt = query.build(model, fields, _scope(model, ctx, all_projects), filters, sorts,
                           None if metadata else limit, marker, page_reverse)
        rows = [_dict(r) for r in sess.execute(stmt).scalars()]
        if metadata:
            rows = [r for r in rows if all((r.get('metadata') or {}).get(k) == v
                                           for k, v in metadata.items())]
            if limit is not None:
                rows = rows[:limit + 1]
        return rows
    return run(db, go)


# volume types --------------------------------------------------------------------------

def _type_visible(sess, row, ctx):
    if row.is_public or ctx is None or ctx.is_admin:
        return True
    return sess.get(models.VolumeTypeAccess, (row.id, ctx.project_id)) is not None


def _type_row(sess, ident, ctx=None):
    row = sess.get(models.VolumeType, ident) if ident else None
    if row is None and ident:
        row = sess.execute(sa.select(models.VolumeType).where(
            models.VolumeType.name == ident)).scalars().first()
    if row is None or not _type_visible(sess, row, ctx):
        raise exceptions.NotFound('Volume type %s could not be found.' % ident)
    return row


def get_type(db, ident, ctx=None):
    return run(db, lambda sess: _dict(_type_row(sess, ident, ctx)))


def list_types(db, ctx, is_public=None):
    def go(sess):
        stmt = sa.select(models.VolumeType).order_by(models.VolumeType.name)
        rows = sess.execute(stmt).scalars()
        found = []
        for row in rows:
            if is_public is not None and row.is_public != is_public:
                continue
            if _type_visible(sess, row, ctx):
                found.append(_dict(row))
        return found
    return run(db, go)


def create_type(db, name, description, is_public, extra_specs):
    def go(sess):
        if sess.execute(sa.select(models.VolumeType.id).where(
                models.VolumeType.name == name)).first():
            raise exceptions.Conflict('Volume Type %s already exists.' % name)
        row = models.VolumeType(name=name, description=description, is_public=is_public,
                                extra_specs=dict(extra_specs or {}))
        sess.add(row)
        sess.flush()
        return _dict(row)
    return run(db, go)


def update_type(db, ident, **values):
    def go(sess):
        row = _type_row(sess, ident)
        name = values.get('name')
        if name and name != row.name and sess.execute(sa.select(models.VolumeType.id).where(
                models.VolumeType.name == name)).first():
            raise exceptions.Conflict('Volume Type %s already exists.' % name)
        for key, value in values.items():
            setattr(row, key, value)
        sess.flush()
        return _dict(row)
    return run(db, go)


def set_extra_specs(db, ident, specs=None, remove=None):
    def go(sess):
        row = _type_row(sess, ident)
        current = dict(row.extra_specs or {})
        if remove is not None:
            if remove not in current:
                raise exceptions.NotFound('Volume Type %s has no extra specs with key %s.'
                                          % (ident, remove))
            current.pop(remove)
        current.update(specs or {})
        row.extra_specs = current
        return current
    return run(db, go)


def delete_type(db, ident):
    def go(sess):
        row = _type_row(sess, ident)
        if row.id == models.DEFAULT_TYPE_ID:
            raise exceptions.BadRequest('The default volume type cannot be deleted.')
        if sess.execute(sa.select(models.Volume.id).where(
                models.Volume.volume_type_id == row.id)).first():
            raise exceptions.BadRequest('Target volume type is still in use.')
        sess.execute(sa.delete(models.VolumeTypeAccess).where(
            models.VolumeTypeAccess.volume_type_id == row.id))
        sess.delete(row)
    run(db, go)


def type_access(db, ident, add=None, remove=None):
    def go(sess):
        row = _type_row(sess, ident)
        if row.is_public and (add or remove):
            raise exceptions.BadRequest('Invalid volume type: type access modification is '
                                        'not applicable to public volume type.')
        if add:
            if sess.get(models.VolumeTypeAccess, (row.id, add)):
                raise exceptions.Conflict('Volume type access for %s / %s already exists.'
                                          % (row.id, add))
            sess.add(models.VolumeTypeAccess(volume_type_id=row.id, project_id=add))
        if remove:
            found = sess.get(models.VolumeTypeAccess, (row.id, remove))
            if found is None:
                raise exceptions.NotFound('Volume type access not found for %s / %s.'
                                          % (row.id, remove))
            sess.delete(found)
        sess.flush()
        return [{'volume_type_id': a.volume_type_id, 'project_id': a.project_id}
                for a in sess.execute(sa.select(models.VolumeTypeAccess).where(
                    models.VolumeTypeAccess.volume_type_id == row.id)).scalars()]
    return run(db, go)


# quotas --------------------------------------------------------------------------------

def default_limits(conf):
    """Each resource's limit for a project without its own (the [quota] options)."""
    limits = {r: getattr(conf.quota, 'quota_' + r) for r in RESOURCES if r != PER_VOLUME}
    limits[PER_VOLUME] = conf.quota.per_volume_size_limit
    return limits


def quota_limits(sess, conf, project_id):
    limits = default_limits(conf)
    for row in sess.execute(sa.select(models.Quota).where(
            models.Quota.project_id == project_id)).scalars():
        limits[row.resource] = row.hard_limit
    return limits


def quota_usage(sess, project_id):
    def total(stmt):
        return int(sess.execute(stmt).scalar() or 0)
    vol = models.Volume
    snap = models.Snapshot
    bak = models.Backup
    return {
        'volumes': total(sa.select(sa.func.count()).where(vol.project_id == project_id)),
        'snapshots': total(sa.select(sa.func.count()).where(snap.project_id == project_id)),
        'gigabytes': total(sa.select(sa.func.sum(vol.size)).where(vol.project_id == project_id))
        + total(sa.select(sa.func.sum(snap.size)).where(snap.project_id == project_id)),
        'backups': total(sa.select(sa.func.count()).where(bak.project_id == project_id)),
        'backup_gigabytes': total(sa.select(sa.func.sum(bak.size)).where(
            bak.project_id == project_id)),
        'groups': total(sa.select(sa.func.count()).where(
            models.Group.project_id == project_id)),
        PER_VOLUME: 0,
    }


def check_quota(sess, conf, project_id, **deltas):
    """Raise 413 if adding ``deltas`` exceeds a limit (inside the creating transaction, so
    the count and the insert are one unit); ``per_volume_gigabytes`` is the size of the
    one volume made or extended."""
    limits = quota_limits(sess, conf, project_id)
    usage = quota_usage(sess, project_id)
    for resource, delta in deltas.items():
        limit = limits[resource]
        if resource == PER_VOLUME:
            if limit >= 0 and delta > limit:
                raise exceptions.RequestEntityTooLarge(
                    'VolumeSizeExceedsLimit: requested volume size %dG is larger than the '
                    'maximum allowed limit %dG.' % (delta, limit))
            continue
        if delta > 0 and limit >= 0 and usage[resource] + delta > limit:
            raise exceptions.RequestEntityTooLarge(
                'VolumeLimitExceeded: Maximum number of %s allowed (%d) exceeded for '
                'quota \'%s\' (requested %d, in use %d).'
                % (resource, limit, resource, delta, usage[resource]))


def get_quotas(db, conf, project_id, usage=False):
    def go(sess):
        limits = quota_limits(sess, conf, project_id)
        if not usage:
            return limits
        used = quota_usage(sess, project_id)
        return {r: {'limit': limits[r], 'in_use': used[r], 'reserved': 0,
                    'allocated': 0} for r in RESOURCES}
    return run(db, go)


def set_quotas(db, project_id, values):
    def go(sess):
        for resource, limit in values.items():
            row = sess.get(models.Quota, (project_id, resource))
            if row is None:
                sess.add(models.Quota(project_id=project_id, resource=resource,
                                      hard_limit=limit))
            else:
                row.hard_limit = limit
    run(db, go)


def delete_quotas(db, project_id):
    run(db, lambda sess: sess.execute(sa.delete(models.Quota).where(
        models.Quota.project_id == project_id)))


# creation ----------------------------------------------------------------------------

def create_with_quota(db, conf, model, values, **deltas):
    model = _model(model)

    def go(sess):
        if deltas:
            check_quota(sess, conf, values["project_id"], **deltas)
        row = model(**{('metadata_' if k == 'metadata' else k): v for k, v in values.items()})
        sess.add(row)
        sess.flush()
        return _dict(row)
    return run(db, go)


def count(db, model, *where, **equal):
    """How many rows match the conditions and the ``column=value`` equalities."""
    model = _model(model)
    conds = _where(model, where, equal)
    return run(db, lambda sess: int(sess.execute(
        sa.select(sa.func.count()).select_from(model).where(*conds)).scalar()))


def volume_summary(db, project_id=None):
    """(count, GiB, {metadata key: [values]}) of a project's volumes (every project's
    with None): one aggregate query and one read of the metadata column."""
    def go(sess):
        vol = models.Volume
        conds = [] if project_id is None else [vol.project_id == project_id]
        count, size = sess.execute(sa.select(sa.func.count(), sa.func.sum(vol.size))
                                   .where(*conds)).one()
        merged = {}
        for (meta,) in sess.execute(sa.select(vol.metadata_).where(*conds)):
            for key, value in (meta or {}).items():
                values = merged.setdefault(key, [])
                if value not in values:
                    values.append(value)
        return int(count or 0), int(size or 0), merged
    return run(db, go)


def rows(db, model, *where, **equal):
    """The matching rows as dicts, oldest first."""
    model = _model(model)
    conds = _where(model, where, equal)
    return run(db, lambda sess: [_dict(r) for r in sess.execute(
        sa.select(model).where(*conds).order_by(model.created_at)).scalars()])


def list_services(db, down_time):
    """The block storage daemons' heartbeat rows, ``alive`` computed."""
    return heartbeat.list_services(db, models.SERVICES, down_time)


def host_usage(db, host):
    """{project id: (volumes, GiB of volumes, snapshots, GiB of snapshots)} of the volumes
    placed on one volume service host (``host@backend``, any of its pools)."""
    def go(sess):
        vol, snap = models.Volume, models.Snapshot
        on_host = sa.or_(vol.host == host, vol.host.startswith(host + '#', autoescape=True))
        usage = {}
        for project, count, size in sess.execute(
                sa.select(vol.project_id, sa.func.count(), sa.func.sum(vol.size))
                .where(on_host).group_by(vol.project_id)).all():
            usage[project] = [count, int(size or 0), 0, 0]
        for project, count, size in sess.execute(
                sa.select(snap.project_id, sa.func.count(), sa.func.sum(snap.size))
                .join(vol, vol.id == snap.volume_id).where(on_host)
                .group_by(snap.project_id)).all():
            usage.setdefault(project, [0, 0, 0, 0])[2:] = [count, int(size or 0)]
        return {project: tuple(values) for project, values in usage.items()}
    return run(db, go)


def attachments_by_volume(db, volume_ids):
    """{volume id: [attachments]} of a page of volumes, in one query."""
    grouped = {}
    if volume_ids:
        for att in rows(db, models.Attachment, models.Attachment.volume_id.in_(volume_ids)):
            grouped.setdefault(att['volume_id'], []).append(att)
    return grouped


def dependent_counts(db, backup_ids):
    """{backup id: how many incremental backups are based on it}, in one query."""
    if not backup_ids:
        return {}
    return run(db, lambda sess: dict(sess.execute(
        sa.select(models.Backup.parent_id, sa.func.count()).where(
            models.Backup.parent_id.in_(backup_ids)).group_by(models.Backup.parent_id)).all()))


# pools (capacity reported by volume daemons, claimed by the scheduler) --------------------

def report_pool(db, values):
    """A volume daemon's capacity report; ``allocated_capacity_gb`` is recounted from the
    volumes the pool holds, which also releases claims of volumes that failed."""
    def go(sess):
        allocated = int(sess.execute(sa.select(sa.func.sum(models.Volume.size)).where(
            models.Volume.host == values['name'])).scalar() or 0)
        row = sess.get(models.Pool, values['name'])
        if row is None:
            row = models.Pool(name=values['name'])
            sess.add(row)
        for key, value in values.items():
            setattr(row, key, value)
        row.allocated_capacity_gb = allocated
        row.reported_at = types.utcnow()
    run(db, go)


def list_pools(db, down_time=None):
    def go(sess):
        stmt = sa.select(models.Pool).order_by(models.Pool.name)
        if down_time is not None:
            since = types.utcnow() - datetime.timedelta(seconds=down_time)
            stmt = stmt.where(models.Pool.reported_at >= since)
        return [_dict(r) for r in sess.execute(stmt).scalars()]
    return run(db, go)


def pool_backend(db, pool_name):
    """The ``volume_backend_name`` of a pool (``host@backend#pool``), None if unknown."""
    def go(sess):
        row = sess.get(models.Pool, pool_name)
        return row.backend_name if row is not None else None
    return run(db, go)


def claim(db, pool, size):
    """Atomically take ``size`` GiB of ``pool`` if it still has room; True if claimed."""
    p = models.Pool
    if pool['thin']:
        room = (p.allocated_capacity_gb + size
                <= p.total_capacity_gb * p.max_over_subscription_ratio
                * (100 - p.reserved_percentage) / 100.0)
    else:
        room = (p.total_capacity_gb - p.allocated_capacity_gb - size
                >= p.total_capacity_gb * p.reserved_percentage / 100.0)
    stmt = sa.update(p).where(p.name == pool['name'], room).values(
        allocated_capacity_gb=p.allocated_capacity_gb + size)
    return run(db, lambda sess: sess.execute(stmt).rowcount == 1)
