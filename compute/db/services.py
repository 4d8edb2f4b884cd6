"""Queries on the compute daemons' service rows (os-services)."""
import sqlalchemy as sa

from common import exceptions as exc
from common import heartbeat
from common.db import types
from compute.db import api as db_api
from compute.db import models

TABLE = models.Service.__table__


def report(db, binary, host, topic=None, state=None):
    """A heartbeat (the API, conductor and scheduler directly; workers via the conductor)."""
    heartbeat.report(db, TABLE, binary, host, topic, state)


def _with_alive(row, down_time):
    data = db_api.row_to_dict(row)
    last = row.updated_at or row.created_at
    data['alive'] = (not row.forced_down
                     and (types.utcnow() - last).total_seconds() <= down_time)
    return data


def list_(db, down_time=60, binary=None, host=None):
    query = sa.select(models.Service).order_by(models.Service.id)
    if binary:
        query = query.where(models.Service.binary == binary)
    if host:
        query = query.where(models.Service.host == host)
    with db.session() as sess:
        return [_with_alive(r, down_time) for r in sess.execute(query).scalars()]


def _row(sess, ident):
    column = models.Service.uuid if isinstance(ident, str) and '-' in ident else models.Service.id
    row = sess.execute(sa.select(models.Service).where(column == ident)).scalar()
    if row is None:
        raise exc.NotFound('Service %s could not be found.' % ident)
    return row


def get(db, ident, down_time=60):
    with db.session() as sess:
        return _with_alive(_row(sess, ident), down_time)


def update(db, ident, values, down_time=60):
    """``values``: disabled, disabled_reason, forced_down."""
    with db.session() as sess:
        row = _row(sess, ident)
        for key in ('disabled', 'disabled_reason', 'forced_down'):
            if key in values:
                setattr(row, key, values[key])
        sess.flush()
        return _with_alive(row, down_time)


def delete(db, ident):
    """Delete a service row (and the compute node of a worker's host)."""
    with db.session() as sess:
        row = _row(sess, ident)
        if row.binary == 'compute-worker':
            sess.execute(sa.delete(models.ComputeNode).where(models.ComputeNode.host == row.host))
        sess.delete(row)


def up_hosts(db, down_time, binary='compute-worker'):
    """{host: service dict} of enabled, alive services of ``binary``."""
    return {s['host']: s for s in list_(db, down_time, binary=binary)
            if s['alive'] and not s['disabled']}
