"""default_external_networks: the guard of the one default external network."""
import sqlalchemy as sa

from common.db import migration
from network.db import models


def upgrade(conn):
    migration.create_tables(conn, models.Base.metadata, ['default_external_networks'])
    table = models.DefaultExternalNetwork.__table__
    nets = models.Network.__table__
    if conn.execute(sa.select(table.c.kind)).first() is None:
        current = conn.execute(sa.select(nets.c.id).where(nets.c.is_default.is_(True))
                               .order_by(nets.c.created_at)).first()
        if current is not None:
            conn.execute(table.insert().values(kind='external', network_id=current[0]))
