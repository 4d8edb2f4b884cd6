"""Who can change which image (which images a caller can see is decided by the queries in
image.db.api: ``find_visible``, ``list_visible``)."""
from common import exceptions


def owns(ctx, image):
    return ctx.is_admin or (ctx.project_id is not None and image['owner'] == ctx.project_id)


def require_owner(ctx, image, action='modify'):
    """403 for images the caller sees but does not own (public, community, shared)."""
    if not owns(ctx, image):
        raise exceptions.Forbidden('You are not permitted to %s image %s: it belongs to '
                                   'another project.' % (action, image['id']))
