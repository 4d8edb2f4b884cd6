"""QoS specs: their table and the volume type's link to one (volume_types.qos_specs_id)."""
from blockstore.db import models
from common.db import migration


def upgrade(conn):
    migration.create_tables(conn, models.Base.metadata, ['quality_of_service_specs'])
    migration.add_column(conn, 'volume_types',
                         models.VolumeType.__table__.c.qos_specs_id.copy())
