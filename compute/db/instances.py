"""Queries on servers (instances, their tags and faults)."""
import datetime
import re

import sqlalchemy as sa

from common.db import query as common_query
from common.db import types
from compute import exceptions
from compute import states
from compute.db import api as db_api
from compute.db import models

# Columns a user may sort by (Nova's list).
SORT_KEYS = ('created_at', 'display_name', 'uuid', 'updated_at', 'vm_state', 'task_state',
             'power_state', 'launched_at', 'terminated_at', 'host', 'node', 'image_ref',
             'flavor_id', 'availability_zone', 'project_id', 'user_id', 'hostname',
             'key_name', 'launch_index', 'locked', 'display_description', 'access_ip_v4',
             'access_ip_v6', 'config_drive', 'progress', 'reservation_id', 'root_gb',
             'memory_mb', 'vcpus', 'ephemeral_gb')


def to_dict(row, sess=None, with_extra=True, extras=None):
    """The plain server dict of CONTRACT.md; ``extras`` is what ``_extras`` read for a
    whole page of servers (else it is read for this one)."""
    data = db_api.row_to_dict(row)
    data['name'] = row.name
    data['status'] = states.status(row.vm_state, row.task_state)
    if with_extra and sess is not None:
        tags, faults, volumes = extras if extras is not None else _extras(sess, [row.uuid])
        data['tags'] = tags.get(row.uuid, [])
        fault = faults.get(row.uuid)
        data['fault'] = None if fault is None else {
            'code': fault.code, 'message': fault.message, 'details': fault.details,
            'created': fault.created_at}
        data['volumes_attached'] = volumes.get(row.uuid, [])
    return data


def _extras(sess, uuids):
    """({uuid: sorted tags}, {uuid: latest fault}, {uuid: volumes attached}) of servers
    ``uuids``, in three queries whatever their number."""
    tags, faults, volumes = {}, {}, {}
    if not uuids:
        return tags, faults, volumes
    for uuid, tag in sess.execute(sa.select(models.InstanceTag.instance_uuid,
                                            models.InstanceTag.tag).where(
            models.InstanceTag.instance_uuid.in_(uuids)).order_by(models.InstanceTag.tag)):
        tags.setdefault(uuid, []).append(tag)
    latest = sa.select(sa.func.max(models.InstanceFault.id)).where(
        models.InstanceFault.instance_uuid.in_(uuids)).group_by(
        models.InstanceFault.instance_uuid)
    for fault in sess.execute(sa.select(models.InstanceFault).where(
            models.InstanceFault.id.in_(latest))).scalars():
        faults[fault.instance_uuid] = fault
    B = models.BlockDeviceMapping
    for uuid, vid, dot in sess.execute(sa.select(
            B.instance_uuid, B.volume_id, B.delete_on_termination).where(
            B.instance_uuid.in_(uuids), B.destination_type == 'volume',
            B.volume_id.isnot(None)).order_by(B.id)):
        volumes.setdefault(uuid, []).append({'id': vid, 'delete_on_termination': bool(dot)})
    return tags, faults, volumes


def create(sess, values, tags=()):
    row = models.Instance(**values)
    sess.add(row)
    for tag in tags:
        sess.add(models.InstanceTag(instance_uuid=row.uuid, tag=tag))
    sess.flush()
    return row


def get_row(sess, uuid, project_id=None, show_deleted=False, for_update=False):
    query = sa.select(models.Instance).where(models.Instance.uuid == uuid)
    if project_id is not None:
        query = query.where(models.Instance.project_id == project_id)
    if not show_deleted:
        query = query.where(models.Instance.deleted.is_(False))
    if for_update:
        query = query.with_for_update()
    row = sess.execute(query).scalar()
    if row is None:
        raise exceptions.InstanceNotFound(uuid)
    return row


def get(db, uuid, project_id=None, show_deleted=False):
    with db.session() as sess:
        return to_dict(get_row(sess, uuid, project_id, show_deleted), sess)


