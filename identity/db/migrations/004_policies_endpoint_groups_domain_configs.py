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
    # Every column of the credential model exists from here on: its indexes (the unique
    # access_id among them) can be made from it.
    migration.create_indexes(conn, models.Credential.__table__)
    # Until now an ec2 credential's id was the SHA-256 of its access key.
    conn.execute(sa.text("UPDATE credentials SET access_id = id "
                         "WHERE type = 'ec2' AND access_id IS NULL"))
