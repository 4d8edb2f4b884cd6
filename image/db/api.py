"""Queries of the image database.

Two layers: functions taking a ``db`` (``common.db.api.Database``) run one transaction
each and return plain dicts; they are what the API controllers call.  Functions taking an
open ``session`` are their building blocks, and what the upload and import workers use
inside their own transactions.

Controllers keep their decisions (policy, status rules, quotas): a write that must see
the image as it is locked passes a ``check``/``decide`` function, called inside the
transaction with the image as a dict.
"""
import sqlalchemy as sa

from common import exceptions
from common.db import query as db_query
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


# visibility ---------------------------------------------------------------------
def is_member(session, image_id, project_id):
    """Is the image shared with ``project_id`` (any member status)?"""
    return session.execute(sa.select(models.ImageMember.id).where(
        models.ImageMember.image_id == image_id,
        models.ImageMember.member == project_id)).first() is not None


def can_see(session, ctx, image):
    """Owner, admin, anyone for public/community, members (any status) for shared."""
    if ctx.is_admin or image.visibility in ('public', 'community'):
        return True
    if ctx.project_id and image.owner == ctx.project_id:
        return True
    if image.visibility == 'shared' and ctx.project_id:
        return is_member(session, image.id, ctx.project_id)
    return False


def find_visible(session, ctx, image_id, for_update=False):
    """The image row if the caller may see it; otherwise the same 404 as for a missing
    one (so private image ids cannot be probed)."""
    image = get_image(session, image_id, for_update=for_update)
    if image is None or not can_see(session, ctx, image):
        raise exceptions.NotFound('No image found with ID %s' % image_id)
    return image


# plain dicts ----------------------------------------------------------------------
_COLUMNS = tuple(column.name for column in models.Image.__table__.columns)


def location_dict(row):
    return {'store': row.store, 'url': row.url, 'meta': row.meta}


def location_dicts(session, image_id):
    return [location_dict(row) for row in locations(session, image_id)]


def image_dict(session, row, details=True):
    """The image's columns; with ``details`` also ``tags``, ``properties`` (every custom
    and reserved property) and ``locations`` ([{store, url, meta}])."""
    return image_dicts(session, [row], details)[0]


def image_dicts(session, rows, details=True):
    """``image_dict`` of every row, with three queries in all (not three per image): a
    page of 1,000 images costs as many statements as a page of one."""
    images = [{name: getattr(row, name) for name in _COLUMNS} for row in rows]
    if not details or not images:
        return images
    ids = [image['id'] for image in images]
    by_id = {}
    for image in images:
        image.update(tags=[], properties={}, locations=[])
        by_id[image['id']] = image
    for image_id, value in session.execute(sa.select(
            models.ImageTag.image_id, models.ImageTag.value).where(
            models.ImageTag.image_id.in_(ids)).order_by(models.ImageTag.value)):
        by_id[image_id]['tags'].append(value)
    for image_id, name, value in session.execute(sa.select(
            models.ImageProperty.image_id, models.ImageProperty.name,
            models.ImageProperty.value).where(models.ImageProperty.image_id.in_(ids))):
        by_id[image_id]['properties'][name] = value
    for row in session.execute(sa.select(models.ImageLocation).where(
            models.ImageLocation.image_id.in_(ids)).order_by(
            models.ImageLocation.id)).scalars():
        by_id[row.image_id]['locations'].append(location_dict(row))
    return images


def member_dict(row):
    return {'member': row.member, 'image_id': row.image_id, 'status': row.status,
            'created_at': row.created_at, 'updated_at': row.updated_at}


# images, one transaction each -------------------------------------------------------
def get_visible(db, ctx, image_id):
    """The image (with details) if the caller may see it, else 404."""
    with db.session() as session:
        return image_dict(session, find_visible(session, ctx, image_id))


def image_gone(db, image_id):
    """True once the image is deleted (or never was)."""
    with db.session() as session:
        return get_image(session, image_id) is None


def create_image(db, values, props, tag_values):
    """A new image from ``values`` (columns), its custom properties and tags; 409 if the
    id was ever used."""
    with db.session() as session:
        if image_exists(session, values['id']):
            raise exceptions.Conflict('Image with identifier %s already exists!'
                                      % values['id'])
        row = models.Image(**values)
        session.add(row)
        session.flush()
        set_properties(session, row.id, props)
        set_tags(session, row.id, tag_values)
        return image_dict(session, row)


def update_image(db, ctx, image_id, decide):
    """Change a visible image under a row lock: ``decide(image)`` gets the image (with
    details) and returns None (change nothing) or a dict with any of ``fields`` (columns
    to set), ``properties`` (the complete new set) and ``tags`` (the complete new list).
    Returns the image as it is afterwards."""
    with db.session() as session:
        row = find_visible(session, ctx, image_id, for_update=True)
        change = decide(image_dict(session, row))
        if change is None:
            return image_dict(session, row)
        for name, value in change.get('fields', {}).items():
            setattr(row, name, value)
        if change.get('properties') is not None:
            set_properties(session, image_id, change['properties'])
        if change.get('tags') is not None:
            set_tags(session, image_id, change['tags'])
        touch(session, row)
        session.flush()
        return image_dict(session, row)


