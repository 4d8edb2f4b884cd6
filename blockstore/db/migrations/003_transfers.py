"""Volume transfers between projects."""
from blockstore.db import models
from common.db import migration


def upgrade(conn):
    migration.create_tables(conn, models.Base.metadata, ['transfers'])
