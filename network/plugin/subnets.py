"""Subnets: CIDR, gateway, pools, routes and DNS checked before anything is written."""
import ipaddress

import sqlalchemy as sa

from common.db import query

from network import exceptions as nexc
from network import ipam
from network.db import models
from network.plugin import core
from network.plugin import rbac
from network.plugin import tags

FIELDS = {
    'id': query.Field(models.Subnet.id),
    'name': query.Field(models.Subnet.name),
    'description': query.Field(models.Subnet.description),
    'project_id': query.Field(models.Subnet.project_id),
    'tenant_id': query.Field(models.Subnet.project_id),
    'network_id': query.Field(models.Subnet.network_id),
    'ip_version': query.Field(models.Subnet.ip_version, 'int'),
    'cidr': query.Field(models.Subnet.cidr),
    'gateway_ip': query.Field(models.Subnet.gateway_ip),
    'enable_dhcp': query.Field(models.Subnet.enable_dhcp, 'bool'),
    'ipv6_ra_mode': query.Field(models.Subnet.ipv6_ra_mode),
    'ipv6_address_mode': query.Field(models.Subnet.ipv6_address_mode),
    'subnetpool_id': query.Field(models.Subnet.subnetpool_id),
    'created_at': query.Field(models.Subnet.created_at),
    'updated_at': query.Field(models.Subnet.updated_at),
    'revision_number': query.Field(models.Subnet.revision_number, 'int'),
}
FIELDS.update(tags.filter_fields(models.Subnet))

IPV6_MODES = ('slaac', 'dhcpv6-stateful', 'dhcpv6-stateless')


def scope(ctx):
    """A caller sees its own subnets and those of networks shared with it; as in
    Neutron, the subnets of an external network that is not shared are the operator's."""
    if ctx.is_admin:
        return None
    project = core.project_of(ctx)
    return sa.or_(models.Subnet.project_id == project,
                  models.Subnet.network_id.in_(rbac.granted(project, [rbac.SHARED])))


def to_dict(row):
    out = {'id': row.id, 'name': row.name, 'description': row.description,
           'network_id': row.network_id, 'ip_version': row.ip_version, 'cidr': row.cidr,
           'gateway_ip': row.gateway_ip, 'enable_dhcp': row.enable_dhcp,
           'ipv6_ra_mode': row.ipv6_ra_mode, 'ipv6_address_mode': row.ipv6_address_mode,
           'dns_nameservers': list(row.dns_nameservers or []),
           'host_routes': list(row.host_routes or []),
           'allocation_pools': list(row.allocation_pools or []),
           'subnetpool_id': row.subnetpool_id, 'service_types': [], 'segment_id': None}
    return core.stamp(out, row)


def pool_ranges(subnet):
    """[(first, last)] ints of a subnet dict's or row's allocation pools."""
    pools = subnet['allocation_pools'] if isinstance(subnet, dict) else subnet.allocation_pools
    return [(int(ipaddress.ip_address(p['start'])), int(ipaddress.ip_address(p['end'])))
            for p in pools or []]


def _check_dns(values, version):
    seen = set()
    for value in values:
        ip = ipam.parse_ip(value, 'dns_nameservers')
        if str(ip) in seen:
            raise nexc.InvalidInput("Duplicate nameserver '%s'." % value)
        seen.add(str(ip))
    return [str(ipaddress.ip_address(v)) for v in values]


def _check_routes(routes, version):
    seen = set()
    out = []
    for route in routes:
        dest = ipam.parse_cidr(route.get('destination'), 'host_routes destination')
        hop = ipam.parse_ip(route.get('nexthop'), 'host_routes nexthop')
        if dest.version != version or hop.version != version:
            raise nexc.InvalidInput('Host route %s via %s is not of the subnet\'s IP version '
                                    '%d.' % (dest, hop, version))
        key = (str(dest), str(hop))
        if key in seen:
            raise nexc.InvalidInput('Duplicate host route %s via %s.' % key)
        seen.add(key)
        out.append({'destination': str(dest), 'nexthop': str(hop)})
    return out


