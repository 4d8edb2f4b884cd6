"""OAuth 1.0a request and access tokens (OS-OAUTH1 delegation)."""
from common.db import migration
from identity.db import models


def upgrade(conn):
    migration.create_tables(conn, models.metadata, ['oauth_request_tokens',
                                                    'oauth_access_tokens'])
