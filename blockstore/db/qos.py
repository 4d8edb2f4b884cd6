"""Queries of QoS specs and their associations with volume types (rows as dicts)."""
import sqlalchemy as sa

from blockstore.db import api as db_api
from blockstore.db import models
from common import exceptions

Q = models.QosSpecs


def _row(sess, ident):
    row = sess.get(Q, ident) if isinstance(ident, str) else None
    if row is None:
        raise exceptions.NotFound('QoS specs %s could not be found.' % ident)
    return row


def get(db, ident):
    return db_api.run(db, lambda sess: db_api._dict(_row(sess, ident)))


def list_all(db):
    stmt = sa.select(Q).order_by(Q.created_at.desc(), Q.id)
    return db_api.run(db, lambda sess: [db_api._dict(r)
                                        for r in sess.execute(stmt).scalars()])


def create(db, name, consumer, specs):
    def go(sess):
        if sess.execute(sa.select(Q.id).where(Q.name == name)).first():
            raise exceptions.Conflict('QoS Specs %s already exists.' % name)
        row = Q(name=name, consumer=consumer, specs=dict(specs))
        sess.add(row)
        sess.flush()
        return db_api._dict(row)
    return db_api.run(db, go)


def update(db, ident, consumer=None, specs=None, remove=()):
    """Set ``specs`` keys (and the consumer), or remove the keys of ``remove`` (each must
    exist: a 404 names the first that does not)."""
    def go(sess):
        row = _row(sess, ident)
        current = dict(row.specs or {})
        for key in remove:
            if key not in current:
                raise exceptions.NotFound('QoS spec %s has no key %s.' % (ident, key[:64]))
            current.pop(key)
        current.update(specs or {})
        row.specs = current
        if consumer is not None:
            row.consumer = consumer
        sess.flush()
        return db_api._dict(row)
    return db_api.run(db, go)


def _types_of(sess, ident):
    return list(sess.execute(sa.select(models.VolumeType).where(
        models.VolumeType.qos_specs_id == ident).order_by(models.VolumeType.name)).scalars())


def associations(db, ident):
    def go(sess):
        _row(sess, ident)
        return [{'association_type': 'volume_type', 'name': t.name, 'id': t.id}
                for t in _types_of(sess, ident)]
    return db_api.run(db, go)


def delete(db, ident, force=False):
    """Delete QoS specs; associated ones only with ``force`` (which disassociates)."""
    def go(sess):
        row = _row(sess, ident)
        types = _types_of(sess, ident)
        if types and not force:
            raise exceptions.BadRequest(
                'QoS specs %s is still associated with volume type(s) %s; disassociate '
                'them first or delete with force=true.'
                % (ident, ', '.join(t.name for t in types)))
        for vtype in types:
            vtype.qos_specs_id = None
        sess.delete(row)
    db_api.run(db, go)


def associate(db, ident, type_id):
    """Link a volume type to these specs; a type has at most one (400 otherwise)."""
    def go(sess):
        _row(sess, ident)
        vtype = db_api._type_row(sess, type_id)
        if vtype.qos_specs_id and vtype.qos_specs_id != ident:
            raise exceptions.BadRequest(
                'Volume type %s is already associated with QoS specs %s; disassociate it '
                'first.' % (vtype.id, vtype.qos_specs_id))
        vtype.qos_specs_id = ident
    db_api.run(db, go)


def disassociate(db, ident, type_id=None):
    """Unlink one volume type (a no-op if it is not linked to these specs) or, without
    ``type_id``, every type linked to them."""
    def go(sess):
        _row(sess, ident)
        types = [db_api._type_row(sess, type_id)] if type_id else _types_of(sess, ident)
        for vtype in types:
            if vtype.qos_specs_id == ident:
                vtype.qos_specs_id = None
    db_api.run(db, go)


def front_end_specs(db, type_id):
    """The specs a hypervisor enforces for volumes of ``type_id`` (consumer front-end or
    both), or None."""
    def go(sess):
        vtype = sess.get(models.VolumeType, type_id) if type_id else None
        spec = sess.get(Q, vtype.qos_specs_id) if vtype and vtype.qos_specs_id else None
        if spec is None or spec.consumer not in ('front-end', 'both'):
            return None
        return dict(spec.specs or {})
    return db_api.run(db, go)
