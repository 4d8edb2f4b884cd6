"""Queries of flavors, their extra specs and project access (os-flavor-access).

A private flavor (``is_public`` false) is visible to admins and to projects given access;
to anyone else it does not exist (404). Functions take the Database and return dicts.
"""
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exceptions
from compute import exceptions as cexc
from compute.db import models

SORT_KEYS = ('flavorid', 'name', 'memory_mb', 'vcpus', 'root_gb', 'ephemeral_gb', 'swap',
             'rxtx_factor', 'id', 'created_at', 'description')


def _visible(query, ctx):
    if ctx is None or ctx.is_admin:
        return query
    access = sa.select(models.FlavorProject.flavor_id).where(
        models.FlavorProject.project_id == ctx.project_id)
    return query.where(sa.or_(models.Flavor.is_public.is_(True),
                              models.Flavor.id.in_(access)))


def _specs(sess, ids):
    out = {i: {} for i in ids}
    if ids:
        for r in sess.execute(sa.select(models.FlavorExtraSpec).where(
                models.FlavorExtraSpec.flavor_id.in_(ids))).scalars():
            out[r.flavor_id][r.key] = r.value
    return out


def _to_dict(row, specs):
    return {'id': row.id, 'flavorid': row.flavorid, 'name': row.name,
            'memory_mb': row.memory_mb, 'vcpus': row.vcpus, 'root_gb': row.root_gb,
            'ephemeral_gb': row.ephemeral_gb, 'swap': row.swap,
            'rxtx_factor': row.rxtx_factor, 'vcpu_weight': row.vcpu_weight,
            'is_public': row.is_public, 'disabled': row.disabled,
            'description': row.description, 'extra_specs': specs,
            'created_at': row.created_at, 'updated_at': row.updated_at}


def _row(sess, ctx, flavorid):
    row = sess.execute(_visible(sa.select(models.Flavor).where(
        models.Flavor.flavorid == str(flavorid)), ctx)).scalar_one_or_none()
    if row is None:
        raise cexc.FlavorNotFound(flavorid)
    return row


def get_by_flavorid(db, flavorid, ctx=None):
    """The flavor with public id ``flavorid`` (as ``ctx`` may see it), else a 404."""
    with db.session() as sess:
        row = _row(sess, ctx, flavorid)
        return _to_dict(row, _specs(sess, [row.id])[row.id])


def list_(db, ctx, is_public=True, min_ram=None, min_disk=None, sort_key='flavorid',
          sort_dir='asc', limit=None, marker=None):
    """Flavors in order. ``is_public``: True (public, plus those shared with the caller's
    project for a non-admin), False (private only), None (every one the caller may see)."""
    query = _visible(sa.select(models.Flavor), ctx)
    if is_public is True and ctx.is_admin:
        query = query.where(models.Flavor.is_public.is_(True))
    elif is_public is False:
        query = query.where(models.Flavor.is_public.is_(False))
    if min_ram is not None:
        query = query.where(models.Flavor.memory_mb >= min_ram)
    if min_disk is not None:
        query = query.where(models.Flavor.root_gb >= min_disk)
    column = getattr(models.Flavor, sort_key)
    query = query.order_by(column.desc() if sort_dir == 'desc' else column.asc(),
                           models.Flavor.id.asc())
    with db.session() as sess:
        rows = list(sess.execute(query).scalars())
        if marker is not None:
            ids = [r.flavorid for r in rows]
            if marker not in ids:
                raise cexc.MarkerNotFound(marker)
            rows = rows[ids.index(marker) + 1:]
        if limit is not None:
            rows = rows[:limit]
        specs = _specs(sess, [r.id for r in rows])
        return [_to_dict(r, specs[r.id]) for r in rows]


def create(db, values, extra_specs=None):
    """A new flavor; a name or id already taken is a 409."""
    with db.session() as sess:
        for field, label in (('name', 'name'), ('flavorid', 'ID')):
            if sess.execute(sa.select(models.Flavor.id).where(
                    getattr(models.Flavor, field) == values[field])).first():
                raise exceptions.Conflict('Flavor with %s %s already exists.'
                                          % (label, values[field]))
        row = models.Flavor(**values)
        sess.add(row)
        try:
            sess.flush()
        except sa_exc.IntegrityError:
            raise exceptions.Conflict('Flavor with name %s already exists.' % values['name'])
        for key, value in (extra_specs or {}).items():
            sess.add(models.FlavorExtraSpec(flavor_id=row.id, key=key, value=value))
        return _to_dict(row, dict(extra_specs or {}))


def update(db, ctx, flavorid, values):
    with db.session() as sess:
        row = _row(sess, ctx, flavorid)
        for key, value in values.items():
            setattr(row, key, value)
        sess.flush()
        return _to_dict(row, _specs(sess, [row.id])[row.id])


def delete(db, ctx, flavorid):
    with db.session() as sess:
        sess.delete(_row(sess, ctx, flavorid))


def set_extra_specs(db, ctx, flavorid, specs):
    """Add or change extra specs; returns all of them."""
    with db.session() as sess:
        row = _row(sess, ctx, flavorid)
        for key, value in specs.items():
            spec = sess.get(models.FlavorExtraSpec, (row.id, key))
            if spec is None:
                sess.add(models.FlavorExtraSpec(flavor_id=row.id, key=key, value=value))
            else:
                spec.value = value
        sess.flush()
        return _specs(sess, [row.id])[row.id]


def delete_extra_spec(db, ctx, flavorid, key):
    with db.session() as sess:
        row = _row(sess, ctx, flavorid)
        spec = sess.get(models.FlavorExtraSpec, (row.id, key))
        if spec is None:
            raise exceptions.NotFound('Flavor %s has no extra specs with key %s.'
                                      % (flavorid, key))
        sess.delete(spec)


def access(db, ctx, flavorid):
    """Projects given access to a private flavor."""
    with db.session() as sess:
        row = _row(sess, ctx, flavorid)
        if row.is_public:
            raise exceptions.NotFound('Access list not available for public flavors.')
        return sorted(r.project_id for r in sess.execute(sa.select(
            models.FlavorProject).where(models.FlavorProject.flavor_id == row.id)).scalars())


def add_access(db, ctx, flavorid, project_id):
    with db.session() as sess:
        row = _row(sess, ctx, flavorid)
        if row.is_public:
            raise exceptions.Conflict('Can not add access to a public flavor.')
        if sess.get(models.FlavorProject, (row.id, project_id)) is not None:
            raise exceptions.Conflict('Flavor access already exists for flavor %s and '
                                      'project %s combination.' % (flavorid, project_id))
        sess.add(models.FlavorProject(flavor_id=row.id, project_id=project_id))


def remove_access(db, ctx, flavorid, project_id):
    with db.session() as sess:
        row = _row(sess, ctx, flavorid)
        link = sess.get(models.FlavorProject, (row.id, project_id))
        if link is None:
            raise exceptions.NotFound('Flavor access not found for %s / %s combination.'
                                      % (flavorid, project_id))
        sess.delete(link)
