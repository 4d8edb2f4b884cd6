"""The first schema: the tables of the current models and the default volume type."""
import sqlalchemy as sa

from blockstore.db import models
from common.db import migration
from common.db import types


def upgrade(conn):
    migration.create_tables(conn, models.Base.metadata, [
        'services', 'volume_types', 'volume_type_projects', 'volumes', 'snapshots',
        'volume_attachments', 'backups', 'quotas', 'pools'])
    table = models.VolumeType.__table__
    if not conn.execute(sa.select(table.c.id).where(table.c.name == '__DEFAULT__')).first():
        conn.execute(table.insert().values(
            id=models.DEFAULT_TYPE_ID, name='__DEFAULT__', description='Default Volume Type',
            is_public=True, extra_specs={}, created_at=types.utcnow()))
