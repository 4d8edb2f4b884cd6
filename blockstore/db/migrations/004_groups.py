"""Generic volume groups: group types, groups, group snapshots, and the links of volumes
(volumes.group_id) and snapshots (snapshots.group_snapshot_id) to them; a volume's
migration_status."""
from blockstore.db import models
from common.db import migration


def upgrade(conn):
    migration.create_tables(conn, models.Base.metadata,
                            ['group_types', 'groups', 'group_snapshots'])
    migration.add_column(conn, 'volumes', models.Volume.__table__.c.group_id.copy())
    migration.add_column(conn, 'volumes', models.Volume.__table__.c.migration_status.copy())
    migration.add_column(conn, 'snapshots',
                         models.Snapshot.__table__.c.group_snapshot_id.copy())
    migration.create_indexes(conn, models.Volume.__table__)
    migration.create_indexes(conn, models.Snapshot.__table__)
