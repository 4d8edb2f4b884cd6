"""Image members: sharing an image with other projects, who accept or reject it."""
from common import exceptions
from common import validation
from common.wsgi import middleware
from common.wsgi import response as wsgi_response
from image import access
from image.api import schemas
from image.api import views
from image.db import api as image_db


def _require_shared(image):
    if image['visibility'] != 'shared':
        raise exceptions.Forbidden('Only shared images have members; image %s is %s.'
                                   % (image['id'], image['visibility']))


def _not_a_member(member_id, image_id):
    return exceptions.NotFound('Project %s is not a member of image %s.'
                               % (member_id, image_id))


class MembersController:
    def __init__(self, engine):
        self.engine = engine

    def index(self, req, image_id):
        ctx = middleware.get_context(req)
        image, members = image_db.image_members(self.engine.db, ctx, image_id)
        _require_shared(image)
        self.engine.authorize(ctx, 'get_members', image)
        # A member project sees only its own membership, never the other members.
        if not access.owns(ctx, image):
            members = [m for m in members if m['member'] == ctx.project_id]
        return {'members': [views.member(m) for m in members],
                'schema': '/v2/schemas/members'}

    def show(self, req, image_id, member_id):
        ctx = middleware.get_context(req)
        image, members = image_db.image_members(self.engine.db, ctx, image_id)
        _require_shared(image)
        self.engine.authorize(ctx, 'get_member', image, member_id=member_id)
        found = [m for m in members if m['member'] == member_id]
        if not found or not (access.owns(ctx, image) or member_id == ctx.project_id):
            raise _not_a_member(member_id, image_id)
        return views.member(found[0])

    def create(self, req, image_id):
        ctx = middleware.get_context(req)
        body = validation.validate(schemas.MEMBER_CREATE, wsgi_response.json_body(req))
        member_id = body['member']
        quota = self.engine.conf.image_member_quota

        def check(image, members):
            _require_shared(image)
            access.require_owner(ctx, image, 'share')
            self.engine.authorize(ctx, 'add_member', image, member_id=member_id)
            if any(m['member'] == member_id for m in members):
                raise exceptions.Conflict('Project %s is already a member of image %s.'
                                          % (member_id, image_id))
            if len(members) >= quota:
                raise exceptions.RequestEntityTooLarge(
                    'Image %s already has the most members allowed (%d).' % (image_id, quota))
        member = image_db.add_member(self.engine.db, ctx, image_id, member_id, check)
        return views.member(member)

    def update(self, req, image_id, member_id):
        ctx = middleware.get_context(req)
        body = validation.validate(schemas.MEMBER_UPDATE, wsgi_response.json_body(req))

        def check(image, member):
            _require_shared(image)
            if member is None or not (access.owns(ctx, image) or member_id == ctx.project_id):
                raise _not_a_member(member_id, image_id)
            if member_id != ctx.project_id and not ctx.is_admin:
                raise exceptions.Forbidden('Only the member project itself may accept or '
                                           'reject a shared image.')
            self.engine.authorize(ctx, 'modify_member', image, member_id=member_id)
        member = image_db.set_member_status(self.engine.db, ctx, image_id, member_id,
                                            body['status'], check)
        return views.member(member)

    def delete(self, req, image_id, member_id):
        ctx = middleware.get_context(req)

        def check(image, member):
            _require_shared(image)
            access.require_owner(ctx, image, 'change the members of')
            self.engine.authorize(ctx, 'delete_member', image, member_id=member_id)
            if member is None:
                raise _not_a_member(member_id, image_id)
        image_db.remove_member(self.engine.db, ctx, image_id, member_id, check)
        return None
