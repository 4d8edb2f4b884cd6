"""Versioned schema migrations, applied in place and in order.

A service keeps its migrations as modules ``<service>/db/migrations/NNN_description.py``,
each with ``upgrade(conn)`` taking a SQLAlchemy Connection inside a transaction.  The
applied version lives in the ``schema_version`` table, so ``db-sync`` upgrades any older
database to the newest schema and is a no-op when it is current.
"""
import importlib
import logging
import pkgutil
import re

import sqlalchemy as sa

LOG = logging.getLogger(__name__)

_VERSION_TABLE = sa.Table('schema_version', sa.MetaData(),
                          sa.Column('version', sa.Integer, nullable=False))
_MODULE_RE = re.compile(r'^(\d{3})_\w+$')


def discover(package_name):
    """``[(version, module)]`` of a migrations package, sorted; gaps are an error."""
    package = importlib.import_module(package_name)
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        match = _MODULE_RE.match(info.name)
        if match:
            found.append((int(match.group(1)),
                          importlib.import_module('%s.%s' % (package_name, info.name))))
    found.sort(key=lambda item: item[0])
    for expected, (version, module) in enumerate(found, start=1):
        if version != expected:
            raise RuntimeError('migration %s: expected version %03d' % (module.__name__, expected))
    return found


def current_version(engine):
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table('schema_version'):
            return 0
        row = conn.execute(sa.select(_VERSION_TABLE.c.version)).first()
        return row[0] if row else 0


def upgrade(db, package_name, target=None):
    """Apply every migration above the current version (up to ``target``); return the new one."""
    migrations = discover(package_name)
    _VERSION_TABLE.metadata.create_all(db.engine, tables=[_VERSION_TABLE])
    version = current_version(db.engine)
    newest = migrations[-1][0] if migrations else 0
    target = newest if target is None else target
    if version > newest:
        raise RuntimeError('database is at version %d, newer than this code (%d)'
                           % (version, newest))
    for number, module in migrations:
        if version < number <= target:
            LOG.info('applying migration %s', module.__name__)
            with db.engine.begin() as conn:
                module.upgrade(conn)
                conn.execute(_VERSION_TABLE.delete())
                conn.execute(_VERSION_TABLE.insert().values(version=number))
            version = number
    return version


def add_column(conn, table_name, column):
    """ALTER TABLE ... ADD COLUMN for a SQLAlchemy Column, portable across our dialects.

    Skipped when the column is already there: migration 001 creates tables from the
    current models, so later column additions must be idempotent.
    """
    existing = {c['name'] for c in sa.inspect(conn).get_columns(table_name)}
    if column.name in existing:
        return
    col_type = column.type.compile(dialect=conn.dialect)
    ddl = 'ALTER TABLE %s ADD COLUMN %s %s' % (table_name, column.name, col_type)
    if not column.nullable:
        if column.server_default is None:
            raise ValueError('a NOT NULL column added in place needs a server_default')
        ddl += ' NOT NULL'
    if column.server_default is not None:
        ddl += ' DEFAULT %s' % column.server_default.arg
    conn.execute(sa.text(ddl))


def create_tables(conn, metadata, names):
    """Create the named tables of ``metadata`` that do not exist yet."""
    metadata.create_all(conn, tables=[metadata.tables[n] for n in names], checkfirst=True)


def create_indexes(conn, table):
    """Create the indexes the model ``table`` declares that the database lacks (by name):
    migration 001 creates tables from the current models, so index additions must be
    idempotent too."""
    existing = {ix['name'] for ix in sa.inspect(conn).get_indexes(table.name)}
    for index in table.indexes:
        if index.name not in existing:
            index.create(conn)
