"""Queries of the image database.  Callers pass an open session (``db.session()``)."""
import sqlalchemy as sa

from common.db import types
from image.db import models

SORT_KEYS = ('name', 'status', 'container_format', 'disk_format', 'size', 'virtual_size',
             'id', 'created_at', 'updated_at', 'visibility', 'owner', 'min_disk', 'min_ram')
LISTED_COLUMNS = ('name', 'status', 'disk_format', 'container_format', 'id', 'owner')


def get_image(session, image_id, for_update=False):
    """The image row (not deleted) or None."""
    query = sa.select(models.Image).where(models.Image.id == image_id,
                                          models.Image.deleted.is_(False))
    if for_update:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def image_exists(session, image_id):
    """True if any row (even a deleted one) uses the id: ids are never reused."""
    return session.get(models.Image, image_id) is not None


def properties(session, image_id):
    rows = session.execute(sa.select(models.ImageProperty).where(
        models.ImageProperty.image_id == image_id)).scalars()
    return {row.name: row.value for row in rows}


def tags(session, image_id):
    rows = session.execute(sa.select(models.ImageTag.value).where(
        models.ImageTag.image_id == image_id).order_by(models.ImageTag.value)).scalars()
    return list(rows)


def locations(session, image_id):
    return list(session.execute(sa.select(models.ImageLocation).where(
        models.ImageLocation.image_id == image_id).order_by(models.ImageLocation.id)).scalars())


def set_properties(session, image_id, values):
    """Make the image's custom properties exactly ``values``."""
    current = properties(session, image_id)
    for name in set(current) - set(values):
        session.execute(sa.delete(models.ImageProperty).where(
            models.ImageProperty.image_id == image_id, models.ImageProperty.name == name))
    for name, value in values.items():
        if name not in current:
            session.add(models.ImageProperty(image_id=image_id, name=name, value=value))
        elif current[name] != value:
            session.execute(sa.update(models.ImageProperty).where(
                models.ImageProperty.image_id == image_id,
                models.ImageProperty.name == name).values(value=value))
    session.flush()


def set_property(session, image_id, name, value):
    """Set one property (None removes it)."""
    current = properties(session, image_id)
    if value is None:
        current.pop(name, None)
    else:
        current[name] = value
    set_properties(session, image_id, current)


def set_tags(session, image_id, values):
    current = set(tags(session, image_id))
    wanted = set(values)
    if current - wanted:
        session.execute(sa.delete(models.ImageTag).where(
            models.ImageTag.image_id == image_id, models.ImageTag.value.in_(current - wanted)))
    for value in wanted - current:
        session.add(models.ImageTag(image_id=image_id, value=value))
    session.flush()


def transition(session, image_id, from_statuses, to_status, **values):
    """Atomically move an image from one of ``from_statuses`` to ``to_status``.

    True if this call made the change; False if the image was not in such a status (a
    concurrent request got there first).
    """
    result = session.execute(sa.update(models.Image).where(
        models.Image.id == image_id, models.Image.deleted.is_(False),
        models.Image.status.in_(from_statuses)).values(
            status=to_status, updated_at=types.utcnow(), **values))
    return result.rowcount == 1


def touch(session, image):
    image.updated_at = types.utcnow()


def usage(session, owner, exclude_image=None):
    """Bytes the project's images hold across all stores (staged data counted once)."""
    img, loc = models.Image, models.ImageLocation
    copies = sa.select(sa.func.count(loc.id)).where(loc.image_id == img.id).scalar_subquery()
    query = sa.select(sa.func.coalesce(sa.func.sum(
        img.size * sa.case((copies > 0, copies), else_=1)), 0)).where(
        img.owner == owner, img.deleted.is_(False), img.size.isnot(None))
    if exclude_image:
        query = query.where(img.id != exclude_image)
    return int(session.execute(query).scalar_one())


# members -----------------------------------------------------------------------
def members(session, image_id, member=None):
    query = sa.select(models.ImageMember).where(models.ImageMember.image_id == image_id)
    if member is not None:
        query = query.where(models.ImageMember.member == member)
    return list(session.execute(query.order_by(models.ImageMember.id)).scalars())


def get_member(session, image_id, member):
    found = members(session, image_id, member)
    return found[0] if found else None


# listing ------------------------------------------------------------------------
def _member_exists(project_id, member_status):
    mem = models.ImageMember
    clause = sa.select(mem.id).where(mem.image_id == models.Image.id, mem.member == project_id)
    if member_status != 'all':
        clause = clause.where(mem.status == member_status)
    return clause.exists()