def update(db, uuid, values, expected_task_state=None, expected_vm_state=None,
           check_task=False):
    """Write ``values``; with ``check_task`` only if task_state is ``expected_task_state``
    (one value or a tuple) - a compare-and-swap, so a delete racing an action wins."""
    with db.session() as sess:
        row = get_row(sess, uuid, show_deleted=True)
        if check_task:
            expected = (expected_task_state if isinstance(expected_task_state, (tuple, list))
                        else (expected_task_state,))
            query = sa.update(models.Instance).where(
                models.Instance.uuid == uuid,
                models.Instance.task_state.in_([e for e in expected if e is not None])
                if None not in expected else sa.or_(
                    models.Instance.task_state.is_(None),
                    models.Instance.task_state.in_([e for e in expected if e is not None])))
            if expected_vm_state is not None:
                query = query.where(models.Instance.vm_state.in_(expected_vm_state))
            result = sess.execute(query.values(updated_at=types.utcnow(), **values))
            if result.rowcount != 1:
                raise exceptions.UnexpectedTaskState(uuid, expected_task_state, row.task_state)
            sess.expire(row)
        else:
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = types.utcnow()
        sess.flush()
        return to_dict(row, sess)


def set_password(db, uuid, password, only_if_unset=False):
    """Store (or clear, with '') the password the guest posted to the metadata service,
    kept in system_metadata as Nova does; with ``only_if_unset`` a stored one is kept and
    False returned."""
    with db.session() as sess:
        row = get_row(sess, uuid, for_update=True)
        meta = dict(row.system_metadata or {})
        if only_if_unset and meta.get('password'):
            return False
        meta['password'] = password
        row.system_metadata = meta
        return True


def soft_delete(db, uuid):
    now = types.utcnow()
    with db.session() as sess:
        row = get_row(sess, uuid, show_deleted=True)
        row.vm_state, row.task_state = states.DELETED, None
        row.power_state = 0
        row.deleted, row.deleted_at, row.terminated_at = True, now, now
        # Its volumes were detached (and deleted if asked) by whoever deletes it.
        sess.execute(sa.delete(models.BlockDeviceMapping).where(
            models.BlockDeviceMapping.instance_uuid == uuid))
        sess.flush()
        return to_dict(row, sess)


def add_fault(db, uuid, code, message, details=None, host=None):
    with db.session() as sess:
        sess.add(models.InstanceFault(instance_uuid=uuid, code=code or 500,
                                      message=(message or '')[:255], details=details,
                                      host=host))


def list_on_host(db, host):
    with db.session() as sess:
        rows = sess.execute(sa.select(models.Instance).where(
            models.Instance.host == host, models.Instance.deleted.is_(False))).scalars().all()
        extras = _extras(sess, [r.uuid for r in rows])
        return [to_dict(r, sess, extras=extras) for r in rows]


def count_usage(db, project_id, user_id=None, sess=None):
    """{instances, cores, ram} used by a project (or one of its users)."""
    query = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(models.Instance.vcpus), 0),
                      sa.func.coalesce(sa.func.sum(models.Instance.memory_mb), 0)).where(
        models.Instance.project_id == project_id, models.Instance.deleted.is_(False))
    if user_id is not None:
        query = query.where(models.Instance.user_id == user_id)
    if sess is not None:
        count, cores, ram = sess.execute(query).one()
    else:
        with db.session() as own:
            count, cores, ram = own.execute(query).one()
    return {'instances': int(count), 'cores': int(cores), 'ram': int(ram)}


def usage_in_period(db, project_id, start, end):
    """Servers of ``project_id`` (None: all) alive at some time in [start, end)."""
    query = sa.select(models.Instance).where(
        models.Instance.created_at < end,
        sa.or_(models.Instance.terminated_at.is_(None), models.Instance.terminated_at >= start))
    if project_id is not None:
        query = query.where(models.Instance.project_id == project_id)
    with db.session() as sess:
        return [to_dict(r, sess, with_extra=False) for r in sess.execute(query).scalars()]


