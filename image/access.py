"""Who can see and change which image."""
import sqlalchemy as sa

from common import exceptions
from image.db import api as image_db
from image.db import models


def can_see(session, ctx, image):
    """Owner, admin, anyone for public/community, members (any status) for shared."""
    if ctx.is_admin or image.visibility in ('public', 'community'):
        return True
    if ctx.project_id and image.owner == ctx.project_id:
        return True
    if image.visibility == 'shared' and ctx.project_id:
        return session.execute(sa.select(models.ImageMember.id).where(
            models.ImageMember.image_id == image.id,
            models.ImageMember.member == ctx.project_id)).first() is not None
    return False


def find_image(session, ctx, image_id, for_update=False):
    """The image if the caller may see it; otherwise the same 404 as for a missing one
    (so private image ids cannot be probed)."""
    image = image_db.get_image(session, image_id, for_update=for_update)
    if image is None or not can_see(session, ctx, image):
        raise exceptions.NotFound('No image found with ID %s' % image_id)
    return image


def owns(ctx, image):
    return ctx.is_admin or (ctx.project_id is not None and image.owner == ctx.project_id)


def require_owner(ctx, image, action='modify'):
    """403 for images the caller sees but does not own (public, community, shared)."""
    if not owns(ctx, image):
        raise exceptions.Forbidden('You are not permitted to %s image %s: it belongs to '
                                   'another project.' % (action, image.id))