def delete_image(db, ctx, image_id, check):
    """Mark a visible image deleted and drop its locations once ``check(image)`` passed;
    returns the locations, whose data the caller removes."""
    with db.session() as session:
        row = find_visible(session, ctx, image_id, for_update=True)
        check(image_dict(session, row, details=False))
        locs = locations(session, image_id)
        row.status, row.deleted, row.deleted_at = 'deleted', True, types.utcnow()
        touch(session, row)
        for loc in locs:
            session.delete(loc)
        return [location_dict(loc) for loc in locs]


def remove_store_copy(db, ctx, image_id, store, check):
    """Drop the image's copy in ``store`` once ``check(image)`` (with details) passed;
    returns the removed location (its data is the caller's to delete)."""
    with db.session() as session:
        row = find_visible(session, ctx, image_id, for_update=True)
        check(image_dict(session, row))
        gone = remove_locations(session, image_id, [store])
        touch(session, row)
        return gone[0]


def add_location(session, image_id, store, url, meta):
    session.add(models.ImageLocation(image_id=image_id, store=store, url=url, meta=meta))
    session.flush()


def remove_locations(session, image_id, stores):
    """Drop the image's locations in ``stores``; returns them (dicts)."""
    gone = [loc for loc in locations(session, image_id) if loc.store in stores]
    for loc in gone:
        session.delete(loc)
    return [location_dict(loc) for loc in gone]


# members, one transaction each ------------------------------------------------------
def image_members(db, ctx, image_id):
    """``(image, members)`` of a visible image (members as dicts, oldest first)."""
    with db.session() as session:
        row = find_visible(session, ctx, image_id)
        return (image_dict(session, row, details=False),
                [member_dict(m) for m in members(session, image_id)])


def add_member(db, ctx, image_id, member_id, check):
    """Share a visible image with ``member_id`` (pending) once ``check(image, members)``
    passed; returns the member."""
    with db.session() as session:
        row = find_visible(session, ctx, image_id)
        check(image_dict(session, row, details=False),
              [member_dict(m) for m in members(session, image_id)])
        now = types.utcnow()
        member = models.ImageMember(image_id=image_id, member=member_id, status='pending',
                                    created_at=now, updated_at=now)
        session.add(member)
        session.flush()
        return member_dict(member)


def set_member_status(db, ctx, image_id, member_id, status, check):
    """Set a member's status once ``check(image, member or None)`` passed."""
    with db.session() as session:
        row = find_visible(session, ctx, image_id)
        member = get_member(session, image_id, member_id)
        check(image_dict(session, row, details=False),
              member_dict(member) if member is not None else None)
        member.status, member.updated_at = status, types.utcnow()
        session.flush()
        return member_dict(member)


def remove_member(db, ctx, image_id, member_id, check):
    """Stop sharing once ``check(image, member or None)`` passed."""
    with db.session() as session:
        row = find_visible(session, ctx, image_id)
        member = get_member(session, image_id, member_id)
        check(image_dict(session, row, details=False),
              member_dict(member) if member is not None else None)
        session.delete(member)


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


def _times(column):
    """Values ``[(operator, datetime)]``, all of which must hold."""
    return lambda values: sa.and_(*[_OPS[op](column, when) for op, when in values])


def _tags_all(values):
    tag = models.ImageTag
    return sa.and_(*[sa.select(tag.value).where(tag.image_id == models.Image.id,
                                                tag.value == value).exists()
                     for value in values])


def _property_is(name):
    prop = models.ImageProperty
    return lambda values: sa.select(prop.name).where(
        prop.image_id == models.Image.id, prop.name == name, prop.value.in_(values)).exists()


_IMG = models.Image
FIELDS = {key: db_query.Field(getattr(_IMG, key), 'int' if key in (
    'size', 'virtual_size', 'min_disk', 'min_ram') else 'str') for key in SORT_KEYS}
FIELDS.update({
    'protected': db_query.Field(_IMG.protected, 'bool', sortable=False),
    'os_hidden': db_query.Field(_IMG.os_hidden, 'bool', sortable=False),
    'size_min': db_query.Field(_IMG.size, 'int', clause=lambda v: _IMG.size >= v[0],
                               sortable=False),
    'size_max': db_query.Field(_IMG.size, 'int', clause=lambda v: _IMG.size <= v[0],
                               sortable=False),
    'created_at': db_query.Field(_IMG.created_at, clause=_times(_IMG.created_at)),
    'updated_at': db_query.Field(_IMG.updated_at, clause=_times(_IMG.updated_at)),
    'tag': db_query.Field(None, clause=_tags_all),
})
PROPERTY_PREFIX = 'property:'


def _fields_for(filters):
    """FIELDS plus one field per custom property filtered on (``property:<name>``)."""
    fields = dict(FIELDS)
    for key in filters:
        if key.startswith(PROPERTY_PREFIX):
            fields[key] = db_query.Field(None, clause=_property_is(key[len(PROPERTY_PREFIX):]))
    return fields


