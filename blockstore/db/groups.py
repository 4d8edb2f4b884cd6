"""Queries of generic volume groups: group types, groups (volumes of listed types on one
backend pool), group snapshots (a snapshot of every volume of a group taken together).

Each state change is one transaction that checks the statuses it starts from, so a
refusal (400, naming what is in the way) changes nothing."""
import sqlalchemy as sa

from blockstore.db import api as db_api
from blockstore.db import models
from common import exceptions

GT, G, GS = models.GroupType, models.Group, models.GroupSnapshot
V, S = models.Volume, models.Snapshot
_dict = db_api._dict


# group types ----------------------------------------------------------------------------

def _type_row(sess, ident, ctx=None):
    row = sess.get(GT, ident) if ident else None
    if row is None and ident:
        row = sess.execute(sa.select(GT).where(GT.name == ident)).scalars().first()
    # a private group type is the operators' (no per-project access list)
    if row is None or not row.is_public and ctx is not None and not ctx.is_admin:
        raise exceptions.NotFound('Group type %s could not be found.' % ident)
    return row


def get_type(db, ident, ctx=None):
    return db_api.run(db, lambda sess: _dict(_type_row(sess, ident, ctx)))


def list_types(db, ctx, is_public=None):
    def go(sess):
        found = []
        for row in sess.execute(sa.select(GT).order_by(GT.name)).scalars():
            if is_public is not None and row.is_public != is_public:
                continue
            if row.is_public or ctx is None or ctx.is_admin:
                found.append(_dict(row))
        return found
    return db_api.run(db, go)


def _name_free(sess, name, ident=None):
    other = sess.execute(sa.select(GT.id).where(GT.name == name)).scalar()
    if other is not None and other != ident:
        raise exceptions.Conflict('Group type %s already exists.' % name)


def create_type(db, name, description, is_public, specs):
    def go(sess):
        _name_free(sess, name)
        row = GT(name=name, description=description, is_public=is_public,
                 group_specs=dict(specs or {}))
        sess.add(row)
        sess.flush()
        return _dict(row)
    return db_api.run(db, go)


def update_type(db, ident, **values):
    def go(sess):
        row = _type_row(sess, ident)
        if values.get('name'):
            _name_free(sess, values['name'], row.id)
        for key, value in values.items():
            setattr(row, key, value)
        sess.flush()
        return _dict(row)
    return db_api.run(db, go)


def set_specs(db, ident, specs=None, remove=None):
    def go(sess):
        row = _type_row(sess, ident)
        current = dict(row.group_specs or {})
        if remove is not None:
            if remove not in current:
                raise exceptions.NotFound('Group type %s has no group specs with key %s.'
                                          % (ident, remove[:64]))
            current.pop(remove)
        current.update(specs or {})
        row.group_specs = current
        return current
    return db_api.run(db, go)


def delete_type(db, ident):
    def go(sess):
        row = _type_row(sess, ident)
        if sess.execute(sa.select(G.id).where(G.group_type_id == row.id)).first():
            raise exceptions.BadRequest('Target group type %s is still in use.' % row.id)
        sess.delete(row)
    db_api.run(db, go)


# groups ---------------------------------------------------------------------------------

def get(db, ident, ctx=None):
    return db_api.get(db, G, ident, ctx, 'Group')


def get_snapshot(db, ident, ctx=None):
    return db_api.get(db, GS, ident, ctx, 'Group snapshot')


def volumes(db, group_id):
    return db_api.rows(db, V, V.group_id == group_id)


def volume_ids_by_group(db, group_ids):
    """{group id: [volume ids]} of a page of groups, in one query."""
    found = {g: [] for g in group_ids}
    if group_ids:
        for vol in db_api.rows(db, V, V.group_id.in_(group_ids)):
            found[vol['group_id']].append(vol['id'])
    return found


def _refuse(message):
    raise exceptions.BadRequest(message)


