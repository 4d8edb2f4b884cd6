"""Ports: MAC and fixed IP allocation, security groups, address pairs, host binding."""
import ipaddress

import sqlalchemy as sa

from common import validators
from common.db import query

from network import exceptions as nexc
from network import ipam
from network import rpcapi
from network.db import models
from network.plugin import core
from network.plugin import tags
from network.plugin import subnets as subnets_mod

def _fixed_ip_clause(values):
    """``fixed_ips=ip_address=1.2.3.4`` / ``subnet_id=...`` filters (Neutron syntax)."""
    parts = []
    for value in values:
        key, _, wanted = value.partition('=')
        column = {'ip_address': models.IPAllocation.ip_address,
                  'subnet_id': models.IPAllocation.subnet_id}.get(key)
        if column is None or not wanted:
            raise nexc.InvalidInput("Invalid input for fixed_ips filter: '%s' is not "
                                    "ip_address=<ip> or subnet_id=<id>." % value)
        parts.append(models.Port.id.in_(sa.select(models.IPAllocation.port_id).where(
            column == wanted)))
    return sa.and_(*parts)


def _sg_clause(values):
    return models.Port.id.in_(sa.select(models.PortSecurityGroup.port_id).where(
        models.PortSecurityGroup.security_group_id.in_(values)))


FIELDS = {
    'id': query.Field(models.Port.id),
    'name': query.Field(models.Port.name),
    'description': query.Field(models.Port.description),
    'project_id': query.Field(models.Port.project_id),
    'tenant_id': query.Field(models.Port.project_id),
    'network_id': query.Field(models.Port.network_id),
    'mac_address': query.Field(models.Port.mac_address),
    'admin_state_up': query.Field(models.Port.admin_state_up, 'bool'),
    'status': query.Field(models.Port.status),
    'device_id': query.Field(models.Port.device_id),
    'device_owner': query.Field(models.Port.device_owner),
    'binding:host_id': query.Field(models.Port.host_id),
    'binding:vnic_type': query.Field(models.Port.vnic_type),
    'port_security_enabled': query.Field(models.Port.port_security_enabled, 'bool'),
    'fixed_ips': query.Field(None, clause=_fixed_ip_clause),
    'security_groups': query.Field(None, clause=_sg_clause),
    'created_at': query.Field(models.Port.created_at),
    'updated_at': query.Field(models.Port.updated_at),
    'revision_number': query.Field(models.Port.revision_number, 'int'),
}
FIELDS.update(tags.filter_fields(models.Port))


def scope(ctx):
    """A caller sees its own ports and every port on its own networks."""
    if ctx.is_admin:
        return None
    project = core.project_of(ctx)
    return sa.or_(models.Port.project_id == project, models.Port.network_id.in_(
        sa.select(models.Network.id).where(models.Network.project_id == project)))


def _check_pairs(pairs):
    seen = set()
    out = []
    for pair in pairs:
        ip = ipam.parse_ip_or_cidr(pair.get('ip_address'), 'allowed_address_pairs ip_address')
        mac = ipam.parse_mac(pair['mac_address'], 'allowed_address_pairs mac_address') \
            if pair.get('mac_address') else None
        key = (ip, mac)
        if key in seen:
            raise nexc.InvalidInput('Duplicate allowed address pair %s %s.' % (ip, mac or ''))
        seen.add(key)
        out.append({'ip_address': ip, 'mac_address': mac})
    return out


def _check_dhcp_opts(requested, current=()):
    """The port's extra DHCP options after applying ``requested`` to ``current``: each one
    validated (``common.validators``) and keyed by (opt_name, ip_version); as in Neutron a
    requested option with a null opt_value removes that option."""
    opts = {(o['opt_name'], o['ip_version']): o for o in current}
    seen = set()
    for item in requested:
        version = int(item.get('ip_version') or 4)
        with ipam.invalid_input():
            name = validators.dhcp_option_name(item.get('opt_name'), 'extra_dhcp_opts opt_name',
                                               version)
            value = item.get('opt_value')
            if value is not None:
                value = validators.dhcp_option_value(value, 'extra_dhcp_opts opt_value')
        if (name, version) in seen:
            raise nexc.InvalidInput('Duplicate extra_dhcp_opts option %s for IPv%d.'
                                    % (name, version))
        seen.add((name, version))
        if value is None:
            opts.pop((name, version), None)
        else:
            opts[(name, version)] = {'opt_name': name, 'opt_value': value,
                                     'ip_version': version}
    return [opts[key] for key in sorted(opts, key=lambda k: (k[1], k[0]))]


