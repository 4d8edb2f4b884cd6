"""Image tags: PUT and DELETE /v2/images/{id}/tags/{tag}."""
from common import exceptions
from common.wsgi import middleware
from image import access
from image.db import api as image_db


class TagsController:
    def __init__(self, engine):
        self.engine = engine

    def _image(self, session, req, image_id):
        ctx = middleware.get_context(req)
        row = access.find_image(session, ctx, image_id, for_update=True)
        access.require_owner(ctx, row)
        self.engine.authorize(ctx, 'modify_image', row)
        return row

    def update(self, req, image_id, tag):
        if not tag or len(tag) > 255:
            raise exceptions.BadRequest('A tag is 1 to 255 characters long.')
        with self.engine.db.session() as session:
            row = self._image(session, req, image_id)
            current = image_db.tags(session, image_id)
            if tag in current:
                return None
            if len(current) >= self.engine.conf.image_tag_quota:
                raise exceptions.RequestEntityTooLarge(
                    'Image %s already has %d tags, the limit.' % (image_id, len(current)))
            image_db.set_tags(session, image_id, current + [tag])
            image_db.touch(session, row)
        return None

    def delete(self, req, image_id, tag):
        with self.engine.db.session() as session:
            row = self._image(session, req, image_id)
            current = image_db.tags(session, image_id)
            if tag not in current:
                raise exceptions.NotFound('Tag %s not found on image %s.' % (tag, image_id))
            image_db.set_tags(session, image_id, [t for t in current if t != tag])
            image_db.touch(session, row)
        return None
