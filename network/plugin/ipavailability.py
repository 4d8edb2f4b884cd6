"""Network IP availability (network-ip-availability): per network and subnet, how many
addresses the allocation pools hold and how many are allocated."""
import ipaddress

import sqlalchemy as sa

from network import exceptions as nexc
from network.db import models
from network.plugin import subnets as subnets_mod

FILTERS = ('network_id', 'network_name', 'project_id', 'tenant_id', 'ip_version')


def _pool_size(subnet):
    return sum(last - first + 1 for first, last in subnets_mod.pool_ranges(subnet))


class IPAvailability:
    def __init__(self, core_):
        self.core = core_

    def list(self, filters):
        """Every network matching ``filters`` ({name: [values]}); an unknown filter is 400."""
        for key in filters:
            if key not in FILTERS:
                raise nexc.BadRequest('%s is not a valid filter of network IP availability.'
                                      % key)

        def run(sess):
            stmt = sa.select(models.Network).order_by(models.Network.created_at,
                                                      models.Network.id)
            column = {'network_id': models.Network.id, 'network_name': models.Network.name,
                      'project_id': models.Network.project_id,
                      'tenant_id': models.Network.project_id}
            for key, values in filters.items():
                if key in column:
                    stmt = stmt.where(column[key].in_(values))
            return self._availabilities(sess, list(sess.scalars(stmt)))
        rows = self.core.transaction(run)
        versions = filters.get('ip_version')
        if versions:
            rows = [r for r in rows if any(str(s['ip_version']) in versions
                                           for s in r['subnet_ip_availability'])]
            for row in rows:
                row['subnet_ip_availability'] = [
                    s for s in row['subnet_ip_availability'] if str(s['ip_version']) in versions]
        return rows

    def show(self, network_id):
        def run(sess):
            net = sess.get(models.Network, network_id)
            if net is None:
                raise nexc.NetworkNotFound('Network %s could not be found.' % network_id)
            return self._availabilities(sess, [net])[0]
        return self.core.transaction(run)

    @staticmethod
    def _availabilities(sess, nets):
        """The availability of each of ``nets``, in two queries whatever their number."""
        ids = [net.id for net in nets]
        used = {(network_id, subnet_id): count for network_id, subnet_id, count in sess.execute(
            sa.select(models.IPAllocation.network_id, models.IPAllocation.subnet_id,
                      sa.func.count()).where(models.IPAllocation.network_id.in_(ids)).group_by(
                models.IPAllocation.network_id, models.IPAllocation.subnet_id))} if ids else {}
        subnets = {}
        if ids:
            for sub in sess.execute(sa.select(
                    models.Subnet.id, models.Subnet.network_id, models.Subnet.name,
                    models.Subnet.cidr, models.Subnet.allocation_pools).where(
                    models.Subnet.network_id.in_(ids)).order_by(models.Subnet.created_at)):
                subnets.setdefault(sub.network_id, []).append({
                    'subnet_id': sub.id, 'subnet_name': sub.name, 'cidr': sub.cidr,
                    'ip_version': ipaddress.ip_network(sub.cidr).version,
                    'total_ips': _pool_size({'allocation_pools': sub.allocation_pools}),
                    'used_ips': used.get((sub.network_id, sub.id), 0)})
        out = []
        for net in nets:
            mine = subnets.get(net.id, [])
            out.append({'network_id': net.id, 'network_name': net.name,
                        'project_id': net.project_id, 'tenant_id': net.project_id,
                        'total_ips': sum(s['total_ips'] for s in mine),
                        'used_ips': sum(s['used_ips'] for s in mine),
                        'subnet_ip_availability': mine})
        return out
