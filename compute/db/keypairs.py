"""Queries of key pairs (per user, unique by name)."""
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exceptions
from compute import exceptions as cexc
from compute.db import models


def _to_dict(row):
    return {'id': row.id, 'name': row.name, 'user_id': row.user_id,
            'public_key': row.public_key, 'fingerprint': row.fingerprint, 'type': row.type,
            'created_at': row.created_at, 'updated_at': row.updated_at, 'deleted': False,
            'deleted_at': None}


def _row(sess, user_id, name):
    row = sess.execute(sa.select(models.KeyPair).where(
        models.KeyPair.user_id == user_id, models.KeyPair.name == name)).scalar_one_or_none()
    if row is None:
        raise cexc.KeypairNotFound(name, user_id)
    return row


def get(db, user_id, name):
    with db.session() as sess:
        return _to_dict(_row(sess, user_id, name))


def list_(db, user_id, limit=None, marker=None):
    """A user's key pairs by name; ``marker`` is the name of the last one already seen."""
    with db.session() as sess:
        query = sa.select(models.KeyPair).where(models.KeyPair.user_id == user_id)
        if marker is not None:
            _marker = sess.execute(query.where(models.KeyPair.name == marker)).first()
            if _marker is None:
                raise cexc.MarkerNotFound(marker)
            query = query.where(models.KeyPair.name > marker)
        query = query.order_by(models.KeyPair.name.asc())
        if limit is not None:
            query = query.limit(limit)
        return [_to_dict(r) for r in sess.execute(query).scalars()]


def count(db, user_id):
    with db.session() as sess:
        return sess.execute(sa.select(sa.func.count()).select_from(models.KeyPair).where(
            models.KeyPair.user_id == user_id)).scalar()


def create(db, user_id, name, public_key, fingerprint, key_type):
    with db.session() as sess:
        exists = sess.execute(sa.select(models.KeyPair.id).where(
            models.KeyPair.user_id == user_id, models.KeyPair.name == name)).first()
        if exists:
            raise exceptions.Conflict('Key pair \'%s\' already exists.' % name)
        row = models.KeyPair(user_id=user_id, name=name, public_key=public_key,
                             fingerprint=fingerprint, type=key_type)
        sess.add(row)
        try:
            sess.flush()
        except sa_exc.IntegrityError:
            raise exceptions.Conflict('Key pair \'%s\' already exists.' % name)
        return _to_dict(row)


def delete(db, user_id, name):
    with db.session() as sess:
        sess.delete(_row(sess, user_id, name))
