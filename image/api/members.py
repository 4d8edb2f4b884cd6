"""Image members: sharing an image with other projects, who accept or reject it."""
from common import exceptions
from common import validation
from common.db import types
from common.wsgi import middleware
from common.wsgi import response as wsgi_response
from image import access
from image.api import schemas
from image.api import views
from image.db import api as image_db
from image.db import models


class MembersController:
    def __init__(self, engine):
        self.engine = engine

    def _shared_image(self, session, ctx, image_id):
        image = access.find_image(session, ctx, image_id)
        if image.visibility != 'shared':
            raise exceptions.Forbidden('Only shared images have members; image %s is %s.'
                                       % (image_id, image.visibility))
        return image

    def index(self, req, image_id):
        ctx = middleware.get_context(req)
        with self.engine.db.session() as session:
            image = self._shared_image(session, ctx, image_id)
            self.engine.authorize(ctx, 'get_members', image)
            # A member project sees only its own membership, never the other members.
            only = None if access.owns(ctx, image) else ctx.project_id
            rows = image_db.members(session, image_id, only)
            return {'members': [views.member(r) for r in rows],
                    'schema': '/v2/schemas/members'}

    def show(self, req, image_id, member_id):
        ctx = middleware.get_context(req)
        with self.engine.db.session() as session:
            image = self._shared_image(session, ctx, image_id)
            self.engine.authorize(ctx, 'get_member', image, member_id=member_id)
            row = image_db.get_member(session, image_id, member_id)
            if row is None or not (access.owns(ctx, image) or member_id == ctx.project_id):
                raise exceptions.NotFound('Project %s is not a member of image %s.'
                                          % (member_id, image_id))
            return views.member(row)

    def create(self, req, image_id):
        ctx = middleware.get_context(req)
        body = validation.validate(schemas.MEMBER_CREATE, wsgi_response.json_body(req))
        member_id = body['member']
        with self.engine.db.session() as session:
            image = self._shared_image(session, ctx, image_id)
            access.require_owner(ctx, image, 'share')
            self.engine.authorize(ctx, 'add_member', image, member_id=member_id)
            if image_db.get_member(session, image_id, member_id) is not None:
                raise exceptions.Conflict('Project %s is already a member of image %s.'
                                          % (member_id, image_id))
            if len(image_db.members(session, image_id)) >= self.engine.conf.image_member_quota:
                raise exceptions.RequestEntityTooLarge(
                    'Image %s already has the most members allowed (%d).'
                    % (image_id, self.engine.conf.image_member_quota))
            now = types.utcnow()
            row = models.ImageMember(image_id=image_id, member=member_id, status='pending',
                                     created_at=now, updated_at=now)
            session.add(row)
            session.flush()
            return views.member(row)

    def update(self, req, image_id, member_id):
        ctx = middleware.get_context(req)
        body = validation.validate(schemas.MEMBER_UPDATE, wsgi_response.json_body(req))
        with self.engine.db.session() as session:
            image = self._shared_image(session, ctx, image_id)
            row = image_db.get_member(session, image_id, member_id)
            if row is None or not (access.owns(ctx, image) or member_id == ctx.project_id):
                raise exceptions.NotFound('Project %s is not a member of image %s.'
                                          % (member_id, image_id))
            if member_id != ctx.project_id and not ctx.is_admin:
                raise exceptions.Forbidden('Only the member project itself may accept or '
                                           'reject a shared image.')
            self.engine.authorize(ctx, 'modify_member', image, member_id=member_id)
            row.status, row.updated_at = body['status'], types.utcnow()
            session.flush()
            return views.member(row)

    def delete(self, req, image_id, member_id):
        ctx = middleware.get_context(req)
        with self.engine.db.session() as session:
            image = self._shared_image(session, ctx, image_id)
            access.require_owner(ctx, image, 'change the members of')
            self.engine.authorize(ctx, 'delete_member', image, member_id=member_id)
            row = image_db.get_member(session, image_id, member_id)
            if row is None:
                raise exceptions.NotFound('Project %s is not a member of image %s.'
                                          % (member_id, image_id))
            session.delete(row)
        return None
