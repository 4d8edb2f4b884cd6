"""A process forked from one that used a Database (an API parent checks the schema, then
forks its workers) opens connections of its own on real MariaDB: sharing the parent's
socket made requests fail with "Command Out of Sync" under load."""
import os

import sqlalchemy as sa

from common.db import api as db_api

ADMIN_URL = 'mysql+pymysql://root@127.0.0.1/'


def _connection_id(db):
    with db.engine.connect() as conn:
        return conn.execute(sa.text('SELECT CONNECTION_ID()')).scalar()


def test_forked_child_does_not_reuse_the_parents_pooled_connection():
    db = db_api.Database(ADMIN_URL)
    try:
        parent_id = _connection_id(db)
        assert _connection_id(db) == parent_id      # the pool keeps it for the next use
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                os.close(read)
                os.write(write, str(_connection_id(db)).encode())
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        child_id = int(os.read(read, 64).decode() or 0)
        os.close(read)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert child_id and child_id != parent_id
        # The parent's connection was left open for the parent, not closed under it.
        assert _connection_id(db) == parent_id
    finally:
        db.dispose()
