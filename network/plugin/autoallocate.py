"""Auto-allocated topology (auto-allocated-topology): on first ask, a project gets a
network, a subnet per IP version from the default subnet pools and a router gatewayed on
the default external network, all made in one transaction; the project's row in
``auto_allocated_topologies`` (primary key) makes a concurrent second ask rerun and
answer the first one's network."""
import sqlalchemy as sa

from network import exceptions as nexc
from network.db import models

T = models.AutoAllocatedTopology


def _answer(project, network_id):
    return {'id': network_id, 'project_id': project, 'tenant_id': project}


class AutoAllocator:
    def __init__(self, core_):
        self.core = core_

    def _requirements(self, sess):
        """(default external network, default subnet pools) or AutoAllocationFailure."""
        external = sess.scalar(sa.select(models.Network).where(
            models.Network.external.is_(True), models.Network.is_default.is_(True)))
        if external is None:
            raise nexc.AutoAllocationFailure('Deployment error: No default router:external '
                                             'network.')
        pools = list(sess.scalars(sa.select(models.SubnetPool).where(
            models.SubnetPool.is_default.is_(True)).order_by(models.SubnetPool.ip_version)))
        if not pools:
            raise nexc.AutoAllocationFailure('Deployment error: No default subnetpools '
                                             'defined.')
        return external, pools

    def get(self, ctx, project, dry_run=False):
        """The project's topology (its network id), made now if it has none."""
        def run(sess):
            if dry_run:
                # Whether a topology could be made now (Neutron's answer, made or not).
                self._requirements(sess)
                return 'dry-run=pass', None
            existing = sess.get(T, project)
            if existing is not None:
                return existing.network_id, None
            external, pools = self._requirements(sess)
            net = self.core.networks._create(sess, ctx, {
                'name': 'auto_allocated_network', 'project_id': project,
                'admin_state_up': True, 'shared': False})
            # Claimed first: a concurrent ask collides here and reruns.
            sess.add(T(project_id=project, network_id=net['id']))
            sess.flush()
            subnets = [self.core.subnets._create(sess, ctx, {
                'network_id': net['id'], 'project_id': project, 'ip_version': pool.ip_version,
                'use_default_subnetpool': True,
                'name': 'auto_allocated_subnet_v%d' % pool.ip_version}) for pool in pools]
            router = models.Router(project_id=project, name='auto_allocated_router',
                                   description='', admin_state_up=True, status='ACTIVE',
                                   routes=[], revision_number=1)
            self.core.quotas.check(sess, project, 'router', 1)
            sess.add(router)
            sess.flush()
            self.core.routers._set_gateway(sess, ctx, router, {'network_id': external.id})
            for subnet in subnets:
                self.core.routers.add_interface_in(sess, ctx, router.id,
                                                   {'subnet_id': subnet['id']})
            sess.get(T, project).router_id = router.id
            sess.flush()
            return net['id'], router.id
        network_id, router_id = self.core.transaction(run)
        if router_id is not None:
            self.core.notify(ctx, [('network', [network_id]), ('router', [router_id])])
        return _answer(project, network_id)

    def delete(self, ctx, project):
        """Remove the project's topology: router interfaces, router, network."""
        def run(sess):
            row = sess.get(T, project)
            if row is None:
                raise nexc.NotFound('Auto allocated topology for project %s not found.'
                                    % project)
            return row.network_id, row.router_id
        network_id, router_id = self.core.transaction(run)
        if router_id is not None:
            def interfaces(sess):
                return [p.id for p in self.core.routers.interface_ports(sess, router_id)]
            for port_id in self.core.transaction(interfaces):
                self.core.routers.remove_interface(ctx, router_id, {'port_id': port_id})
            self.core.routers.delete(ctx, router_id)
        self.core.networks.delete(ctx, network_id)
