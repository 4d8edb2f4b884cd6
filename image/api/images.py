"""Images: create, list, show, update (JSON Patch), delete, deactivate and reactivate."""
import logging
import uuid

from common import exceptions
from common import validation
from common.db import types
from common.wsgi import endpoint
from common.wsgi import listing
from common.wsgi import middleware
from common.wsgi import response as wsgi_response
from image import access
from image.api import patch as patch_mod
from image.api import schemas
from image.api import views
from image.db import api as image_db

LOG = logging.getLogger(__name__)

# Query parameters of GET /v2/images that are not custom property filters.
_PAGING = ('limit', 'marker', 'sort_key', 'sort_dir', 'sort')
_IN_FILTERS = ('name', 'status', 'disk_format', 'container_format', 'id', 'owner')
_KNOWN = _PAGING + _IN_FILTERS + ('visibility', 'member_status', 'tag', 'size_min', 'size_max',
                                  'protected', 'os_hidden', 'created_at', 'updated_at')


def list_filters(req):
    """``(filters, visibility, member_status)`` of GET /v2/images, validated (400 naming
    the bad parameter); ``filters`` as image.db.api.list_visible takes them."""
    found = {}
    for name in _IN_FILTERS:
        raw = listing.single(req, name)
        if raw is not None:
            found[name] = listing.in_values(name, raw)
    for value in found.get('status', ()):
        if value not in schemas.STATUSES:
            raise exceptions.BadRequest('Invalid status value: %s (known: %s).'
                                        % (value, ', '.join(schemas.STATUSES)))
    visibility = listing.single(req, 'visibility')
    if visibility is not None and visibility not in schemas.VISIBILITIES + ('all',):
        raise exceptions.BadRequest('Invalid visibility value: %s (known: %s, all).'
                                    % (visibility, ', '.join(schemas.VISIBILITIES)))
    member_status = listing.single(req, 'member_status') or 'accepted'
    if member_status not in schemas.MEMBER_STATUSES + ('all',):
        raise exceptions.BadRequest('Invalid member_status value: %s (known: %s, all).'
                                    % (member_status, ', '.join(schemas.MEMBER_STATUSES)))
    tags = req.GET.getall('tag')
    if tags:
        found['tag'] = tags
    for name in ('size_min', 'size_max'):
        value = listing.count(req, name)
        if value is not None:
            found[name] = [str(value)]
    protected = listing.flag(req, 'protected')
    if protected is not None:
        found['protected'] = [str(protected).lower()]
    found['os_hidden'] = [str(bool(listing.flag(req, 'os_hidden'))).lower()]
    for name in ('created_at', 'updated_at'):
        times = [listing.time_filter(name, raw) for raw in req.GET.getall(name)]
        if times:
            found[name] = times
    for name in set(req.GET) - set(_KNOWN):
        found[image_db.PROPERTY_PREFIX + name] = [listing.single(req, name)]
    return found, visibility, member_status


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


