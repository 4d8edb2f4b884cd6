"""QoS policies and rules; qos_policy_id on networks and ports."""
from common.db import migration
from network.db import models


def upgrade(conn):
    migration.create_tables(conn, models.Base.metadata, ['qos_policies', 'qos_rules'])
    for table, model in (('networks', models.Network), ('ports', models.Port)):
        migration.add_column(conn, table, model.__table__.c.qos_policy_id.copy())
