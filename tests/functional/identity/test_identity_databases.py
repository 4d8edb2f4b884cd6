"""Identity on the machine's MariaDB and PostgreSQL: db-sync (twice: the second is a no-op),
bootstrap, then a daemon on a fresh database issues, validates and revokes tokens and
creates and lists users."""
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from common.testing import daemons
from common.testing import identity as identity_testing

pytestmark = pytest.mark.timeout(120)

SERVERS = {
    'mariadb': ('mysql+pymysql://root@127.0.0.1/', 'mysql+pymysql://root@127.0.0.1/%s'),
    'postgresql': ('postgresql://postgres@127.0.0.1/postgres',
                   'postgresql://postgres@127.0.0.1/%s'),
}


def _admin_engine(kind):
    try:
        engine = sa.create_engine(SERVERS[kind][0], isolation_level='AUTOCOMMIT')
        with engine.connect():
            pass
    except Exception as exc:  # the machine's database server is part of the environment
        pytest.skip('%s is not reachable: %s' % (kind, exc))
    return engine


@pytest.fixture(params=sorted(SERVERS))
def database_url(request):
    """A fresh, empty database ``identity_test_<random>``, dropped afterwards."""
    kind = request.param
    engine = _admin_engine(kind)
    name = 'identity_test_%s' % os.urandom(5).hex()
    with engine.connect() as conn:
        conn.execute(sa.text('CREATE DATABASE %s' % name))
    try:
        yield SERVERS[kind][1] % name
    finally:
        with engine.connect() as conn:
            force = ' WITH (FORCE)' if kind == 'postgresql' else ''
            conn.execute(sa.text('DROP DATABASE IF EXISTS %s%s' % (name, force)))
        engine.dispose()


def _db_sync(server):
    proc = subprocess.run([sys.executable, '-m', 'identity.manage', '--config-file',
                           server.config_file, 'db-sync'], capture_output=True, text=True,
                          cwd=daemons.REPO, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _schema(url):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            tables = {t: sorted(c['name'] for c in inspector.get_columns(t))
                      for t in inspector.get_table_names()}
            versions = list(conn.execute(sa.text('SELECT version FROM schema_version')))
    finally:
        engine.dispose()
    return tables, versions


def _revocation_time_precision(url):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT DATETIME_PRECISION FROM information_schema.COLUMNS WHERE "
                "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'revocation_events' AND "
                "COLUMN_NAME = 'issued_before'")).scalar()
    finally:
        engine.dispose()


def _downgrade_revocation_times(url):
    """Make the database look like one created before revocation times had fractions."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text('ALTER TABLE revocation_events MODIFY issued_before '
                                 'DATETIME NOT NULL'))
            conn.execute(sa.text('UPDATE schema_version SET version = 1'))
    finally:
        engine.dispose()
    assert _revocation_time_precision(url) == 0


def test_identity_on_real_database(tmp_path, database_url, api):
    server = identity_testing.IdentityServer(str(tmp_path), database_url=database_url)
    synced = _db_sync(server)
    assert 'identity database at version' in synced
    first = _schema(database_url)
    assert {'users', 'projects', 'assignments', 'revocation_events'} <= set(first[0])
    assert len(first[1]) == 1 and ('version %d' % first[1][0][0]) in synced
    # In place: a second db-sync finds nothing to do.
    assert _db_sync(server) == synced
    assert _schema(database_url) == first
    if database_url.startswith('mysql'):
        _downgrade_revocation_times(database_url)
        _db_sync(server)
        assert _revocation_time_precision(database_url) == 6

    server.start()
    try:
        token = server.token()
        status, hdrs, body = server.request('GET', '/v3/auth/tokens', token=token,
                                            headers={'X-Subject-Token': token})
        assert status == 200 and body['token']['project']['name'] == 'admin'
        assert [r['name'] for r in body['token']['roles']] == ['admin', 'member', 'reader']

        status, _, body = server.request('POST', '/v3/users', {'user': {
            'name': 'db-user', 'password': 'db-pw', 'email': 'db@example.org'}}, token)
        assert status == 201
        user_id = body['user']['id']
        status, _, body = server.request('GET', '/v3/users?name=db-user', token=token)
        assert status == 200 and [u['id'] for u in body['users']] == [user_id]
        status, _, body = server.request('GET', '/v3/users?enabled=true', token=token)
        assert {'admin', 'demo', 'svc', 'db-user'} <= {u['name'] for u in body['users']}
        status, _, body = server.request('POST', '/v3/users', {'user': {'name': 'db-user'}},
                                         token)
        assert status == 409

        demo = server.token('demo', project='demo')
        assert server.request('GET', '/v3/auth/tokens', token=token,
                              headers={'X-Subject-Token': demo})[0] == 200
        # Revocation right after issue: sub-second timestamps must survive the database.
        assert server.request('DELETE', '/v3/auth/tokens', token=token,
                              headers={'X-Subject-Token': demo})[0] == 204
        assert server.request('GET', '/v3/auth/tokens', token=token,
                              headers={'X-Subject-Token': demo})[0] == 404
        fresh = server.token('demo', project='demo')
        assert server.request('GET', '/v3/auth/tokens', token=token,
                              headers={'X-Subject-Token': fresh})[0] == 200

        status, _, body = server.request('GET', '/v3/role_assignments?effective&include_names',
                                         token=token)
        assert status == 200 and any(a['user']['name'] == 'demo'
                                     for a in body['role_assignments'])
    finally:
        assert server.daemon.stop() == 0


def test_credential_encryption_upgrade_on_real_database(tmp_path, database_url):
    """db-sync of a database made before credential blobs were encrypted (a ``blob``
    column, a reserved word in MariaDB) encrypts the rows and drops the column."""
    server = identity_testing.IdentityServer(str(tmp_path), database_url=database_url)
    _db_sync(server)
    engine = sa.create_engine(database_url)
    blob = '{"access": "a1", "secret": "legacy-secret"}'
    try:
        with engine.begin() as conn:
            quoted = conn.dialect.identifier_preparer.quote('blob')
            conn.execute(sa.text('DROP TABLE credentials'))
            conn.execute(sa.text(
                'CREATE TABLE credentials (id VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64) '
                'NOT NULL, project_id VARCHAR(64), type VARCHAR(255) NOT NULL, %s TEXT NOT '
                'NULL, extra TEXT NOT NULL, created_at TIMESTAMP NOT NULL)' % quoted))
            conn.execute(sa.text(
                "INSERT INTO credentials VALUES ('c1', 'u1', NULL, 'ec2', :b, '{}', "
                "'2024-01-01 00:00:00')"), {'b': blob})
            conn.execute(sa.text('UPDATE schema_version SET version = 2'))
    finally:
        engine.dispose()
    _db_sync(server)
    tables, versions = _schema(database_url)
    assert 'blob' not in tables['credentials'] and versions[0][0] >= 3
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.text(
                'SELECT encrypted_blob, key_hash FROM credentials')).one()
    finally:
        engine.dispose()
    assert row[0] and row[1] and 'legacy-secret' not in row[0]