def list_visible(db, ctx, filters, sorts, limit, marker_id=None, visibility=None,
                 member_status='accepted'):
    """One page of the images the caller may list, as dicts.

    ``filters`` {name: [values]} over FIELDS (times: ``[(op, datetime)]``; custom
    properties as ``property:<name>``); ``sorts`` [(key, dir)] (ties broken by id in the
    last direction); at most ``limit`` images after the image ``marker_id`` (400 if the
    caller cannot see it)."""
    if not limit:
        return []
    if 'id' not in [k for k, _d in sorts]:
        sorts = list(sorts) + [('id', sorts[-1][1] if sorts else 'desc')]
    scope = sa.and_(_IMG.deleted.is_(False), visibility_clause(
        ctx.project_id, ctx.is_admin, visibility, member_status))

    def run(session):
        marker = None
        if marker_id:
            marker = get_image(session, marker_id)
            if marker is None or not can_see(session, ctx, marker):
                raise exceptions.BadRequest('Invalid marker. Image %s could not be found.'
                                            % marker_id)
        stmt = db_query.build(_IMG, _fields_for(filters), scope, filters, sorts, limit,
                              marker)
        rows, _more = db_query.page(session, stmt, limit)
        return image_dicts(session, rows)
    with db.session() as session:
        return run(session)


# imports ----------------------------------------------------------------------------
def unfinished_imports(session):
    return list(session.execute(sa.select(models.ImportJob).where(
        models.ImportJob.state.in_(('pending', 'processing'))).order_by(
        models.ImportJob.created_at)).scalars())


def images_in_status(session, statuses):
    return list(session.execute(sa.select(models.Image).where(
        models.Image.deleted.is_(False), models.Image.status.in_(statuses))).scalars())


def add_import_job(session, job_id, image_id, method, stores, all_must_succeed, task=None):
    """Record a pending job; ``task``: its task fields (task_type, owner, user_id,
    request_id, task_input)."""
    now = types.utcnow()
    session.add(models.ImportJob(id=job_id, image_id=image_id, method=method,
                                 stores=list(stores), all_stores_must_succeed=all_must_succeed,
                                 state='pending', created_at=now, updated_at=now,
                                 **(task or {})))
    session.flush()


# tasks: the jobs as /v2/tasks shows them ----------------------------------------------
def task_dict(job):
    return {'id': job.id, 'type': job.task_type or 'api_image_import', 'status': job.state,
            'owner': job.owner, 'user_id': job.user_id, 'request_id': job.request_id,
            'input': job.task_input or {}, 'result': job.result, 'message': job.message or '',
            'image_id': job.image_id, 'expires_at': job.expires_at,
            'created_at': job.created_at, 'updated_at': job.updated_at}


def _task_scope(ctx):
    job = models.ImportJob
    alive = sa.or_(job.expires_at.is_(None), job.expires_at > types.utcnow())
    if ctx.is_admin:
        return alive
    return sa.and_(alive, job.owner == ctx.project_id) if ctx.project_id else sa.false()


TASK_FIELDS = {
    'id': db_query.Field(models.ImportJob.id),
    'status': db_query.Field(models.ImportJob.state),
    'type': db_query.Field(sa.func.coalesce(models.ImportJob.task_type, 'api_image_import'),
                           sortable=False),
    'created_at': db_query.Field(models.ImportJob.created_at),
    'updated_at': db_query.Field(models.ImportJob.updated_at),
}
TASK_SORT_KEYS = ('created_at', 'updated_at', 'id', 'status')


def get_task(db, ctx, task_id):
    """A task the caller may see (its project's, or any for an admin), else 404."""
    with db.session() as session:
        job = session.execute(sa.select(models.ImportJob).where(
            models.ImportJob.id == task_id, _task_scope(ctx))).scalar_one_or_none()
        if job is None:
            raise exceptions.NotFound('Task with the given id %s was not found.' % task_id)
        return task_dict(job)


def list_tasks(db, ctx, filters, sorts, limit, marker_id=None):
    def run(session):
        marker = None
        if marker_id:
            marker = session.execute(sa.select(models.ImportJob).where(
                models.ImportJob.id == marker_id, _task_scope(ctx))).scalar_one_or_none()
            if marker is None:
                raise exceptions.BadRequest('Invalid marker. Task %s could not be found.'
                                            % marker_id)
        stmt = db_query.build(models.ImportJob, TASK_FIELDS, _task_scope(ctx), filters,
                              sorts, limit, marker)
        rows, _more = db_query.page(session, stmt, limit)
        return [task_dict(job) for job in rows]
    with db.session() as session:
        return run(session)


def image_tasks(db, ctx, image_id):
    """``(image, tasks)``: a visible image and the tasks that worked on it, oldest first."""
    with db.session() as session:
        row = find_visible(session, ctx, image_id)
        jobs = session.execute(sa.select(models.ImportJob).where(
            models.ImportJob.image_id == image_id).order_by(
            models.ImportJob.created_at, models.ImportJob.id)).scalars()
        return image_dict(session, row, details=False), [task_dict(job) for job in jobs]


def import_job(session, job_id):
    return session.get(models.ImportJob, job_id)