def _apply_filters(query, filters):
    M = models.Instance
    filters = dict(filters or {})
    deleted = filters.pop('deleted', None)
    changes_since = filters.pop('changes-since', None) or filters.pop('changes_since', None)
    if changes_since is not None:
        query = query.where(M.updated_at >= changes_since)
    elif deleted is None:
        query = query.where(M.deleted.is_(False))
    if deleted is not None:
        query = query.where(M.deleted.is_(bool(deleted)))
    changes_before = filters.pop('changes-before', None)
    if changes_before is not None:
        query = query.where(M.updated_at <= changes_before)
    for key, column in (('project_id', M.project_id), ('user_id', M.user_id),
                        ('image', M.image_ref), ('flavor', M.flavor_id), ('host', M.host),
                        ('node', M.node), ('availability_zone', M.availability_zone),
                        ('reservation_id', M.reservation_id), ('key_name', M.key_name),
                        ('uuid', M.uuid), ('vm_state', M.vm_state),
                        ('task_state', M.task_state), ('power_state', M.power_state),
                        ('locked', M.locked), ('launch_index', M.launch_index)):
        value = filters.pop(key, None)
        if value is None:
            continue
        query = query.where(column.in_(value) if isinstance(value, (list, tuple))
                            else column == value)
    status = filters.pop('status', None)
    if status is not None:
        statuses = status if isinstance(status, (list, tuple)) else [status]
        clauses = []
        for st in statuses:
            for vm, task in states.vm_states_for_status(st):
                clauses.append(M.vm_state == vm if task is None
                               else sa.and_(M.vm_state == vm, M.task_state == task))
        query = query.where(sa.or_(*clauses) if clauses else sa.false())
    for key in ('tags', 'tags-any', 'not-tags', 'not-tags-any'):
        value = filters.pop(key, None)
        if not value:
            continue
        tags = value if isinstance(value, (list, tuple)) else value.split(',')
        has = lambda tag: sa.exists().where(models.InstanceTag.instance_uuid == M.uuid,  # noqa
                                            models.InstanceTag.tag == tag)
        if key == 'tags':
            query = query.where(sa.and_(*[has(t) for t in tags]))
        elif key == 'tags-any':
            query = query.where(sa.or_(*[has(t) for t in tags]))
        elif key == 'not-tags':
            query = query.where(sa.not_(sa.and_(*[has(t) for t in tags])))
        else:
            query = query.where(sa.not_(sa.or_(*[has(t) for t in tags])))
    return query, filters


def list_instances(db, filters=None, sort_keys=None, sort_dirs=None, limit=None, marker=None):
    """Servers matching ``filters`` (column equality, status, tags, changes-since, and the
    regex filters name/ip/ip6 applied in Python as Nova does), newest first by default."""
    M = models.Instance
    query, rest = _apply_filters(sa.select(M), filters)
    name_re = rest.pop('name', None)
    ip_re = rest.pop('ip', None)
    ip6_re = rest.pop('ip6', None)
    sort_keys = list(sort_keys or ['created_at'])
    sort_dirs = list(sort_dirs or ['desc'] * len(sort_keys))
    if 'uuid' not in sort_keys:
        sort_keys.append('uuid')
        sort_dirs.append(sort_dirs[0] if sort_dirs else 'desc')
    keys = [(getattr(M, key), direction) for key, direction in zip(sort_keys, sort_dirs)]
    query = query.order_by(*common_query.order(keys))
    in_python = name_re or ip_re or ip6_re
    with db.session() as sess:
        marker_row = None
        if marker is not None:
            # A marker filtered out of this list (or deleted) still marks a place in it.
            marker_row = sess.execute(sa.select(M).where(M.uuid == marker)).scalar()
            if marker_row is None:
                raise exceptions.MarkerNotFound(marker)
            query = query.where(common_query.after(keys, marker_row))
        if not in_python and limit is not None:
            query = query.limit(limit)   # the page is cut in SQL: no row beyond it is read
        rows = sess.execute(query).scalars().all()
        if name_re:
            pattern = re.compile(name_re)
            rows = [r for r in rows if pattern.search(r.display_name or '')]
        for pattern_text, version in ((ip_re, 4), (ip6_re, 6)):
            if pattern_text:
                pattern = re.compile(pattern_text)
                rows = [r for r in rows if any(
                    pattern.search(ip['address']) for vif in (r.network_info or [])
                    for ip in vif.get('fixed_ips', []) if ip.get('version', 4) == version)]
        if limit is not None:
            rows = rows[:limit]
        extras = _extras(sess, [r.uuid for r in rows])
        return [to_dict(r, sess, extras=extras) for r in rows]


def set_tags(db, uuid, tags):
    with db.session() as sess:
        sess.execute(sa.delete(models.InstanceTag).where(
            models.InstanceTag.instance_uuid == uuid))
        for tag in dict.fromkeys(tags):
            sess.add(models.InstanceTag(instance_uuid=uuid, tag=tag))
    return sorted(set(tags))


def expired_since(seconds):
    return types.utcnow() - datetime.timedelta(seconds=seconds)
