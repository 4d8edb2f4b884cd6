"""Address groups (address-group), security group rules naming one as remote, the
DHCP/L3 agent bindings (dhcp_agent_scheduler, l3_agent_scheduler) and auto-allocated
topologies, and availability zones (agents', networks' and routers' hints)."""
from common.db import migration
from network.db import models


def upgrade(conn):
    migration.create_tables(conn, models.Base.metadata,
                            ['address_groups', 'address_group_addresses',
                             'network_dhcp_agent_bindings', 'router_l3_agent_bindings',
                             'auto_allocated_topologies'])
    rules = models.SecurityGroupRule.__table__
    migration.add_column(conn, 'security_group_rules',
                         rules.c.remote_address_group_id.copy())
    migration.create_indexes(conn, rules)
    migration.add_column(conn, 'networks',
                         models.Network.__table__.c.dhcp_scheduled.copy())
    migration.add_column(conn, 'routers', models.Router.__table__.c.l3_scheduled.copy())
    for model in (models.Network, models.Router):
        migration.add_column(conn, model.__tablename__,
                             model.__table__.c.availability_zone_hints.copy())
    migration.add_column(conn, 'agents',
                         models.Agent.__table__.c.availability_zone.copy())
