"""Address scopes, subnet pools and subnets.subnetpool_id (subnet_allocation)."""
from common.db import migration
from network.db import models


def upgrade(conn):
    migration.create_tables(conn, models.Base.metadata, ['address_scopes', 'subnetpools'])
    migration.add_column(conn, 'subnets', models.Subnet.__table__.c.subnetpool_id.copy())
