"""Daemons report into their service's ``services`` table; stale rows count as down."""
import datetime

import sqlalchemy as sa

from common import heartbeat
from common.db import api as db_api


def make_db():
    db = db_api.Database('sqlite://')
    meta = sa.MetaData()
    table = heartbeat.define_table(meta)
    meta.create_all(db.engine)
    return db, table


def test_report_inserts_then_refreshes():
    db, table = make_db()
    heartbeat.report(db, table, 'network-dhcp-agent', 'host1', 'dhcp', {'networks': 2})
    heartbeat.report(db, table, 'network-dhcp-agent', 'host1', 'dhcp')
    rows = heartbeat.list_services(db, table, down_time=60)
    assert len(rows) == 1
    assert rows[0]['report_count'] == 2 and rows[0]['alive']
    assert rows[0]['state'] == {'networks': 2}


def test_stale_heartbeat_is_down():
    db, table = make_db()
    heartbeat.report(db, table, 'w', 'h')
    with db.session() as sess:
        sess.execute(table.update().values(
            updated_at=datetime.datetime.utcnow() - datetime.timedelta(seconds=120)))
    assert heartbeat.list_services(db, table, down_time=60)[0]['alive'] is False
