"""Every vm_state and task_state of compute.states fits the instances table on MariaDB and
PostgreSQL (SQLite enforces no lengths, so the in-process tests cannot tell), both in a
new database and in one made by the first migration before 002 widened vm_state."""
import uuid

import pytest
import sqlalchemy as sa

from common.db import api as db_api
from common.db import migration
from compute import states
from compute.db import instances

TASK_STATES = [value for name, value in vars(states).items()
               if name.isupper() and isinstance(value, str) and value not in
               states.ALL_VM_STATES]


def _server_db(kind):
    name = 'compute_states_%s' % uuid.uuid4().hex[:10]
    if kind == 'mysql':
        admin_url = 'mysql+pymysql://root@127.0.0.1/'
        url = 'mysql+pymysql://root@127.0.0.1/%s' % name
    else:
        admin_url = 'postgresql://postgres@127.0.0.1/postgres'
        url = 'postgresql://postgres@127.0.0.1/%s' % name
    engine = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
    try:
        with engine.connect() as conn:
            conn.execute(sa.text('CREATE DATABASE %s' % name))
    except sa.exc.OperationalError as exc:
        engine.dispose()
        pytest.skip('%s server not reachable: %s' % (kind, exc))
    return engine, name, url


def _drop(kind, admin, name):
    with admin.connect() as conn:
        if kind == 'postgresql':
            conn.execute(sa.text('SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                                 'WHERE datname = :n'), {'n': name})
        conn.execute(sa.text('DROP DATABASE IF EXISTS %s' % name))
    admin.dispose()


def _narrow_as_001_made_it(db, kind):
    """The instances table as migration 001 made it before 002: vm_state VARCHAR(16)."""
    migration.upgrade(db, 'compute.db.migrations', target=1)
    with db.engine.begin() as conn:
        if kind == 'mysql':
            conn.execute(sa.text('ALTER TABLE instances MODIFY vm_state VARCHAR(16) NOT NULL'))
        else:
            conn.execute(sa.text('ALTER TABLE instances ALTER COLUMN vm_state '
                                 'TYPE VARCHAR(16)'))


@pytest.mark.parametrize('kind', ['mysql', 'postgresql'])
@pytest.mark.parametrize('history', ['new', 'from_001'])
def test_every_state_is_stored(kind, history):
    admin, name, url = _server_db(kind)
    db = db_api.Database(url)
    try:
        if history == 'from_001':
            _narrow_as_001_made_it(db, kind)
        assert migration.upgrade(db, 'compute.db.migrations') >= 2
        uid = str(uuid.uuid4())
        with db.session() as sess:
            instances.create(sess, dict(
                uuid=uid, project_id='p', user_id='u', display_name='vm', hostname='vm',
                flavor_id='1', flavor={'id': '1', 'name': 'f', 'vcpus': 1, 'memory_mb': 64,
                                       'root_gb': 1}, reservation_id='r-1'))
        for vm_state in states.ALL_VM_STATES:
            instances.update(db, uid, {'vm_state': vm_state})
            assert instances.get(db, uid, show_deleted=True)['vm_state'] == vm_state
        for task_state in TASK_STATES:
            instances.update(db, uid, {'task_state': task_state})
            assert instances.get(db, uid, show_deleted=True)['task_state'] == task_state
    finally:
        db.engine.dispose()
        _drop(kind, admin, name)
