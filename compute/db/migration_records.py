"""Queries on the migration records (os-migrations): one row per resize, cold or live
migration, written by the engine and moved on by the conductor."""
import sqlalchemy as sa

from common import exceptions as exc
from compute.db import api as db_api
from compute.db import models

MG = models.Migration
IN_PROGRESS = ('queued', 'preparing', 'running', 'pre-migrating', 'migrating', 'post-migrating')
_EQUAL = ('status', 'instance_uuid', 'migration_type', 'source_compute', 'user_id',
          'project_id')


def _flavor_ids(sess, rows):
    wanted = {r.old_flavor_id for r in rows} | {r.new_flavor_id for r in rows}
    wanted.discard(None)
    if not wanted:
        return {}
    F = models.Flavor
    return dict(sess.execute(sa.select(F.flavorid, F.id).where(F.flavorid.in_(wanted))).all())


def _views(sess, rows):
    """Dicts of ``rows`` with the flavors' integer ids (old/new_instance_type_id)."""
    ids = _flavor_ids(sess, rows)
    out = []
    for row in rows:
        data = db_api.row_to_dict(row)
        data['old_instance_type_id'] = ids.get(row.old_flavor_id)
        data['new_instance_type_id'] = ids.get(row.new_flavor_id)
        out.append(data)
    return out


def list_(db, filters=None, limit=None, marker=None):
    """Newest first.  ``filters``: the equality columns of _EQUAL, ``host`` (source or
    destination), ``changes_since``/``changes_before`` (on updated_at, else created_at).
    ``marker`` is a migration uuid (the listing continues after it)."""
    filters = filters or {}
    query = sa.select(MG)
    for key in _EQUAL:
        if filters.get(key) is not None:
            query = query.where(getattr(MG, key) == filters[key])
    if filters.get('host'):
        query = query.where(sa.or_(MG.source_compute == filters['host'],
                                   MG.dest_compute == filters['host']))
    changed = sa.func.coalesce(MG.updated_at, MG.created_at)
    if filters.get('changes_since'):
        query = query.where(changed >= filters['changes_since'])
    if filters.get('changes_before'):
        query = query.where(changed <= filters['changes_before'])
    with db.session() as sess:
        if marker is not None:
            mark = sess.execute(sa.select(MG).where(MG.uuid == marker)).scalar()
            if mark is None:
                raise exc.BadRequest('Marker %s could not be found.' % marker)
            query = query.where(sa.or_(MG.created_at < mark.created_at, sa.and_(
                MG.created_at == mark.created_at, MG.id < mark.id)))
        query = query.order_by(MG.created_at.desc(), MG.id.desc())
        if limit is not None:
            query = query.limit(limit)
        return _views(sess, list(sess.execute(query).scalars()))


def in_progress(db, instance_uuid, migration_type='live-migration'):
    """The server's migrations of ``migration_type`` still running."""
    return [m for m in list_(db, {'instance_uuid': instance_uuid,
                                  'migration_type': migration_type})
            if m['status'] in IN_PROGRESS]