def begin_delete(db, ident, delete_volumes):
    """Mark a group (and, with ``delete_volumes``, its volumes) ``deleting``: a group with
    group snapshots, or with volumes unless asked to delete them, or with a volume that is
    attached, busy or has its own snapshots, is refused. Returns (group, volumes)."""
    def go(sess):
        row = _get(sess, G, ident, 'Group')
        if row.status not in ('available', 'error', 'error_deleting'):
            _refuse('Invalid group: group status must be available or error, not %s.'
                    % row.status)
        if sess.execute(sa.select(GS.id).where(GS.group_id == row.id)).first():
            _refuse('Invalid group: group %s has group snapshots; delete them first.'
                    % row.id)
        vols = list(sess.execute(sa.select(V).where(V.group_id == row.id)).scalars())
        if vols and not delete_volumes:
            _refuse('Invalid group: group %s still contains volumes; the delete-volumes '
                    'flag is required to delete it.' % row.id)
        for vol in vols:
            if vol.attach_status == 'attached' or vol.status not in \
                    db_api.VOLUME_DELETABLE:
                _refuse('Invalid volume: volume %s of the group is %s.'
                        % (vol.id, vol.status))
            if sess.execute(sa.select(S.id).where(S.volume_id == vol.id)).first():
                _refuse('Invalid volume: volume %s of the group has snapshots.' % vol.id)
        before = [_dict(v) for v in vols]
        for vol in vols:
            vol.status = 'deleting'
        row.status = 'deleting'
        return _dict(row), before
    return db_api.run(db, go)


def _get(sess, model, ident, what, ctx=None):
    return db_api._get_row(sess, model, ident, ctx, what)


def update(db, ctx, ident, values, add=(), remove=()):
    """Rename and add/remove volumes (ids) of an available group in one transaction: an
    added volume is the caller's, available or in-use, in no group, of one of the group's
    types and on its pool; a removed one is in this group and not busy."""
    def go(sess):
        row = _get(sess, G, ident, 'Group', ctx)
        if (add or remove) and row.status != 'available':
            _refuse('Invalid group: group status must be available to add or remove '
                    'volumes, not %s.' % row.status)
        for vid in add:
            vol = sess.get(V, vid)
            if vol is None or vol.project_id != row.project_id:
                _refuse('Invalid volume: cannot add volume %s to group %s: it could not '
                        'be found.' % (vid, row.id))
            if vol.group_id is not None and vol.group_id != row.id:
                _refuse('Invalid volume: volume %s already belongs to group %s.'
                        % (vid, vol.group_id))
            if vol.status not in ('available', 'in-use'):
                _refuse('Invalid volume: cannot add volume %s to group %s: its status is '
                        '%s, it must be available or in-use.' % (vid, row.id, vol.status))
            if vol.volume_type_id not in (row.volume_type_ids or []):
                _refuse('Invalid volume: cannot add volume %s to group %s: its volume type '
                        'is not one of the group\'s.' % (vid, row.id))
            if row.host and vol.host != row.host:
                _refuse('Invalid volume: cannot add volume %s to group %s: it is on %s, '
                        'the group on another backend pool.' % (vid, row.id, vol.host))
            vol.group_id = row.id
        for vid in remove:
            vol = sess.get(V, vid)
            if vol is None or vol.group_id != row.id:
                _refuse('Invalid volume: cannot remove volume %s from group %s: it is not '
                        'in the group.' % (vid, row.id))
            if vol.status not in ('available', 'in-use', 'error', 'error_deleting'):
                _refuse('Invalid volume: cannot remove volume %s from group %s: it is %s.'
                        % (vid, row.id, vol.status))
            vol.group_id = None
        for key, value in values.items():
            setattr(row, key, value)
        sess.flush()
        return _dict(row)
    return db_api.run(db, go)


def create_from_source(db, conf, ctx, name, description, group_snapshot_id=None,
                       source_group_id=None):
    """A new group in ``creating`` with a volume (``creating``, on the source's pool) per
    volume of the source group or per snapshot of the group snapshot; quotas of groups,
    volumes and gigabytes are checked in the same transaction."""
    def go(sess):
        if group_snapshot_id:
            gsnap = _get(sess, GS, group_snapshot_id, 'Group snapshot', ctx)
            if gsnap.status != 'available':
                _refuse('Invalid group snapshot: its status must be available, not %s.'
                        % gsnap.status)
            source = _get(sess, G, gsnap.group_id, 'Group')
            members = [(s, 'snapshot_id', sess.get(V, s.volume_id)) for s in
                       sess.execute(sa.select(S).where(
                           S.group_snapshot_id == gsnap.id)).scalars()]
        else:
            source = _get(sess, G, source_group_id, 'Group', ctx)
            if source.status != 'available':
                _refuse('Invalid group: source group status must be available, not %s.'
                        % source.status)
            members = [(v, 'source_volid', v) for v in sess.execute(
                sa.select(V).where(V.group_id == source.id)).scalars()]
            busy = [v.id for v, _, _ in members if v.status not in ('available', 'in-use')]
            if busy:
                _refuse('Invalid volume: volume %s of the source group is not available.'
                        % busy[0])
        size = sum(m.size for m, _, _ in members)
        db_api.check_quota(sess, conf, ctx.project_id, groups=1, volumes=len(members),
                           gigabytes=size)
        group = G(project_id=ctx.project_id, user_id=ctx.user_id, name=name,
                  description=description, status='creating',
                  availability_zone=source.availability_zone,
                  group_type_id=source.group_type_id,
                  volume_type_ids=list(source.volume_type_ids or []), host=source.host,
                  group_snapshot_id=group_snapshot_id, source_group_id=source_group_id)
        sess.add(group)
        sess.flush()
        for member, link, origin in members:
            sess.add(V(project_id=ctx.project_id, user_id=ctx.user_id, size=member.size,
                       status='creating', attach_status='detached',
                       name=origin.name if origin is not None else None,
                       availability_zone=source.availability_zone,
                       volume_type_id=origin.volume_type_id if origin is not None else None,
                       bootable=bool(origin is not None and origin.bootable),
                       metadata_={}, image_metadata={}, host=source.host,
                       group_id=group.id, **{link: member.id}))
        sess.flush()
        return _dict(group)
    return db_api.run(db, go)


