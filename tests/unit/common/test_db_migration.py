"""Versioned migrations apply in order, in place, once; sessions commit or roll back."""
import sys
import textwrap

import pytest
import sqlalchemy as sa

from common.db import api as db_api
from common.db import migration


@pytest.fixture
def migrations_pkg(tmp_path, monkeypatch):
    pkg = tmp_path / 'fakesvc_migrations'
    pkg.mkdir()
    (pkg / '__init__.py').write_text('')
    (pkg / '001_initial.py').write_text(textwrap.dedent('''
        import sqlalchemy as sa
        meta = sa.MetaData()
        things = sa.Table('things', meta, sa.Column('id', sa.Integer, primary_key=True),
                          sa.Column('name', sa.String(32)))
        def upgrade(conn):
            meta.create_all(conn)
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield pkg
    for name in [m for m in sys.modules if m.startswith('fakesvc_migrations')]:
        del sys.modules[name]


def test_upgrade_in_place(tmp_path, migrations_pkg):
    db = db_api.Database('sqlite:///%s' % (tmp_path / 'x.sqlite'))
    assert migration.upgrade(db, 'fakesvc_migrations') == 1
    with db.session() as s:
        s.execute(sa.text("INSERT INTO things (name) VALUES ('kept')"))
    (migrations_pkg / '002_add_size.py').write_text(textwrap.dedent('''
        import sqlalchemy as sa
        from common.db import migration
        def upgrade(conn):
            migration.add_column(conn, 'things', sa.Column('size', sa.Integer,
                                 nullable=False, server_default='7'))
    '''))
    assert migration.upgrade(db, 'fakesvc_migrations') == 2
    assert migration.upgrade(db, 'fakesvc_migrations') == 2
    with db.session() as s:
        assert s.execute(sa.text('SELECT name, size FROM things')).all() == [('kept', 7)]


def test_gap_in_versions_is_refused(migrations_pkg):
    (migrations_pkg / '003_skip.py').write_text('def upgrade(conn):\n    pass\n')
    with pytest.raises(RuntimeError, match='expected version 002'):
        migration.discover('fakesvc_migrations')


def test_session_rolls_back_on_error():
    db = db_api.Database('sqlite://')
    with db.session() as s:
        s.execute(sa.text('CREATE TABLE t (v INTEGER)'))
    with pytest.raises(ZeroDivisionError):
        with db.session() as s:
            s.execute(sa.text('INSERT INTO t VALUES (1)'))
            1 / 0
    with db.session() as s:
        assert s.execute(sa.text('SELECT count(*) FROM t')).scalar() == 0
