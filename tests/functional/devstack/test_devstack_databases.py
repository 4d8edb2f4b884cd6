"""devstack gives each service its own database user (issue 16, finding 14): with a
generated password, granted its own database only, on MariaDB and on PostgreSQL. Runs
devstack's own ``database_url`` against the machine's servers with a private prefix."""
import os
import stat
import subprocess
import uuid

import pytest
import sqlalchemy as sa

from common.testing import daemons

pytestmark = pytest.mark.timeout(120)
ADMIN = {'mysql': ['mysql', '-uroot', '-h127.0.0.1', '-e'],
         'postgresql': ['psql', '-h', '127.0.0.1', '-U', 'postgres', '-qc']}


def database_url(state, database, prefix, service):
    script = 'source tools/devstack/lib.sh && database_url "$1"'
    env = dict(os.environ, STATE_DIR=str(state), DATABASE=database, DB_PREFIX=prefix)
    proc = subprocess.run(['bash', '-c', 'umask 077; ' + script, 'x', service], env=env,
                          cwd=daemons.REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def _drop(database, names):
    for name in names:
        if database == 'mysql':
            sql = ("DROP DATABASE IF EXISTS `{0}`; DROP USER IF EXISTS '{0}'@'127.0.0.1'; "
                   "DROP USER IF EXISTS '{0}'@'localhost';").format(name)
            subprocess.run(ADMIN[database] + [sql], capture_output=True)
        else:
            for sql in ('DROP DATABASE IF EXISTS "%s"' % name, 'DROP ROLE IF EXISTS "%s"' % name):
                subprocess.run(ADMIN[database] + [sql], capture_output=True)


@pytest.mark.parametrize('database', ['mysql', 'postgresql'])
def test_each_service_connects_as_its_own_user_to_its_own_database(tmp_path, database):
    prefix = 'csdbtest%s' % uuid.uuid4().hex[:8]
    names = ['%s_%s' % (prefix, s) for s in ('identity', 'image')]
    try:
        identity = database_url(tmp_path, database, prefix, 'identity')
        image = database_url(tmp_path, database, prefix, 'image')
        # Run again, as a second ./devstack.sh does: same user, same password.
        assert database_url(tmp_path, database, prefix, 'identity') == identity
        for url, name in ((identity, names[0]), (image, names[1])):
            parsed = sa.engine.make_url(url)
            assert parsed.username == name and parsed.database == name
            assert parsed.username not in ('root', 'postgres') and len(parsed.password) >= 32
            assert 'root@' not in url and 'postgres@' not in url
        assert sa.engine.make_url(identity).password != sa.engine.make_url(image).password
        engine = sa.create_engine(identity)
        with engine.begin() as conn:
            conn.execute(sa.text('CREATE TABLE owned (id INTEGER PRIMARY KEY)'))
            conn.execute(sa.text('INSERT INTO owned VALUES (1)'))
        engine.dispose()
        # The image user cannot reach identity's database (the users and secrets).
        foreign = sa.engine.make_url(image).set(database=names[0])
        engine = sa.create_engine(foreign)
        with pytest.raises(sa.exc.SQLAlchemyError):
            with engine.connect() as conn:
                conn.execute(sa.text('SELECT id FROM owned')).all()
        engine.dispose()
        passwords = tmp_path / 'passwords'
        assert stat.S_IMODE(os.stat(passwords).st_mode) == 0o600
        assert 'DB_PASSWORD_IDENTITY=' in passwords.read_text()
    finally:
        _drop(database, names)
