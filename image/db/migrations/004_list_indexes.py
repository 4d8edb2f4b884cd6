"""Indexes for every filter and sort key of the image, task and metadef namespace lists
(disk and container format, sizes, minimums, tags, task owner and times, namespace
visibility, display name, update time and resource type associations)."""
from common.db import migration
from image.db import models


def upgrade(conn):
    for model in (models.Image, models.ImageTag, models.ImportJob, models.MetadefNamespace,
                  models.MetadefNamespaceResourceType):
        migration.create_indexes(conn, model.__table__)
