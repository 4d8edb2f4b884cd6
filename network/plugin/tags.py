"""Tags of network resources (the standard-attr-tag extension): list, check, add, replace,
remove. Each change bumps the resource's revision, as any other change of it does."""
import sqlalchemy as sa

from common import validators
from common.db import query
from network import exceptions as nexc
from network.db import models
from network.plugin import core

MAX_TAGS = 50           # per resource; Neutron keeps tags short and few
MAX_TAG_LENGTH = 255    # the column's size


def filter_fields(model):
    """Neutron's four tag filters as list fields of ``model``: ``tags`` (all of),
    ``tags-any``, ``not-tags`` (not all of), ``not-tags-any`` (none of); each value is a
    comma-separated list and repeated values add up."""
    def field(name):
        def clause(values):
            tags = sorted({t for v in values for t in v.split(',') if t})
            if not tags:
                raise nexc.InvalidInput('Invalid input for %s: no tag given.' % name)
            holders = sa.select(models.Tag.resource_id).where(models.Tag.tag.in_(tags))
            if name in ('tags', 'not-tags'):
                holders = holders.group_by(models.Tag.resource_id).having(
                    sa.func.count(models.Tag.tag) == len(tags))
            found = model.id.in_(holders)
            return sa.not_(found) if name.startswith('not-') else found
        return query.Field(None, clause=clause)
    return {name: field(name) for name in ('tags', 'tags-any', 'not-tags', 'not-tags-any')}


def check_tag(tag):
    """A tag as the API accepts it: 1-255 characters of text without control characters."""
    try:
        validators.text(tag, 'tag', max_length=MAX_TAG_LENGTH)
    except validators.InvalidValue as exc:
        raise nexc.InvalidInput(exc.message)
    if not tag:
        raise nexc.InvalidInput("Invalid input for tag: '' is empty.")
    return tag


class TagManager:
    def __init__(self, core_):
        self.core = core_

    def _parent(self, sess, ctx, collection, resource_id):
        """The resource's row if the caller sees it (404 otherwise)."""
        managers = {'networks': self.core.networks, 'subnets': self.core.subnets,
                    'ports': self.core.ports, 'routers': self.core.routers,
                    'floatingips': self.core.floatingips,
                    'security-groups': self.core.secgroups,
                    'subnetpools': self.core.subnetpools,
                    'qos/policies': self.core.qos, 'trunks': self.core.trunks}
        return managers[collection].get_row(sess, ctx, resource_id)

    @staticmethod
    def _tags(sess, resource_id):
        return list(sess.scalars(sa.select(models.Tag.tag).where(
            models.Tag.resource_id == resource_id).order_by(models.Tag.tag)))

    def list(self, ctx, collection, resource_id):
        def run(sess):
            row = self._parent(sess, ctx, collection, resource_id)
            return self._tags(sess, row.id)
        return self.core.transaction(run)

    def has(self, ctx, collection, resource_id, tag):
        return tag in self.list(ctx, collection, resource_id)

    def add(self, ctx, collection, resource_id, tag):
        check_tag(tag)

        def run(sess):
            row = self._parent(sess, ctx, collection, resource_id)
            current = self._tags(sess, row.id)
            if tag in current:
                return
            if len(current) >= MAX_TAGS:
                raise nexc.BadRequest('A resource carries at most %d tags.' % MAX_TAGS)
            sess.add(models.Tag(resource_id=row.id, tag=tag))
            core.bump(row)
        self.core.transaction(run)

    def replace(self, ctx, collection, resource_id, tags):
        if not isinstance(tags, list):
            raise nexc.InvalidInput("Invalid input for tags: a list of strings is expected.")
        wanted = sorted({check_tag(t) for t in tags})
        if len(wanted) > MAX_TAGS:
            raise nexc.BadRequest('A resource carries at most %d tags.' % MAX_TAGS)

        def run(sess):
            row = self._parent(sess, ctx, collection, resource_id)
            sess.execute(sa.delete(models.Tag).where(models.Tag.resource_id == row.id))
            sess.add_all(models.Tag(resource_id=row.id, tag=t) for t in wanted)
            core.bump(row)
            return wanted
        return self.core.transaction(run)

    def remove(self, ctx, collection, resource_id, tag=None):
        """Remove ``tag`` (404 when the resource lacks it), or every tag when None."""
        def run(sess):
            row = self._parent(sess, ctx, collection, resource_id)
            stmt = sa.delete(models.Tag).where(models.Tag.resource_id == row.id)
            if tag is not None:
                stmt = stmt.where(models.Tag.tag == tag)
            if sess.execute(stmt).rowcount == 0 and tag is not None:
                raise nexc.TagNotFound('Tag %s could not be found.' % validators.quote(tag))
            core.bump(row)
        self.core.transaction(run)
