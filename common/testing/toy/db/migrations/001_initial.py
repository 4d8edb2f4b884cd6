"""The first schema: the tables of the current models."""
from common.db import migration
from common.testing.toy.db import models


def upgrade(conn):
    migration.create_tables(conn, models.Base.metadata, ['services', 'widgets'])
