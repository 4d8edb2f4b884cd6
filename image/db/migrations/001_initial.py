"""Create every table of the image database from the current models."""
from common.db import migration
from image.db import models


def upgrade(conn):
    migration.create_tables(conn, models.Base.metadata, [t.name for t in
                                                         models.Base.metadata.sorted_tables])