class SubnetManager:
    def __init__(self, core_):
        self.core = core_

    def get_row(self, sess, ctx, subnet_id):
        row = sess.get(models.Subnet, subnet_id) if isinstance(subnet_id, str) else None
        if row is not None and not ctx.is_admin and row.project_id != core.project_of(ctx):
            if not rbac.is_granted(sess, row.network_id, core.project_of(ctx),
                                   [rbac.SHARED]):
                row = None
        if row is None:
            raise nexc.SubnetNotFound('Subnet %s could not be found.' % subnet_id)
        return row

    def rows_of_network(self, sess, network_id):
        return list(sess.scalars(sa.select(models.Subnet).where(
            models.Subnet.network_id == network_id).order_by(models.Subnet.created_at,
                                                             models.Subnet.id)))

    def show(self, ctx, subnet_id):
        return self.core.transaction(lambda sess: to_dict(self.get_row(sess, ctx, subnet_id)))

    def list(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            rows = core.page_rows(sess, ctx, self, models.Subnet, FIELDS, scope(ctx),
                                  filters, sorts, limit, marker, page_reverse)
            return [to_dict(r) for r in rows]
        return self.core.transaction(run)

    # creating -----------------------------------------------------------------
    def create(self, ctx, items):
        def run(sess):
            return [self._create(sess, ctx, item) for item in items]
        result = self.core.transaction(run)
        for network_id in sorted({s['network_id'] for s in result if s['enable_dhcp']}):
            self.core.scheduler.schedule_network(network_id)
        self.core.notify(ctx, [('subnet', [s['id'] for s in result]),
                               ('network', [s['network_id'] for s in result])])
        return result

    def _create(self, sess, ctx, data):
        network = self.core.networks.usable_row(sess, ctx, data['network_id'], owner_only=True)
        project = core.require_project(ctx, data)
        self.core.quotas.check(sess, project, 'subnet', 1)
        pool = self.core.subnetpools.for_subnet(sess, ctx, data)
        if pool is not None:
            net = self.core.subnetpools.allocate(sess, pool, project, data)
        elif data.get('cidr') is None:
            raise nexc.BadRequest('A subnet needs a cidr, a subnetpool_id or '
                                  'use_default_subnetpool.')
        else:
            if 'prefixlen' in data:
                raise nexc.InvalidInput('prefixlen is only valid with a subnet pool.')
            net = ipam.parse_cidr(data['cidr'])
        version = data.get('ip_version', net.version)
        if net.version != version:
            raise nexc.InvalidInput('Cidr %s does not match ip_version %s.' % (net, version))
        if version == 4 and net.prefixlen > 30:
            raise nexc.InvalidInput('Cidr %s is too small: an IPv4 subnet needs a prefix of '
                                    '/30 or shorter.' % net)
        for other in self.rows_of_network(sess, network.id):
            if ipaddress.ip_network(other.cidr).overlaps(net):
                raise nexc.InvalidInput('Requested subnet with cidr: %s for network: %s '
                                        'overlaps with another subnet (%s).'
                                        % (net, network.id, other.cidr))
        ra_mode, addr_mode = self._ipv6_modes(version, net, data)
        if 'gateway_ip' in data:
            gateway = None if data['gateway_ip'] is None else \
                ipam.parse_ip(data['gateway_ip'], 'gateway_ip')
            if gateway is not None and gateway.version != version:
                raise nexc.InvalidInput('Gateway IP %s is not of IP version %d.'
                                        % (gateway, version))
        else:
            gateway = ipam.first_host(net)
        if data.get('allocation_pools') is not None:
            ranges = ipam.pools_from_api(net, data['allocation_pools'])
        else:
            ranges = ipam.default_pools(
                net, gateway if gateway is not None and gateway in net else None)
        ipam.check_gateway(net, gateway, ranges)
        if not ranges and data.get('allocation_pools') is None:
            raise nexc.InvalidInput('Cidr %s leaves no addresses to allocate.' % net)
        row = models.Subnet(
            project_id=project, network_id=network.id, name=data.get('name') or '',
            description=data.get('description') or '', ip_version=version, cidr=str(net),
            gateway_ip=str(gateway) if gateway is not None else None,
            enable_dhcp=data.get('enable_dhcp', True), ipv6_ra_mode=ra_mode,
            ipv6_address_mode=addr_mode,
            dns_nameservers=_check_dns(data.get('dns_nameservers') or [], version),
            host_routes=_check_routes(data.get('host_routes') or [], version),
            allocation_pools=ipam.pools_to_api(ranges, version),
            subnetpool_id=pool.id if pool is not None else None, revision_number=1)
        sess.add(row)
        sess.flush()
        return to_dict(row)

    @staticmethod
    def _ipv6_modes(version, net, data):
        ra_mode = data.get('ipv6_ra_mode')
        addr_mode = data.get('ipv6_address_mode')
        if version == 4:
            if ra_mode or addr_mode:
                raise nexc.InvalidInput('ipv6_ra_mode and ipv6_address_mode are only valid '
                                        'for IPv6 subnets.')
            return None, None
        if ra_mode and addr_mode and ra_mode != addr_mode:
            raise nexc.InvalidInput('ipv6_ra_mode set to %s with ipv6_address_mode set to %s '
                                    'is not valid; if both are set they must be equal.'
                                    % (ra_mode, addr_mode))
        if addr_mode in ('slaac', 'dhcpv6-stateless') and net.prefixlen != 64:
            raise nexc.InvalidInput('Invalid CIDR %s for IPv6 address mode %s: SLAAC needs a '
                                    '/64 prefix.' % (net, addr_mode))
        return ra_mode, addr_mode

    # updating and deleting -----------------------------------------------------
    def update(self, ctx, subnet_id, data):
        def run(sess):
            row = self.get_row(sess, ctx, subnet_id)
            network = self.core.networks.usable_row(sess, ctx, row.network_id,
                                                    owner_only=True)
            net = ipaddress.ip_network(row.cidr)
            for key in ('cidr', 'ip_version', 'network_id', 'ipv6_ra_mode',
                        'ipv6_address_mode'):
                if key in data and data[key] != getattr(row, key):
                    raise nexc.InvalidInput("Cannot update read-only attribute %s." % key)
            gateway = ipaddress.ip_address(row.gateway_ip) if row.gateway_ip else None
            if 'gateway_ip' in data:
                gateway = None if data['gateway_ip'] is None else \
                    ipam.parse_ip(data['gateway_ip'], 'gateway_ip')
                if gateway is not None and gateway.version != row.ip_version:
                    raise nexc.InvalidInput('Gateway IP %s is not of IP version %d.'
                                            % (gateway, row.ip_version))
            ranges = pool_ranges(row)
            if data.get('allocation_pools') is not None:
                ranges = ipam.pools_from_api(net, data['allocation_pools'])
            if 'gateway_ip' in data or 'allocation_pools' in data:
                ipam.check_gateway(net, gateway, ranges)
            if 'gateway_ip' in data and gateway is not None and str(gateway) != row.gateway_ip:
                holder = sess.get(models.IPAllocation, (network.id, str(gateway)))
                if holder is not None:
                    raise nexc.IpAddressAlreadyAllocated(
                        'IP address %s already allocated in subnet %s.' % (gateway, row.id))
            row.gateway_ip = str(gateway) if gateway is not None else None
            row.allocation_pools = ipam.pools_to_api(ranges, row.ip_version)
            if data.get('dns_nameservers') is not None:
                row.dns_nameservers = _check_dns(data['dns_nameservers'], row.ip_version)
            if data.get('host_routes') is not None:
                row.host_routes = _check_routes(data['host_routes'], row.ip_version)
            for key in ('name', 'description', 'enable_dhcp'):
                if key in data:
                    setattr(row, key, data[key] if data[key] is not None else '')
            core.bump(row)
            sess.flush()
            return to_dict(row)
        result = self.core.transaction(run)
        self.core.notify(ctx, [('subnet', [subnet_id])])
        return result

    def delete(self, ctx, subnet_id):
        def run(sess):
            row = self.get_row(sess, ctx, subnet_id)
            self.core.networks.usable_row(sess, ctx, row.network_id, owner_only=True)
            holders = list(sess.execute(
                sa.select(models.Port.id, models.Port.device_owner).join(
                    models.IPAllocation, models.IPAllocation.port_id == models.Port.id).where(
                    models.IPAllocation.subnet_id == row.id)))
            # SLAAC addresses are the ports' own doing, not allocations of ours: they go
            # with the subnet (as in Neutron) unless a router interface serves it.
            auto = ipam.is_auto_address({'ip_version': row.ip_version,
                                         'ipv6_address_mode': row.ipv6_address_mode})
            if auto:
                blocking = [owner for _pid, owner in holders if owner in core.ROUTER_OWNERS]
            else:
                blocking = [owner for _pid, owner in holders if owner != core.OWNER_DHCP]
            if blocking:
                raise nexc.SubnetInUse('Unable to complete operation on subnet %s: one or '
                                       'more ports have an IP allocation from this subnet.'
                                       % row.id)
            sess.execute(sa.delete(models.IPAllocation).where(
                models.IPAllocation.subnet_id == row.id))
            sess.delete(row)
            return row.network_id, [pid for pid, _ in holders]
        network_id, port_ids = self.core.transaction(run)
        self.core.notify(ctx, [('subnet', [subnet_id]), ('network', [network_id]),
                               ('port', port_ids)])
