"""Host aggregates (os-aggregates): aggregates, their hosts and metadata."""
from common.db import migration
from compute.db import models


def upgrade(conn):
    migration.create_tables(conn, models.Base.metadata,
                            ('aggregates', 'aggregate_hosts', 'aggregate_metadata'))