def _check_dns_name(value):
    """A port's dns_name: '' (or null) for none, else a DNS label, stored lower-case."""
    if not value:
        return ''
    with ipam.invalid_input():
        return validators.dns_label(value, 'dns_name')


# The domain of the names dnsmasq answers when no other is configured (Neutron's default).
DNS_DOMAIN = 'openstacklocal'


def dns_assignment(dns_name, fixed_ips):
    """Neutron's dns_assignment: the host name and FQDN each fixed IP answers to."""
    out = []
    for ip in fixed_ips:
        name = dns_name or 'host-%s' % ip['ip_address'].replace('.', '-').replace(':', '-')
        out.append({'hostname': name, 'ip_address': ip['ip_address'],
                    'fqdn': '%s.%s.' % (name, DNS_DOMAIN)})
    return out


class PortManager:
    def __init__(self, core_):
        self.core = core_

    # reading ----------------------------------------------------------------
    def get_row(self, sess, ctx, port_id):
        row = sess.get(models.Port, port_id) if isinstance(port_id, str) else None
        if row is not None and not ctx.is_admin and row.project_id != core.project_of(ctx):
            net = sess.get(models.Network, row.network_id)
            if net.project_id != core.project_of(ctx):
                row = None
        if row is None:
            raise nexc.PortNotFound('Port %s could not be found.' % port_id)
        return row

    def to_dicts(self, sess, rows):
        ids = [r.id for r in rows]
        ips, sgs = {}, {}
        if ids:
            for alloc in sess.scalars(sa.select(models.IPAllocation).where(
                    models.IPAllocation.port_id.in_(ids))):
                ips.setdefault(alloc.port_id, []).append(alloc)
            for pid, sg in sess.execute(sa.select(
                    models.PortSecurityGroup.port_id,
                    models.PortSecurityGroup.security_group_id).where(
                    models.PortSecurityGroup.port_id.in_(ids))):
                sgs.setdefault(pid, []).append(sg)
        hosts = {r.host_id for r in rows if r.host_id}
        bridge_hosts = self.core.agents.live_hosts(sess, rpcapi.AGENT_BRIDGE, hosts)
        trunks = self.core.trunks.port_details(sess, ids)
        out = [self._to_dict(r, ips.get(r.id, []), sorted(sgs.get(r.id, [])), bridge_hosts)
               for r in rows]
        for port in out:
            # trunk-details: shown on trunk parents only, as Neutron does
            if port['id'] in trunks:
                port['trunk_details'] = trunks[port['id']]
        return out

    @staticmethod
    def _to_dict(row, allocs, sg_ids, bridge_hosts):
        allocs = sorted(allocs, key=lambda a: (a.subnet_id, ipaddress.ip_address(a.ip_address)))
        bound = bool(row.host_id) and row.host_id in bridge_hosts
        out = {'id': row.id, 'name': row.name, 'description': row.description,
               'network_id': row.network_id, 'mac_address': row.mac_address,
               'admin_state_up': row.admin_state_up, 'status': row.status,
               'device_id': row.device_id, 'device_owner': row.device_owner,
               'fixed_ips': [{'subnet_id': a.subnet_id, 'ip_address': a.ip_address}
                             for a in allocs],
               'allowed_address_pairs': [
                   {'ip_address': p['ip_address'],
                    'mac_address': p.get('mac_address') or row.mac_address}
                   for p in row.allowed_address_pairs or []],
               'security_groups': sg_ids,
               'port_security_enabled': row.port_security_enabled,
               'binding:host_id': row.host_id, 'binding:vnic_type': row.vnic_type,
               'binding:profile': row.binding_profile or {},
               'binding:vif_type': 'bridge' if bound else 'unbound',
               'binding:vif_details': {'port_filter': True, 'connectivity': 'l2'}
               if bound else {},
               'extra_dhcp_opts': [dict(o) for o in row.extra_dhcp_opts or []],
               'dns_name': row.dns_name or '',
               'qos_policy_id': row.qos_policy_id}
        out['dns_assignment'] = dns_assignment(out['dns_name'], out['fixed_ips'])
        return core.stamp(out, row)

    def show(self, ctx, port_id):
        return self.core.transaction(
            lambda sess: self.to_dicts(sess, [self.get_row(sess, ctx, port_id)])[0])

    def list(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            rows = core.page_rows(sess, ctx, self, models.Port, FIELDS, scope(ctx),
                                  filters, sorts, limit, marker, page_reverse)
            return self.to_dicts(sess, rows)
        return self.core.transaction(run)

    # creating -----------------------------------------------------------------
    def create(self, ctx, items):
        def run(sess):
            return [self.create_in(sess, ctx, item) for item in items]
        result = self.core.transaction(run)
        self.core.notify(ctx, [('port', [p['id'] for p in result])])
        return result

    def create_in(self, sess, ctx, data, project=None, service=False):
        """Create a port inside ``sess``; ``service`` ports (router, DHCP, floating IP) skip
        the quota and the network ownership checks and may take a subnet's gateway."""
        if service:
            network = sess.get(models.Network, data['network_id'])
        else:
            network = self.core.networks.usable_row(sess, ctx, data['network_id'])
            project = core.require_project(ctx, data)
            if data.get('device_owner') in core.ROUTER_OWNERS + (core.OWNER_FLOATINGIP,) \
                    and not ctx.is_admin:
                raise nexc.InvalidInput('device_owner %s is reserved for ports the service '
                                        'creates itself.' % data['device_owner'])
            self.core.quotas.check(sess, project, 'port', 1)
        row = models.Port(
            project_id=project, network_id=network.id, name=data.get('name') or '',
            description=data.get('description') or '',
            admin_state_up=data.get('admin_state_up', True), status='DOWN',
            device_id=data.get('device_id') or '', device_owner=data.get('device_owner') or '',
            host_id=data.get('binding:host_id') or '',
            vnic_type=data.get('binding:vnic_type') or 'normal',
            binding_profile=data.get('binding:profile') or {},
            port_security_enabled=data.get('port_security_enabled',
                                           network.port_security_enabled),
            allowed_address_pairs=[], revision_number=1,
            extra_dhcp_opts=_check_dhcp_opts(data.get('extra_dhcp_opts') or []),
            dns_name=_check_dns_name(data.get('dns_name')),
            qos_policy_id=self.core.qos.check_usable(sess, ctx, data.get('qos_policy_id')))
        row.mac_address = self._mac(sess, network.id, data.get('mac_address'))
        sess.add(row)
        sess.flush()
        allocs = self._allocate(sess, network, row, data.get('fixed_ips'),
                                allow_gateway=row.device_owner in core.ROUTER_OWNERS)
        if len(allocs) > self.core.conf.network.max_fixed_ips_per_port:
            raise nexc.InvalidInput('Exceeded maximum amount of fixed ips per port.')
        pairs = _check_pairs(data.get('allowed_address_pairs') or [])
        sg_ids = self._security_groups(sess, ctx, row, data.get('security_groups'),
                                       service)
        self._check_port_security(row.port_security_enabled, sg_ids, pairs)
        row.allowed_address_pairs = pairs
        sess.flush()
        return self.to_dicts(sess, [row])[0]

    def _mac(self, sess, network_id, mac):
        if mac is not None:
            mac = ipam.parse_mac(mac)
            if self._mac_taken(sess, network_id, mac):
                raise nexc.MacAddressInUse('Unable to complete operation for network %s. The '
                                           'mac address %s is in use.' % (network_id, mac))
            return mac
        for _attempt in range(self.core.conf.network.mac_generation_retries):
            mac = ipam.random_mac(self.core.conf.network.base_mac)
            if not self._mac_taken(sess, network_id, mac):
                return mac
        raise nexc.MacAddressGenerationFailure('Unable to generate a unique mac on network '
                                               '%s.' % network_id)

    @staticmethod
    def _mac_taken(sess, network_id, mac):
        return sess.scalar(sa.select(models.Port.id).where(
            models.Port.network_id == network_id, models.Port.mac_address == mac)) is not None

    def _allocate(self, sess, network, port, requested, allow_gateway=False):
        """Insert the port's IP allocations: as requested, or one per IP version."""
        subnets = self.core.subnets.rows_of_network(sess, network.id)
        by_id = {s.id: s for s in subnets}
        wanted = []   # (subnet row, ip string or None)
        if requested is None:
            v4 = [s for s in subnets if s.ip_version == 4]
            v6_stateful = [s for s in subnets if s.ip_version == 6
                           and s.ipv6_address_mode not in ('slaac', 'dhcpv6-stateless')]
            auto = [s for s in subnets if s.ip_version == 6
                    and s.ipv6_address_mode in ('slaac', 'dhcpv6-stateless')]
            wanted += [(s, None) for s in auto]
            for group in (v4, v6_stateful):
                if group:
                    wanted.append((group, None))
        else:
            for entry in requested:
                wanted.append(self._requested_subnet(network, subnets, by_id, entry))
        allocs = []
        seen_subnets = set()
        for target, ip in wanted:
            if isinstance(target, list):
                alloc = self._first_with_room(sess, network, port, target)
            else:
                if ip is None and target.id in seen_subnets:
                    raise nexc.InvalidInput('Subnet %s is requested twice for port %s.'
                                            % (target.id, port.id))
                seen_subnets.add(target.id)
                alloc = self._allocate_on(sess, network, port, target, ip, allow_gateway)
            allocs.append(alloc)
        if len({a.ip_address for a in allocs}) != len(allocs):
            raise nexc.InvalidInput('The same IP address is requested twice for one port.')
        for alloc in allocs:
            sess.add(alloc)
        sess.flush()
        return allocs

    @staticmethod
    def _requested_subnet(network, subnets, by_id, entry):
        subnet_id, ip = entry.get('subnet_id'), entry.get('ip_address')
        if ip is not None:
            ip = str(ipam.parse_ip(ip, 'fixed_ips ip_address'))
        if subnet_id is not None:
            subnet = by_id.get(subnet_id)
            if subnet is None:
                raise nexc.InvalidInput('Failed to create port on network %s, because '
                                        'fixed_ips included invalid subnet %s.'
                                        % (network.id, subnet_id))
            if ip is not None and ipaddress.ip_address(ip) not in \
                    ipaddress.ip_network(subnet.cidr):
                raise nexc.InvalidIpForSubnet('IP address %s is not a valid IP for the '
                                              'specified subnet %s.' % (ip, subnet_id))
            return subnet, ip
        if ip is None:
            raise nexc.InvalidInput('Each fixed_ips entry needs a subnet_id or an ip_address.')
        for subnet in subnets:
            if ipaddress.ip_address(ip) in ipaddress.ip_network(subnet.cidr):
                return subnet, ip
        raise nexc.InvalidIpForNetwork('IP address %s is not a valid IP for any of the '
                                       'subnets on network %s.' % (ip, network.id))

    def _first_with_room(self, sess, network, port, candidates):
        for subnet in candidates:
            ip = self._free_address(sess, network, subnet)
            if ip is not None:
                return models.IPAllocation(network_id=network.id, ip_address=ip,
                                           subnet_id=subnet.id, port_id=port.id)
        raise nexc.IpAddressGenerationFailure('No more IP addresses available on network %s.'
                                              % network.id)

    def _allocate_on(self, sess, network, port, subnet, ip, allow_gateway):
        net = ipaddress.ip_network(subnet.cidr)
        if ip is None:
            if subnet.ip_version == 6 and subnet.ipv6_address_mode in ('slaac',
                                                                     'dhcpv6-stateless'):
                ip = ipam.eui64(net, port.mac_address)
            else:
                ip = self._free_address(sess, network, subnet)
                if ip is None:
                    raise nexc.IpAddressGenerationFailure(
                        'No more IP addresses available on subnet %s.' % subnet.id)
        else:
            address = ipaddress.ip_address(ip)
            if net.version == 4 and net.num_addresses > 2 and address in (net[0], net[-1]):
                raise nexc.InvalidIpForSubnet('IP address %s is the network or broadcast '
                                              'address of subnet %s.' % (ip, subnet.id))
            if ip == subnet.gateway_ip and not allow_gateway:
                raise nexc.IpAddressAlreadyAllocated(
                    'IP address %s already allocated in subnet %s: it is the gateway.'
                    % (ip, subnet.id))
            if sess.get(models.IPAllocation, (network.id, ip)) is not None:
                raise nexc.IpAddressAlreadyAllocated('IP address %s already allocated in '
                                                     'subnet %s.' % (ip, subnet.id))
        return models.IPAllocation(network_id=network.id, ip_address=ip, subnet_id=subnet.id,
                                   port_id=port.id)

    @staticmethod
    def _free_address(sess, network, subnet):
        """A free address of the subnet's pools: a few random probes by primary key first
        (a create costs the same in an empty subnet and in one with 10,000 ports), the
        whole subnet's allocations read only when the pools are nearly full."""
        ranges = subnets_mod.pool_ranges(subnet)
        gateway = int(ipaddress.ip_address(subnet.gateway_ip)) if subnet.gateway_ip else None
        for value in ipam.random_probes(ranges):
            if value == gateway:
                continue
            ip = str(ipaddress.IPv4Address(value) if subnet.ip_version == 4
                     else ipaddress.IPv6Address(value))
            if sess.get(models.IPAllocation, (network.id, ip)) is None:
                return ip
        used = {int(ipaddress.ip_address(ip)) for ip in sess.scalars(
            sa.select(models.IPAllocation.ip_address).where(
                models.IPAllocation.subnet_id == subnet.id))}
        if gateway is not None:
            used.add(gateway)
        return ipam.pick_free(ranges, used, subnet.ip_version)

    def _security_groups(self, sess, ctx, port, requested, service):
        if service or port.device_owner.startswith('network:'):
            return []
        if requested is None:
            if not port.port_security_enabled:
                return []
            requested = [self.core.secgroups.ensure_default(sess, port.project_id)]
        ids = []
        for sg_id in requested:
            row = self.core.secgroups.get_row(sess, ctx, sg_id)
            if row.project_id != port.project_id and not ctx.is_admin:
                raise nexc.SecurityGroupNotFound('Security group %s does not exist.' % sg_id)
            if row.id not in ids:
                ids.append(row.id)
                sess.add(models.PortSecurityGroup(port_id=port.id, security_group_id=row.id))
        return ids

    @staticmethod
    def _check_port_security(enabled, sg_ids, pairs):
        if not enabled and sg_ids:
            raise nexc.Conflict('Port has security group associated. Cannot disable port '
                                'security or ip address until security group is removed.')
        if not enabled and pairs:
            raise nexc.Conflict('Port Security must be enabled in order to have allowed '
                                'address pairs on a port.')

    # updating -------------------------------------------------------------------
    def update(self, ctx, port_id, data):
        followers = []

        def run(sess):
            followers.clear()
            return self.update_in(sess, ctx, port_id, data, followers)
        result = self.core.transaction(run)
        self.core.notify(ctx, [('port', [port_id] + followers)])
        return result

    def update_in(self, sess, ctx, port_id, data, followers=None):
        row = self.get_row(sess, ctx, port_id)
        network = sess.get(models.Network, row.network_id)
        if 'network_id' in data and data['network_id'] != row.network_id:
            raise nexc.InvalidInput('Cannot update read-only attribute network_id.')
        if 'mac_address' in data and data['mac_address'] != row.mac_address:
            mac = ipam.parse_mac(data['mac_address'])
            if self._mac_taken(sess, row.network_id, mac):
                raise nexc.MacAddressInUse('Unable to complete operation for network %s. The '
                                           'mac address %s is in use.' % (row.network_id, mac))
            row.mac_address = mac
        if 'fixed_ips' in data:
            self._reallocate(sess, network, row, data['fixed_ips'] or [])
        if 'port_security_enabled' in data:
            row.port_security_enabled = data['port_security_enabled']
        if 'security_groups' in data:
            sess.execute(sa.delete(models.PortSecurityGroup).where(
                models.PortSecurityGroup.port_id == row.id))
            sess.flush()
            sg_ids = self._security_groups(sess, ctx, row, data['security_groups'] or [], False)
        else:
            sg_ids = list(sess.scalars(sa.select(models.PortSecurityGroup.security_group_id)
                                       .where(models.PortSecurityGroup.port_id == row.id)))
        if 'allowed_address_pairs' in data:
            row.allowed_address_pairs = _check_pairs(data['allowed_address_pairs'] or [])
        if 'qos_policy_id' in data:
            row.qos_policy_id = self.core.qos.check_usable(sess, ctx, data['qos_policy_id'])
        if data.get('extra_dhcp_opts') is not None:
            row.extra_dhcp_opts = _check_dhcp_opts(data['extra_dhcp_opts'],
                                                   row.extra_dhcp_opts or [])
        if 'dns_name' in data:
            row.dns_name = _check_dns_name(data['dns_name'])
        self._check_port_security(row.port_security_enabled, sg_ids,
                                  row.allowed_address_pairs)
        for key, attr in (('name', 'name'), ('description', 'description'),
                          ('admin_state_up', 'admin_state_up'), ('device_id', 'device_id'),
                          ('device_owner', 'device_owner'), ('binding:host_id', 'host_id'),
                          ('binding:vnic_type', 'vnic_type'),
                          ('binding:profile', 'binding_profile')):
            if key in data:
                value = data[key]
                setattr(row, attr, value if value is not None else
                        ({} if attr == 'binding_profile' else ''))
        if 'binding:host_id' in data:
            # A trunk's subports are bound where its parent is (the guest's host).
            moved = self.core.trunks.follow_parent(sess, row)
            if followers is not None:
                followers.extend(moved)
        core.bump(row)
        sess.flush()
        return self.to_dicts(sess, [row])[0]

    def _reallocate(self, sess, network, row, requested):
        current = {a.ip_address: a for a in sess.scalars(sa.select(models.IPAllocation).where(
            models.IPAllocation.port_id == row.id))}
        keep, new = [], []
        for entry in requested:
            ip = entry.get('ip_address')
            if ip is not None and str(ipam.parse_ip(ip, 'fixed_ips ip_address')) in current:
                alloc = current[str(ipaddress.ip_address(ip))]
                if entry.get('subnet_id') not in (None, alloc.subnet_id):
                    raise nexc.InvalidIpForSubnet('IP address %s is not a valid IP for the '
                                                  'specified subnet %s.'
                                                  % (ip, entry['subnet_id']))
                keep.append(alloc.ip_address)
            else:
                new.append(entry)
        for ip, alloc in current.items():
            if ip not in keep:
                sess.delete(alloc)
        sess.flush()
        if len(keep) + len(new) > self.core.conf.network.max_fixed_ips_per_port:
            raise nexc.InvalidInput('Exceeded maximum amount of fixed ips per port.')
        if new:
            self._allocate(sess, network, row, new,
                           allow_gateway=row.device_owner in core.ROUTER_OWNERS)

    def ids_on_network(self, network_id):
        return self.core.transaction(lambda sess: list(sess.scalars(
            sa.select(models.Port.id).where(models.Port.network_id == network_id))))

    def set_status(self, port_id, status):
        changed = []

        def run(sess):
            changed.clear()
            row = sess.get(models.Port, port_id)
            if row is None:
                return False
            if row.status != status:
                changed.append(({'id': row.id, 'device_id': row.device_id,
                                 'device_owner': row.device_owner}, row.status))
                row.status = status
                core.bump(row)
            return True
        found = self.core.transaction(run)
        notifier = getattr(self.core, 'compute_notifier', None)
        if changed and notifier is not None:
            port, old = changed[0]
            notifier.port_status_changed(port, old, status)
        return found

    # deleting ---------------------------------------------------------------------
    def delete(self, ctx, port_id):
        def run(sess):
            row = self.get_row(sess, ctx, port_id)
            if row.device_owner in core.ROUTER_OWNERS + (core.OWNER_FLOATINGIP,):
                raise nexc.PortInUse('Port %s cannot be deleted directly via the port API: '
                                     'has device owner %s.' % (row.id, row.device_owner))
            self.core.trunks.check_port_delete(sess, row.id)
            fips = self.core.floatingips.disassociate_port(sess, row.id)
            fips += self.core.portforwardings.delete_of_port(sess, row.id)
            sess.delete(row)
            return fips
        fips = self.core.transaction(run)
        self.core.notify(ctx, [('port', [port_id]), ('floatingip', fips)])
