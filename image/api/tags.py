"""Image tags: PUT and DELETE /v2/images/{id}/tags/{tag}."""
from common import exceptions
from common import validators
from common.wsgi import middleware
from image import access
from image.db import api as image_db


class TagsController:
    def __init__(self, engine):
        self.engine = engine

    def _change_tags(self, req, image_id, change):
        """Apply ``change(image, tags)`` (the new tag list, or None for no change) to the
        image once the caller may modify it."""
        ctx = middleware.get_context(req)

        def decide(image):
            access.require_owner(ctx, image)
            self.engine.authorize(ctx, 'modify_image', image)
            tags = change(image, image['tags'])
            return None if tags is None else {'tags': tags}
        image_db.update_image(self.engine.db, ctx, image_id, decide)

    def update(self, req, image_id, tag):
        if not tag or len(tag) > 255:
            raise exceptions.BadRequest('A tag is 1 to 255 characters long.')
        try:
            validators.text(tag, 'tag')
        except validators.InvalidValue as exc:
            raise exceptions.BadRequest(exc.message)

        def add(image, current):
            if tag in current:
                return None
            if len(current) >= self.engine.conf.image_tag_quota:
                raise exceptions.RequestEntityTooLarge(
                    'Image %s already has %d tags, the limit.' % (image_id, len(current)))
            return current + [tag]
        self._change_tags(req, image_id, add)
        return None

    def delete(self, req, image_id, tag):
        def remove(image, current):
            if tag not in current:
                raise exceptions.NotFound('Tag %s not found on image %s.' % (tag, image_id))
            return [t for t in current if t != tag]
        self._change_tags(req, image_id, remove)
        return None
