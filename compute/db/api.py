"""The compute database: opening and migrating it."""
from common.db import api as db_api
from common.db import migration

MIGRATIONS = 'compute.db.migrations'


def from_conf(conf):
    return db_api.from_conf(conf, 'compute')


def sync(db):
    """Bring the schema to the newest version; returns it."""
    return migration.upgrade(db, MIGRATIONS)


def row_to_dict(row):
    """A model row as a plain dict of its columns (by column name)."""
    return {col.name: getattr(row, attr.key)
            for attr in row.__mapper__.column_attrs for col in attr.columns}
