"""The policies, endpoint groups and domain configuration tables; ec2 credentials found by
an access-key hash column, so their access key can change."""
import sqlalchemy as sa

from common.db import migration
from identity.db import models


def upgrade(conn):
    migration.create_tables(conn, models.metadata, ['policies', 'endpoint_groups',
                                                    'project_endpoint_groups',
                                                    'domain_configs'])
    migration.add_column(conn, 'credentials', sa.Column('access_id', sa.String(64),
                                                        nullable=True))
    indexes = {ix['name'] for ix in sa.inspect(conn).get_indexes('credentials')}
    if 'uniq_credentials_access_id' not in indexes:
        conn.execute(sa.text('CREATE UNIQUE INDEX uniq_credentials_access_id '
                             'ON credentials (access_id)'))
    # Until now an ec2 credential's id was the SHA-256 of its access key.
    conn.execute(sa.text("UPDATE credentials SET access_id = id "
                         "WHERE type = 'ec2' AND access_id IS NULL"))
