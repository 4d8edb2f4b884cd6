"""networks.dns_domain (dns-integration)."""
from common.db import migration
from network.db import models


def upgrade(conn):
    migration.add_column(conn, 'networks', models.Network.__table__.c.dns_domain.copy())
