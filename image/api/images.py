"""Images: create, list, show, update (JSON Patch), delete, deactivate and reactivate."""
import json
import logging
import uuid

from common import exceptions
from common import validation
from common.db import types
from common.wsgi import middleware
from common.wsgi import response as wsgi_response
from image import access
from image.api import listing
from image.api import patch as patch_mod
from image.api import schemas
from image.api import views
from image.db import api as image_db
from image.db import models

LOG = logging.getLogger(__name__)


def _check_quotas(conf, props, tags):
    if len(props) > conf.image_property_quota:
        raise exceptions.RequestEntityTooLarge(
            'Attempted to set %d properties; the limit is %d.'
            % (len(props), conf.image_property_quota))
    if len(tags) > conf.image_tag_quota:
        raise exceptions.RequestEntityTooLarge(
            'Attempted to set %d tags; the limit is %d.' % (len(tags), conf.image_tag_quota))


def check_visibility_change(engine, ctx, image_owner, visibility):
    if visibility == 'public':
        engine.authorize(ctx, 'publicize_image', owner=image_owner, visibility=visibility)
    elif visibility == 'community':
        engine.authorize(ctx, 'communitize_image', owner=image_owner, visibility=visibility)


class ImagesController:
    def __init__(self, engine):
        self.engine = engine

    def _headers(self):
        return {'OpenStack-image-import-methods': ','.join(
                    self.engine.conf.enabled_import_methods),
                'OpenStack-image-store-ids': ','.join(self.engine.stores.names())}

    # create ------------------------------------------------------------------------
    def create(self, req):
        ctx = middleware.get_context(req)
        body = wsgi_response.json_body(req)
        for name in body:
            if name != 'id':
                patch_mod.check_writable(name)
        validation.validate(schemas.CREATE, body)
        owner = body.get('owner') or ctx.project_id
        if owner != ctx.project_id and not ctx.is_admin:
            raise exceptions.Forbidden("You are not permitted to create images owned by '%s'."
                                       % owner)
        self.engine.authorize(ctx, 'add_image', owner=owner)
        visibility = body.get('visibility', 'shared')
        check_visibility_change(self.engine, ctx, owner, visibility)
        tags = sorted(set(body.get('tags', [])))
        props = {k: v for k, v in body.items() if k not in schemas.CORE + ('id',)}
        _check_quotas(self.engine.conf, props, tags)
        image_id = body.get('id') or str(uuid.uuid4())
        now = types.utcnow()
        with self.engine.db.session() as session:
            if image_db.image_exists(session, image_id):
                raise exceptions.Conflict('Image with identifier %s already exists!' % image_id)
            row = models.Image(
                id=image_id, name=body.get('name'), status='queued', visibility=visibility,
                owner=owner, disk_format=body.get('disk_format'),
                container_format=body.get('container_format'),
                min_disk=body.get('min_disk', 0), min_ram=body.get('min_ram', 0),
                protected=body.get('protected', False), os_hidden=body.get('os_hidden', False),
                created_at=now, updated_at=now)
            session.add(row)
            session.flush()
            image_db.set_properties(session, image_id, props)
            image_db.set_tags(session, image_id, tags)
            doc = views.image(self.engine, ctx, session, row)
        LOG.info('image %s created by project %s', image_id, owner)
        return wsgi_response.json_response(doc, status=201, headers=dict(
            self._headers(), Location='/v2/images/%s' % image_id))

    # read --------------------------------------------------------------------------
    def show(self, req, image_id):
        ctx = middleware.get_context(req)
        with self.engine.db.session() as session:
            row = access.find_image(session, ctx, image_id)
            self.engine.authorize(ctx, 'get_image', row)
            return views.image(self.engine, ctx, session, row)

    def index(self, req):
        ctx = middleware.get_context(req)
        self.engine.authorize(ctx, 'get_images', owner=ctx.project_id)
        params = req.GET
        conf = self.engine.conf
        found = listing.filters(params)
        sort = listing.sorting(params)
        limit = listing.limit(params, conf.limit_param_default, conf.api_limit_max)
        where = [image_db.visibility_clause(ctx.project_id, ctx.is_admin, found['visibility'],
                                            found['member_status'])]
        where += image_db.filter_clauses(found)
        with self.engine.db.session() as session:
            marker = None
            marker_id = params.get('marker')
            if marker_id:
                marker = image_db.get_image(session, marker_id)
                if marker is None or not access.can_see(session, ctx, marker):
                    raise exceptions.BadRequest('Invalid marker. Image %s could not be found.'
                                                % marker_id)
            rows = image_db.list_images(session, where, sort, marker, limit) if limit else []
            docs = [views.image(self.engine, ctx, session, row) for row in rows]
        body = {'images': docs, 'schema': '/v2/schemas/images'}
        body.update(listing.links(params, rows[-1].id if rows else None,
                                  limit and len(rows) == limit))
        return body

    # update ------------------------------------------------------------------------
    def update(self, req, image_id):
        ctx = middleware.get_context(req)
        ctype = (req.content_type or '').lower()
        if ctype not in patch_mod.MEDIA_TYPES:
            raise exceptions.UnsupportedMediaType(
                'Content-Type %s is not supported for image updates; use %s.'
                % (ctype or '(none)', patch_mod.MEDIA_TYPES[0]))
        changes = patch_mod.parse(_json_list(req))
        with self.engine.db.session() as session:
            row = access.find_image(session, ctx, image_id, for_update=True)
            access.require_owner(ctx, row)
            self.engine.authorize(ctx, 'modify_image', row)
            core = {name: getattr(row, name) for name in schemas.CORE if name != 'tags'}
            core['tags'] = image_db.tags(session, image_id)
            props = {k: v for k, v in image_db.properties(session, image_id).items()
                     if not k.startswith(schemas.RESERVED_PREFIX)}
            reserved = {k: v for k, v in image_db.properties(session, image_id).items()
                        if k.startswith(schemas.RESERVED_PREFIX)}
            new_core, new_props = patch_mod.apply(core, props, changes)
            self._check_update(ctx, row, core, new_core)
            _check_quotas(self.engine.conf, new_props, new_core['tags'])
            for name, value in new_core.items():
                if name != 'tags' and value != core[name]:
                    setattr(row, name, value)
            image_db.set_properties(session, image_id, dict(new_props, **reserved))
            image_db.set_tags(session, image_id, new_core['tags'])
            image_db.touch(session, row)
            session.flush()
            return views.image(self.engine, ctx, session, row)

    def _check_update(self, ctx, row, old, new):
        if new['visibility'] != old['visibility']:
            check_visibility_change(self.engine, ctx, row.owner, new['visibility'])
        if new['owner'] != old['owner']:
            self.engine.authorize(ctx, 'set_image_owner', row)
        for name in ('disk_format', 'container_format'):
            if new[name] != old[name] and row.status != 'queued':
                raise exceptions.Forbidden('Attribute %s can be only replaced for a queued '
                                           'image.' % name)
        for name in ('min_disk', 'min_ram'):
            if new[name] is None:
                raise exceptions.BadRequest("Invalid input for field '%s': None is not of type "
                                            "'integer'." % name)

    # delete ------------------------------------------------------------------------
    def delete(self, req, image_id):
        ctx = middleware.get_context(req)
        with self.engine.db.session() as session:
            row = access.find_image(session, ctx, image_id, for_update=True)
            access.require_owner(ctx, row, 'delete')
            self.engine.authorize(ctx, 'delete_image', row)
            if row.protected:
                raise exceptions.Forbidden('Image %s is protected and cannot be deleted.'
                                           % image_id)
            locations = image_db.locations(session, image_id)
            row.status, row.deleted, row.deleted_at = 'deleted', True, types.utcnow()
            image_db.touch(session, row)
            for loc in locations:
                session.delete(loc)
        self.engine.remove_data(image_id, locations)
        self.engine.remove_staging(image_id)
        LOG.info('image %s deleted', image_id)

    # actions -----------------------------------------------------------------------
    def deactivate(self, req, image_id):
        self._toggle(req, image_id, 'deactivate', 'active', 'deactivated')

    def reactivate(self, req, image_id):
        self._toggle(req, image_id, 'reactivate', 'deactivated', 'active')

    def _toggle(self, req, image_id, rule, from_status, to_status):
        ctx = middleware.get_context(req)
        with self.engine.db.session() as session:
            row = access.find_image(session, ctx, image_id, for_update=True)
            self.engine.authorize(ctx, rule, row)
            if row.status == to_status:
                return None
            if row.status != from_status:
                raise exceptions.Forbidden('Not allowed to %s image in status %s.'
                                           % (rule, row.status))
            row.status = to_status
            image_db.touch(session, row)
        return None


def _json_list(req):
    raw = req.body
    if not raw:
        raise exceptions.BadRequest('The request body is missing; a JSON Patch list is '
                                    'required.')
    try:
        return json.loads(raw.decode('utf-8'))
    except (ValueError, UnicodeDecodeError) as exc:
        raise exceptions.BadRequest('Malformed JSON in request body: %s' % exc)
