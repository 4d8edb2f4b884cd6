"""Queries of volume transfers: offer a volume, withdraw the offer, accept it in another
project (the volume, and its snapshots unless ``no_snapshots``, change owner in one
transaction that checks the receiving project's quotas)."""
import hashlib
import hmac
import secrets

import sqlalchemy as sa

from blockstore.db import api as db_api
from blockstore.db import models
from common import exceptions

T = models.Transfer
AWAITING = 'awaiting-transfer'


def _hash(salt, key):
    return hashlib.sha256((salt + key).encode()).hexdigest()


def _row(sess, ident, ctx=None):
    row = sess.get(T, ident) if isinstance(ident, str) else None
    if row is None or ctx is not None and not (ctx.is_admin
                                               or row.project_id == ctx.project_id):
        raise exceptions.NotFound('Transfer %s could not be found.' % ident)
    return row


def get(db, ident, ctx=None):
    """A transfer its project (or an admin) may see."""
    return db_api.run(db, lambda sess: db_api._dict(_row(sess, ident, ctx)))


def list_all(db, ctx, all_projects=False):
    stmt = sa.select(T).order_by(T.created_at.desc(), T.id)
    if not all_projects:
        stmt = stmt.where(T.project_id == ctx.project_id)
    return db_api.run(db, lambda sess: [db_api._dict(r)
                                        for r in sess.execute(stmt).scalars()])


def create(db, ctx, volume_id, name, no_snapshots):
    """Offer an available volume of the caller's project; returns (transfer, auth_key):
    the key exists only in this answer."""
    key = secrets.token_hex(8)
    salt = secrets.token_hex(8)

    def go(sess):
        vol = db_api._get_row(sess, models.Volume, volume_id, ctx, 'Volume')
        if vol.status != 'available':
            raise exceptions.BadRequest('Invalid volume: volume status must be available '
                                        'to transfer it, not %s.' % vol.status)
        if not no_snapshots:
            busy = sess.execute(sa.select(models.Snapshot.id).where(
                models.Snapshot.volume_id == volume_id,
                models.Snapshot.status != 'available')).first()
            if busy:
                raise exceptions.BadRequest('Invalid snapshot: snapshot %s of the volume is '
                                            'not available; its snapshots go with it.'
                                            % busy[0])
        vol.status = AWAITING
        row = T(volume_id=volume_id, project_id=vol.project_id, user_id=ctx.user_id,
                name=name, salt=salt, crypt_hash=_hash(salt, key),
                no_snapshots=bool(no_snapshots))
        sess.add(row)
        sess.flush()
        return db_api._dict(row)
    return db_api.run(db, go), key


def delete(db, ident, ctx):
    """Withdraw an offer: the volume is available to its owner again."""
    def go(sess):
        row = _row(sess, ident, ctx)
        vol = sess.get(models.Volume, row.volume_id)
        if vol is not None and vol.status == AWAITING:
            vol.status = 'available'
        sess.delete(row)
    db_api.run(db, go)


def accept(db, conf, ident, auth_key, ctx):
    """Move the volume (and its snapshots unless the offer said ``no_snapshots``) to the
    caller's project if ``auth_key`` is the offer's; 413 if the receiving project's
    quotas cannot hold them."""
    def go(sess):
        row = _row(sess, ident)
        if not hmac.compare_digest(_hash(row.salt, auth_key), row.crypt_hash):
            raise exceptions.BadRequest('Invalid auth key: the auth key does not match '
                                        'transfer %s.' % ident)
        if row.project_id == ctx.project_id:
            raise exceptions.BadRequest('Invalid transfer: the volume is already in project '
                                        '%s.' % ctx.project_id)
        vol = sess.get(models.Volume, row.volume_id)
        if vol is None or vol.status != AWAITING:
            raise exceptions.BadRequest('Invalid volume: volume %s is not awaiting this '
                                        'transfer.' % row.volume_id)
        snaps = [] if row.no_snapshots else list(sess.execute(sa.select(
            models.Snapshot).where(models.Snapshot.volume_id == vol.id)).scalars())
        db_api.check_quota(sess, conf, ctx.project_id, volumes=1, snapshots=len(snaps),
                           gigabytes=vol.size + sum(s.size for s in snaps))
        for item in [vol] + snaps:
            item.project_id, item.user_id = ctx.project_id, ctx.user_id
        vol.status = 'available'
        out = db_api._dict(row)
        sess.delete(row)
        return out
    return db_api.run(db, go)
