"""OAuth 1.0a consumers (OS-OAUTH1)."""
from common.db import migration
from identity.db import models


def upgrade(conn):
    migration.create_tables(conn, models.metadata, ['oauth_consumers'])
