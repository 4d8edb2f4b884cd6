"""Queries of server groups and their members (affinity policies for the scheduler)."""
import contextlib

import sqlalchemy as sa

from compute import exceptions as cexc
from compute.db import models


def _members(sess, ids):
    out = {i: [] for i in ids}
    if ids:
        for m in sess.execute(sa.select(models.ServerGroupMember).where(
                models.ServerGroupMember.group_id.in_(ids)).order_by(
                models.ServerGroupMember.created_at)).scalars():
            out[m.group_id].append(m.instance_uuid)
    return out


def _to_dict(row, members):
    return {'id': row.id, 'uuid': row.uuid, 'name': row.name, 'project_id': row.project_id,
            'user_id': row.user_id, 'policy': row.policy, 'rules': row.rules or {},
            'members': members, 'created_at': row.created_at}


def _row(sess, uuid, ctx=None):
    query = sa.select(models.ServerGroup).where(models.ServerGroup.uuid == uuid)
    if ctx is not None and not ctx.is_admin:
        query = query.where(models.ServerGroup.project_id == ctx.project_id)
    row = sess.execute(query).scalar_one_or_none()
    if row is None:
        raise cexc.ServerGroupNotFound(uuid)
    return row


@contextlib.contextmanager
def _session(sess_or_db):
    if hasattr(sess_or_db, 'session'):
        with sess_or_db.session() as sess:
            yield sess
    else:
        yield sess_or_db


def get(db, uuid, ctx=None):
    """The group (a 404 for another project's group when ``ctx`` is not admin)."""
    with db.session() as sess:
        row = _row(sess, uuid, ctx)
        return _to_dict(row, _members(sess, [row.id])[row.id])


def list_(db, project_id=None, limit=None, offset=None):
    query = sa.select(models.ServerGroup).order_by(models.ServerGroup.id)
    if project_id is not None:
        query = query.where(models.ServerGroup.project_id == project_id)
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    with db.session() as sess:
        rows = list(sess.execute(query).scalars())
        members = _members(sess, [r.id for r in rows])
        return [_to_dict(r, members[r.id]) for r in rows]


def count(db, project_id):
    with db.session() as sess:
        return sess.execute(sa.select(sa.func.count()).select_from(models.ServerGroup).where(
            models.ServerGroup.project_id == project_id)).scalar()


def create(db, project_id, user_id, name, policy, rules):
    with db.session() as sess:
        row = models.ServerGroup(project_id=project_id, user_id=user_id, name=name,
                                 policy=policy, rules=rules or {})
        sess.add(row)
        sess.flush()
        return _to_dict(row, [])


def delete(db, uuid, ctx=None):
    with db.session() as sess:
        sess.delete(_row(sess, uuid, ctx))


def add_member(sess_or_db, uuid, instance_uuid):
    with _session(sess_or_db) as sess:
        row = _row(sess, uuid)
        if sess.get(models.ServerGroupMember, (row.id, instance_uuid)) is None:
            sess.add(models.ServerGroupMember(group_id=row.id, instance_uuid=instance_uuid))
            sess.flush()


def groups_of(sess_or_db, instance_uuid):
    """The uuids of the server groups ``instance_uuid`` is a member of."""
    with _session(sess_or_db) as sess:
        return list(sess.execute(
            sa.select(models.ServerGroup.uuid).join(
                models.ServerGroupMember,
                models.ServerGroupMember.group_id == models.ServerGroup.id).where(
                models.ServerGroupMember.instance_uuid == instance_uuid)).scalars())


def remove_member(sess_or_db, instance_uuid):
    """Take a server out of every group it is in."""
    with _session(sess_or_db) as sess:
        sess.execute(sa.delete(models.ServerGroupMember).where(
            models.ServerGroupMember.instance_uuid == instance_uuid))