def create_image(engine, ctx, body):
    """A new queued image from a create request's ``body`` (validated, authorized)."""
    if not isinstance(body, dict):
        raise exceptions.BadRequest('The image must be a JSON object.')
    for name in body:
        if name != 'id':
            patch_mod.check_writable(name)
    validation.validate(schemas.CREATE, body)
    owner = body.get('owner') or ctx.project_id
    if owner != ctx.project_id and not ctx.is_admin:
        raise exceptions.Forbidden("You are not permitted to create images owned by '%s'."
                                   % owner)
    engine.authorize(ctx, 'add_image', owner=owner)
    visibility = body.get('visibility', 'shared')
    check_visibility_change(engine, ctx, owner, visibility)
    tags = sorted(set(body.get('tags', [])))
    props = {k: v for k, v in body.items() if k not in schemas.CORE + ('id',)}
    _check_quotas(engine.conf, props, tags)
    image_id = body.get('id') or str(uuid.uuid4())
    now = types.utcnow()
    image = image_db.create_image(engine.db, dict(
        id=image_id, name=body.get('name'), status='queued', visibility=visibility,
        owner=owner, disk_format=body.get('disk_format'),
        container_format=body.get('container_format'),
        min_disk=body.get('min_disk', 0), min_ram=body.get('min_ram', 0),
        protected=body.get('protected', False), os_hidden=body.get('os_hidden', False),
        created_at=now, updated_at=now), props, tags)
    LOG.info('image %s created by project %s', image_id, owner)
    return image


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
        image = create_image(self.engine, ctx, wsgi_response.json_body(req))
        return wsgi_response.json_response(
            views.image(self.engine, ctx, image), status=201, headers=dict(
                self._headers(), Location=endpoint.absolute(
                    self.engine.conf, req, '/v2/images/%s' % image['id'])))

    # read --------------------------------------------------------------------------
    def show(self, req, image_id):
        ctx = middleware.get_context(req)
        image = image_db.get_visible(self.engine.db, ctx, image_id)
        self.engine.authorize(ctx, 'get_image', image)
        return views.image(self.engine, ctx, image)

    def index(self, req):
        ctx = middleware.get_context(req)
        self.engine.authorize(ctx, 'get_images', owner=ctx.project_id)
        conf = self.engine.conf
        filters, visibility, member_status = list_filters(req)
        sorts = listing.sort_spec(req, image_db.SORT_KEYS)
        limit = listing.page_limit(req, conf.limit_param_default, conf.api_limit_max)
        images = image_db.list_visible(self.engine.db, ctx, filters, sorts, limit,
                                       req.GET.get('marker'), visibility, member_status)
        body = {'images': [views.image(self.engine, ctx, i) for i in images],
                'schema': '/v2/schemas/images'}
        body.update(listing.first_next_links(req, '/v2/images',
                                             images[-1]['id'] if images else None,
                                             limit and len(images) == limit))
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

        def decide(image):
            access.require_owner(ctx, image)
            self.engine.authorize(ctx, 'modify_image', image)
            core = {name: image[name] for name in schemas.CORE if name != 'tags'}
            core['tags'] = image['tags']
            props = {k: v for k, v in image['properties'].items()
                     if not k.startswith(schemas.RESERVED_PREFIX)}
            reserved = {k: v for k, v in image['properties'].items()
                        if k.startswith(schemas.RESERVED_PREFIX)}
            new_core, new_props = patch_mod.apply(core, props, changes)
            self._check_update(ctx, image, core, new_core)
            _check_quotas(self.engine.conf, new_props, new_core['tags'])
            return {'fields': {name: value for name, value in new_core.items()
                               if name != 'tags' and value != core[name]},
                    'properties': dict(new_props, **reserved), 'tags': new_core['tags']}
        image = image_db.update_image(self.engine.db, ctx, image_id, decide)
        return views.image(self.engine, ctx, image)

    def _check_update(self, ctx, image, old, new):
        # The stored image was authorized by the caller; so must the image as it would be
        # after the change (a member cannot hand an image to another project even where an
        # operator lets members change owners, nor publish it under a new owner).
        self.engine.authorize(ctx, 'modify_image', owner=new['owner'],
                              visibility=new['visibility'])
        if new['visibility'] != old['visibility'] or new['owner'] != old['owner']:
            check_visibility_change(self.engine, ctx, new['owner'], new['visibility'])
        if new['owner'] != old['owner']:
            self.engine.authorize(ctx, 'set_image_owner', image)
        for name in ('disk_format', 'container_format'):
            if new[name] != old[name] and image['status'] != 'queued':
                raise exceptions.Forbidden('Attribute %s can be only replaced for a queued '
                                           'image.' % name)
        for name in ('min_disk', 'min_ram'):
            if new[name] is None:
                raise exceptions.BadRequest("Invalid input for field '%s': None is not of type "
                                            "'integer'." % name)

    # delete ------------------------------------------------------------------------
    def delete(self, req, image_id):
        ctx = middleware.get_context(req)

        def check(image):
            access.require_owner(ctx, image, 'delete')
            self.engine.authorize(ctx, 'delete_image', image)
            if image['protected']:
                raise exceptions.Forbidden('Image %s is protected and cannot be deleted.'
                                           % image_id)
        locations = image_db.delete_image(self.engine.db, ctx, image_id, check)
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

        def decide(image):
            self.engine.authorize(ctx, rule, image)
            if image['status'] == to_status:
                return None
            if image['status'] != from_status:
                raise exceptions.Forbidden('Not allowed to %s image in status %s.'
                                           % (rule, image['status']))
            return {'fields': {'status': to_status}}
        image_db.update_image(self.engine.db, ctx, image_id, decide)
        return None


def _json_list(req):
    raw = req.body
    if not raw:
        raise exceptions.BadRequest('The request body is missing; a JSON Patch list is '
                                    'required.')
    return wsgi_response.parse_json(raw)
