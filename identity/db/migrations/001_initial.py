"""Initial identity schema."""
from common.db import migration
from identity.db import models


def upgrade(conn):
    migration.create_tables(conn, models.metadata, sorted(models.metadata.tables))
