"""networks.is_default: the default external network."""
from common.db import migration
from network.db import models


def upgrade(conn):
    migration.add_column(conn, 'networks', models.Network.__table__.c.is_default.copy())
