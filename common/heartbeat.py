"""The ``services`` table every service keeps: one row per daemon, kept fresh by heartbeats.

``openstack compute service list`` / ``network agent list`` style listings read it; a
row whose heartbeat is older than ``service_down_time`` is reported down.
"""
import logging

import sqlalchemy as sa

from common import service as service_mod
from common.db import types

LOG = logging.getLogger(__name__)


def define_table(metadata):
    """The services table, added to a service's own metadata."""
    return sa.Table(
        'services', metadata,
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('binary', sa.String(64), nullable=False),
        sa.Column('host', sa.String(255), nullable=False),
        sa.Column('topic', sa.String(255), nullable=True),
        sa.Column('report_count', sa.Integer, nullable=False, default=0),
        sa.Column('disabled', sa.Boolean, nullable=False, default=False),
        sa.Column('disabled_reason', sa.String(255), nullable=True),
        sa.Column('state', types.JSONText, nullable=True),
        sa.Column('created_at', sa.DateTime, nullable=False, default=types.utcnow),
        sa.Column('updated_at', sa.DateTime, nullable=True),
        sa.UniqueConstraint('binary', 'host', name='uniq_services_binary_host'))


def report(db, table, binary, host, topic=None, state=None):
    """Insert or refresh this daemon's row."""
    now = types.utcnow()
    with db.session() as sess:
        row = sess.execute(sa.select(table.c.id, table.c.report_count).where(
            table.c.binary == binary, table.c.host == host)).first()
        if row is None:
            sess.execute(table.insert().values(binary=binary, host=host, topic=topic,
                                               report_count=1, disabled=False, state=state,
                                               created_at=now, updated_at=now))
        else:
            values = {'report_count': row.report_count + 1, 'updated_at': now}
            if state is not None:
                values['state'] = state
            sess.execute(table.update().where(table.c.id == row.id).values(**values))


def list_services(db, table, down_time):
    """Rows as dicts with ``alive`` computed from the last heartbeat."""
    now = types.utcnow()
    with db.session() as sess:
        rows = sess.execute(sa.select(table).order_by(table.c.binary, table.c.host)).mappings()
        result = []
        for row in rows:
            item = dict(row)
            last = item['updated_at'] or item['created_at']
            item['alive'] = (now - last).total_seconds() <= down_time
            result.append(item)
        return result


class Heartbeat(service_mod.Service):
    """Writes this daemon's row every ``report_interval`` seconds."""

    name = 'heartbeat'

    def __init__(self, db, table, binary, host, interval, topic=None, state_fn=None):
        self.db, self.table = db, table
        self.binary, self.host, self.topic = binary, host, topic
        self.state_fn = state_fn
        self.interval = interval
        self._periodic = service_mod.PeriodicTasks(self, {'beat': interval})

    @service_mod.periodic_task(spacing=10, run_immediately=True)
    def beat(self):
        try:
            report(self.db, self.table, self.binary, self.host, self.topic,
                   self.state_fn() if self.state_fn else None)
        except Exception as exc:
            LOG.warning('heartbeat of %s on %s failed: %s', self.binary, self.host, exc)

    def start(self):
        self._periodic.start()

    def stop(self, graceful=True):
        self._periodic.stop()

    def wait(self):
        self._periodic.wait()