def visibility_clause(project_id, is_admin, visibility, member_status):
    """Which images a caller lists for a visibility filter (None: the default listing)."""
    img = models.Image
    if is_admin:
        if visibility in (None, 'all'):
            return sa.true()
        return img.visibility == visibility
    own = img.owner == project_id if project_id else sa.false()
    shared_with = sa.and_(img.visibility == 'shared', _member_exists(project_id, member_status)) \
        if project_id else sa.false()
    if visibility is None:
        return sa.or_(img.visibility == 'public', own, shared_with)
    if visibility == 'all':
        return sa.or_(img.visibility.in_(('public', 'community')), own, shared_with)
    if visibility == 'private':
        return sa.and_(img.visibility == 'private', own)
    if visibility == 'shared':
        return sa.and_(img.visibility == 'shared', sa.or_(own, shared_with))
    return img.visibility == visibility


_OPS = {'eq': lambda c, v: c == v, 'neq': lambda c, v: c != v, 'gt': lambda c, v: c > v,
        'gte': lambda c, v: c >= v, 'lt': lambda c, v: c < v, 'lte': lambda c, v: c <= v}


def filter_clauses(filters):
    """SQL conditions for the parsed list filters (see image.api.listing)."""
    img = models.Image
    where = []
    for column in LISTED_COLUMNS:
        if column in filters:
            op, value = filters[column]
            col = getattr(img, column)
            where.append(col.in_(value) if op == 'in' else col == value)
    for column in ('protected', 'os_hidden'):
        if filters.get(column) is not None:
            where.append(getattr(img, column).is_(filters[column]))
    if filters.get('size_min') is not None:
        where.append(img.size >= filters['size_min'])
    if filters.get('size_max') is not None:
        where.append(img.size <= filters['size_max'])
    for column in ('created_at', 'updated_at'):
        for op, value in filters.get(column, ()):
            where.append(_OPS[op](getattr(img, column), value))
    for tag in filters.get('tags', ()):
        where.append(sa.select(models.ImageTag.value).where(
            models.ImageTag.image_id == img.id, models.ImageTag.value == tag).exists())
    for name, value in filters.get('properties', {}).items():
        prop = models.ImageProperty
        where.append(sa.select(prop.name).where(prop.image_id == img.id, prop.name == name,
                                                prop.value == value).exists())
    return where


def _null_rank(col):
    # NULLs sort before values ascending on every dialect we support (they disagree natively).
    return sa.case((col.is_(None), 0), else_=1)


def _after(col, direction, value):
    """Rows strictly after ``value`` in this column's order (NULL first ascending)."""
    if direction == 'asc':
        return col.isnot(None) if value is None else col > value
    return sa.false() if value is None else sa.or_(col < value, col.is_(None))


def _same(col, value):
    return col.is_(None) if value is None else col == value


def list_images(session, where, sort, marker=None, limit=25):
    """Image rows matching ``where``, ordered by ``sort`` [(key, dir)], after ``marker``."""
    img = models.Image
    if 'id' not in [k for k, _d in sort]:
        sort = list(sort) + [('id', sort[-1][1] if sort else 'desc')]
    query = sa.select(img).where(img.deleted.is_(False), *where)
    order = []
    for key, direction in sort:
        col = getattr(img, key)
        rank = _null_rank(col)
        order += [rank.asc(), col.asc()] if direction == 'asc' else [rank.desc(), col.desc()]
    if marker is not None:
        options = []
        for i, (key, direction) in enumerate(sort):
            prefix = [_same(getattr(img, k), getattr(marker, k)) for k, _d in sort[:i]]
            options.append(sa.and_(*prefix, _after(getattr(img, key), direction,
                                                   getattr(marker, key))))
        query = query.where(sa.or_(*options))
    return list(session.execute(query.order_by(*order).limit(limit)).scalars())


# imports ----------------------------------------------------------------------------
def unfinished_imports(session):
    return list(session.execute(sa.select(models.ImportJob).where(
        models.ImportJob.state.in_(('pending', 'processing'))).order_by(
        models.ImportJob.created_at)).scalars())


def images_in_status(session, statuses):
    return list(session.execute(sa.select(models.Image).where(
        models.Image.deleted.is_(False), models.Image.status.in_(statuses))).scalars())
