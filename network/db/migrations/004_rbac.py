"""rbac_policies, with the grants that the shared and router:external flags of existing
networks stood for (one wildcard grant each)."""
import sqlalchemy as sa

from common.db import types
from network.db import models


def upgrade(conn):
    models.RBACPolicy.__table__.create(conn, checkfirst=True)
    rbac = models.RBACPolicy.__table__
    nets = models.Network.__table__
    for column, action in ((nets.c.shared, 'access_as_shared'),
                           (nets.c.external, 'access_as_external')):
        for net_id, project in conn.execute(sa.select(nets.c.id, nets.c.project_id).where(
                column.is_(True))):
            exists = conn.execute(sa.select(rbac.c.id).where(
                rbac.c.object_id == net_id, rbac.c.action == action,
                rbac.c.target_project == '*')).first()
            if exists is None:
                conn.execute(rbac.insert().values(
                    id=types.new_uuid(), project_id=project, object_type='network',
                    object_id=net_id, action=action, target_project='*'))
