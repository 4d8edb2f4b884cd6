"""Indexes for the list filters that had none: project, user, group and service names
(the unique constraints start with the domain), role assignments by role, regions by
parent, endpoints by interface and region, credentials by type."""
from common.db import migration
from identity.db import models


def upgrade(conn):
    for model in (models.Project, models.User, models.Group, models.Assignment, models.Region,
                  models.CatalogService, models.Endpoint, models.Credential):
        migration.create_indexes(conn, model.__table__)
