"""Metadata definitions: the metadef tables, and the resource types every cloud starts with
(the ones Glance's catalog associates its namespaces with)."""
import sqlalchemy as sa

from common.db import migration
from common.db import types
from image.db import models

TABLES = ('metadef_namespaces', 'metadef_resource_types', 'metadef_namespace_resource_types',
          'metadef_objects', 'metadef_properties', 'metadef_tags')
STANDARD_RESOURCE_TYPES = ('OS::Glance::Image', 'OS::Cinder::Volume', 'OS::Nova::Flavor',
                           'OS::Nova::Aggregate', 'OS::Nova::Server')


def upgrade(conn):
    migration.create_tables(conn, models.Base.metadata, TABLES)
    table = models.MetadefResourceType.__table__
    have = set(conn.execute(sa.select(table.c.name)).scalars())
    now = types.utcnow()
    for name in STANDARD_RESOURCE_TYPES:
        if name not in have:
            conn.execute(table.insert().values(name=name, protected=True, created_at=now,
                                               updated_at=now))