# group snapshots ---------------------------------------------------------------------------

def create_snapshot(db, conf, ctx, group_id, name, description):
    """A group snapshot in ``creating`` and a ``creating`` snapshot of each of the group's
    volumes (all available or in-use), within the snapshot and gigabyte quotas."""
    def go(sess):
        group = _get(sess, G, group_id, 'Group', ctx)
        if group.status != 'available':
            _refuse('Invalid group: group status must be available to take a group '
                    'snapshot, not %s.' % group.status)
        vols = list(sess.execute(sa.select(V).where(V.group_id == group.id)).scalars())
        for vol in vols:
            if vol.status not in ('available', 'in-use'):
                _refuse('Invalid volume: volume %s of the group is %s; it must be available '
                        'or in-use.' % (vol.id, vol.status))
        db_api.check_quota(sess, conf, ctx.project_id, snapshots=len(vols),
                           gigabytes=sum(v.size for v in vols))
        gsnap = GS(project_id=ctx.project_id, user_id=ctx.user_id, group_id=group.id,
                   group_type_id=group.group_type_id, name=name, description=description,
                   status='creating', host=group.host)
        sess.add(gsnap)
        sess.flush()
        for vol in vols:
            sess.add(S(project_id=ctx.project_id, user_id=ctx.user_id, volume_id=vol.id,
                       name='group-snapshot-%s' % gsnap.id, size=vol.size,
                       status='creating', progress='0%', metadata_={}, host=vol.host,
                       group_snapshot_id=gsnap.id))
        sess.flush()
        return _dict(gsnap)
    return db_api.run(db, go)


def begin_snapshot_delete(db, ident, allowed=('available', 'error', 'error_deleting')):
    """Mark a group snapshot and its snapshots ``deleting`` unless a group is being
    created from it."""
    def go(sess):
        row = _get(sess, GS, ident, 'Group snapshot')
        if allowed is not None and row.status not in allowed:
            _refuse('Invalid group snapshot: its status must be %s, not %s.'
                    % (' or '.join(sorted(allowed)), row.status))
        if sess.execute(sa.select(G.id).where(G.group_snapshot_id == row.id,
                                              G.status == 'creating')).first():
            _refuse('Invalid group snapshot: a group is being created from it.')
        sess.execute(sa.update(S).where(S.group_snapshot_id == row.id).values(
            status='deleting'))
        row.status = 'deleting'
        return _dict(row)
    return db_api.run(db, go)


def snapshots_of(db, group_snapshot_id):
    return db_api.rows(db, S, S.group_snapshot_id == group_snapshot_id)


GROUP_FIELDS = {
    'id': db_api.query.Field(G.id), 'name': db_api.query.Field(G.name),
    'status': db_api.query.Field(G.status),
    'created_at': db_api.query.Field(G.created_at),
    'project_id': db_api.query.Field(G.project_id),
    'group_type_id': db_api.query.Field(G.group_type_id),
    'availability_zone': db_api.query.Field(G.availability_zone),
}
GROUP_SNAPSHOT_FIELDS = {
    'id': db_api.query.Field(GS.id), 'name': db_api.query.Field(GS.name),
    'status': db_api.query.Field(GS.status), 'group_id': db_api.query.Field(GS.group_id),
    'created_at': db_api.query.Field(GS.created_at),
    'project_id': db_api.query.Field(GS.project_id),
}
