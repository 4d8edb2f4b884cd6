"""``/v2.0/{collection}/{id}/tags[/{tag}]``: the tags of a resource (standard-attr-tag).

Reading needs only to see the resource; changing tags needs the right to update it."""
from common import validators
from common.wsgi import middleware
from common.wsgi import response as wsgi_response
from network import exceptions as nexc


class Tags:
    def __init__(self, parent, collection, manager):
        self.parent = parent            # the Resource controller of the collection
        self.collection = collection    # URL name, e.g. 'security-groups'
        self.manager = manager

    def index(self, req, id):
        ctx = middleware.get_context(req)
        return {'tags': self.manager.list(ctx, self.collection, id)}

    def show(self, req, id, tag):
        """204 when the resource has ``tag``, 404 otherwise."""
        ctx = middleware.get_context(req)
        if not self.manager.has(ctx, self.collection, id, tag):
            raise nexc.TagNotFound('Tag %s could not be found.' % validators.quote(tag))

    def replace(self, req, id):
        ctx = middleware.get_context(req)
        body = wsgi_response.json_body(req)
        self.parent.authorize_change(ctx, id)
        tags = body.get('tags') if isinstance(body, dict) and set(body) == {'tags'} else None
        return {'tags': self.manager.replace(ctx, self.collection, id, tags)}

    def add(self, req, id, tag):
        ctx = middleware.get_context(req)
        self.parent.authorize_change(ctx, id)
        self.manager.add(ctx, self.collection, id, tag)
        return wsgi_response.json_response(None, status=201)

    def delete(self, req, id, tag):
        ctx = middleware.get_context(req)
        self.parent.authorize_change(ctx, id)
        self.manager.remove(ctx, self.collection, id, tag)

    def delete_all(self, req, id):
        ctx = middleware.get_context(req)
        self.parent.authorize_change(ctx, id)
        self.manager.remove(ctx, self.collection, id)
