"""Per-project quotas: defaults from config, overrides in the database, checked on create."""
import sqlalchemy as sa

from network import exceptions as nexc
from network.db import models

RESOURCES = {
    'network': models.Network, 'subnet': models.Subnet, 'port': models.Port,
    'router': models.Router, 'floatingip': models.FloatingIP,
    'security_group': models.SecurityGroup, 'security_group_rule': models.SecurityGroupRule,
    'subnetpool': models.SubnetPool, 'rbac_policy': models.RBACPolicy,
}


class QuotaManager:
    def __init__(self, core_):
        self.core = core_

    def defaults(self):
        return {name: getattr(self.core.conf.quotas, 'quota_%s' % name) for name in RESOURCES}

    def limits(self, sess, project_id):
        limits = self.defaults()
        for row in sess.scalars(sa.select(models.Quota).where(
                models.Quota.project_id == project_id)):
            if row.resource in limits:
                limits[row.resource] = row.hard_limit
        return limits

    def usage(self, sess, project_id, resource):
        model = RESOURCES[resource]
        return sess.scalar(sa.select(sa.func.count()).select_from(model).where(
            model.project_id == project_id))

    def check(self, sess, project_id, resource, count):
        limit = self.limits(sess, project_id)[resource]
        if limit < 0:
            return
        if self.usage(sess, project_id, resource) + count > limit:
            raise nexc.OverQuota("Quota exceeded for resources: ['%s']." % resource)

    # API -------------------------------------------------------------------------
    def show(self, project_id):
        return self.core.transaction(lambda sess: self.limits(sess, project_id))

    def details(self, project_id):
        def run(sess):
            return {name: {'limit': limit, 'used': self.usage(sess, project_id, name),
                           'reserved': 0}
                    for name, limit in self.limits(sess, project_id).items()}
        return self.core.transaction(run)

    def list(self):
        """The limits of every project that has its own, read in one query."""
        def run(sess):
            projects = {}
            for row in sess.scalars(sa.select(models.Quota)):
                limits = projects.setdefault(row.project_id, self.defaults())
                if row.resource in limits:
                    limits[row.resource] = row.hard_limit
            return [dict(limits, project_id=project, tenant_id=project)
                    for project, limits in sorted(projects.items())]
        return self.core.transaction(run)

    def update(self, project_id, values, check_limit=False):
        """Set limits; with ``check_limit`` (the client's ``--no-force``) a limit below what
        the project already uses is refused and nothing is changed."""
        def run(sess):
            if check_limit:
                for name, limit in sorted(values.items()):
                    used = self.usage(sess, project_id, name)
                    if 0 <= limit < used:
                        raise nexc.BadRequest(
                            'Quota limit %d for %s is below the %d already in use; '
                            'delete some first or set it with --force.'
                            % (limit, name, used))
            for name, limit in values.items():
                row = sess.get(models.Quota, (project_id, name))
                if row is None:
                    sess.add(models.Quota(project_id=project_id, resource=name,
                                          hard_limit=limit))
                else:
                    row.hard_limit = limit
            sess.flush()
            return self.limits(sess, project_id)
        return self.core.transaction(run)

    def reset(self, project_id):
        def run(sess):
            sess.execute(sa.delete(models.Quota).where(models.Quota.project_id == project_id))
        self.core.transaction(run)
