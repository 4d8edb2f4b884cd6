"""Network flavors, service profiles and their associations (flavors)."""
from common.db import migration
from network.db import models


def upgrade(conn):
    migration.create_tables(conn, models.Base.metadata,
                            ['flavors', 'service_profiles', 'flavor_service_profiles'])
