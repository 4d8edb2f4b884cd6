"""Read, change and delete an entity that has no rules beyond its columns (a policy blob,
an endpoint group, an OAuth1 consumer, a catalog service)."""
from common import exceptions


class Plain:
    def __init__(self, model, what):
        self.model, self.what = model, what

    def get(self, sess, ident):
        entity = sess.get(self.model, ident)
        if entity is None:
            raise exceptions.NotFound('Could not find %s: %s.' % (self.what, ident))
        return entity

    def create(self, sess, **attrs):
        entity = self.model(**attrs)
        sess.add(entity)
        sess.flush()
        return entity

    def update(self, sess, ident, changes):
        entity = self.get(sess, ident)
        for key, value in changes.items():
            setattr(entity, key, value)
        return entity

    def delete(self, sess, ident):
        sess.delete(self.get(sess, ident))
