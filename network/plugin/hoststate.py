"""The desired state of one host for one agent type (``get_host_state``, see rpcapi)."""
import ipaddress
import uuid

import sqlalchemy as sa

from common import context as context_mod
from network import rpcapi
from network.db import models
from network.plugin import addressgroups
from network.plugin import core
from network.plugin import networks as networks_mod
from network.plugin import secgroups
from network.plugin import subnets as subnets_mod


def dhcp_device_id(host, network_id):
    """The device_id of the DHCP port of ``host`` on a network (stable across restarts)."""
    return 'dhcp%s-%s' % (uuid.uuid5(uuid.NAMESPACE_DNS, host), network_id)


def _subnet(row):
    out = subnets_mod.to_dict(row)
    return {k: out[k] for k in ('id', 'cidr', 'ip_version', 'gateway_ip', 'enable_dhcp',
                                'dns_nameservers', 'host_routes', 'allocation_pools',
                                'ipv6_address_mode', 'ipv6_ra_mode', 'network_id')}


class HostState:
    def __init__(self, core_):
        self.core = core_
        self.admin = context_mod.RequestContext.admin_context()

    def get(self, host, agent_type):
        if not isinstance(host, str) or not host:
            raise ValueError('get_host_state: host must be a non-empty string')
        if agent_type == rpcapi.AGENT_BRIDGE:
            return self.core.transaction(lambda sess: self._bridge(sess, host))
        if agent_type == rpcapi.AGENT_DHCP:
            # DHCP ports are created here, so this may write; notify after commit.
            state, created = self.core.transaction(lambda sess: self._dhcp(sess, host))
            self.core.notify(self.admin, [('port', created)])
            return state
        if agent_type == rpcapi.AGENT_L3:
            # may place new routers on this host's agent (a write)
            return self.core.transaction(lambda sess: self._l3(sess, host))
        if agent_type == rpcapi.AGENT_METADATA:
            return {}
        raise ValueError('get_host_state: unknown agent_type %r' % agent_type)

    # bridge agent ---------------------------------------------------------------
    def _bridge(self, sess, host):
        rows = list(sess.scalars(sa.select(models.Port).where(
            models.Port.host_id == host,
            models.Port.device_owner.notin_(core.ROUTER_OWNERS + (core.OWNER_FLOATINGIP,)))
            .order_by(models.Port.id)))
        ports = self.core.ports.to_dicts(sess, rows)
        net_ids = sorted({p['network_id'] for p in ports})
        net_rows = {n.id: n for n in sess.scalars(sa.select(models.Network).where(
            models.Network.id.in_(net_ids)))} if net_ids else {}
        nets = [networks_mod.segment_info(n) for n in net_rows.values()]
        by_id = {r.id: r for r in rows}
        rules_cache = {}
        trunks = self.core.trunks.details(sess, [p['id'] for p in ports])
        out = []
        for port in ports:
            out.append({
                'id': port['id'], 'mac_address': port['mac_address'],
                'network_id': port['network_id'], 'fixed_ips': port['fixed_ips'],
                'device_owner': port['device_owner'], 'device_id': port['device_id'],
                'admin_state_up': port['admin_state_up'],
                'port_security_enabled': port['port_security_enabled'],
                'allowed_address_pairs': port['allowed_address_pairs'],
                'security_group_ids': port['security_groups'],
                'security_group_rules': self._rules(sess, port['security_groups'],
                                                    rules_cache),
                'tap_name': rpcapi.tap_name(port['id']),
                'qos': self.core.qos.port_rules(sess, by_id[port['id']],
                                                net_rows.get(port['network_id'])),
                'trunk': trunks.get(port['id'])})
        return {'networks': nets, 'ports': out}

    def _rules(self, sess, sg_ids, cache):
        result = []
        for sg_id in sg_ids:
            if sg_id not in cache:
                cache[sg_id] = [self._resolve(sess, r) for r in sess.scalars(
                    sa.select(models.SecurityGroupRule).where(
                        models.SecurityGroupRule.security_group_id == sg_id).order_by(
                        models.SecurityGroupRule.id))]
            result.extend(cache[sg_id])
        return result

    @staticmethod
    def _resolve(sess, rule):
        remote_ips = []
        if rule.remote_group_id:
            version = 4 if rule.ethertype == 'IPv4' else 6
            ips = sess.scalars(sa.select(models.IPAllocation.ip_address).where(
                models.IPAllocation.port_id.in_(sa.select(
                    models.PortSecurityGroup.port_id).where(
                    models.PortSecurityGroup.security_group_id == rule.remote_group_id))))
            remote_ips = sorted(ip for ip in ips if ipaddress.ip_address(ip).version == version)
        elif rule.remote_address_group_id:
            version = 4 if rule.ethertype == 'IPv4' else 6
            cidrs = addressgroups.addresses_of(
                sess, [rule.remote_address_group_id])[rule.remote_address_group_id]
            remote_ips = [c for c in cidrs if ipaddress.ip_network(c).version == version]
        return {'direction': rule.direction, 'ethertype': rule.ethertype,
                'protocol': secgroups.canonical_protocol(rule.protocol, rule.ethertype),
                'port_range_min': rule.port_range_min,
                'port_range_max': rule.port_range_max,
                'remote_ip_prefix': rule.remote_ip_prefix,
                'remote_group_id': rule.remote_group_id,
                'remote_address_group_id': rule.remote_address_group_id,
                'remote_ips': remote_ips}

    # DHCP agent ------------------------------------------------------------------
    def _dhcp(self, sess, host):
        created = []
        out = []
        networks = list(sess.scalars(sa.select(models.Network).where(
            models.Network.admin_state_up.is_(True)).order_by(models.Network.id)))
        with_dhcp = [(net, self.core.subnets.rows_of_network(sess, net.id))
                     for net in networks]
        with_dhcp = [(net, subnets) for net, subnets in with_dhcp
                     if any(s.enable_dhcp for s in subnets)]
        served = self.core.scheduler.dhcp_network_ids(sess, host,
                                                      [net for net, _ in with_dhcp])
        for net, subnets in with_dhcp:
            if net.id not in served:
                continue
            dhcp_subnets = [s for s in subnets if s.enable_dhcp]
            dhcp_port = self._ensure_dhcp_port(sess, host, net, dhcp_subnets, created)
            ports = self.core.ports.to_dicts(sess, list(sess.scalars(
                sa.select(models.Port).where(models.Port.network_id == net.id)
                .order_by(models.Port.id))))
            info = networks_mod.segment_info(net)
            info['subnets'] = [_subnet(s) for s in subnets]
            info['ports'] = [{k: p[k] for k in ('id', 'mac_address', 'fixed_ips',
                                                'device_owner', 'extra_dhcp_opts',
                                                'dns_name')} for p in ports]
            info['dhcp_port'] = {k: dhcp_port[k] for k in ('id', 'mac_address', 'fixed_ips')}
            out.append(info)
        return {'networks': out}, created

    def _ensure_dhcp_port(self, sess, host, net, dhcp_subnets, created):
        device_id = dhcp_device_id(host, net.id)
        row = sess.scalar(sa.select(models.Port).where(models.Port.network_id == net.id,
                                                       models.Port.device_id == device_id))
        if row is None:
            port = self.core.ports.create_in(
                sess, self.admin, {'network_id': net.id, 'device_owner': core.OWNER_DHCP,
                                   'device_id': device_id, 'binding:host_id': host,
                                   'fixed_ips': [{'subnet_id': s.id} for s in dhcp_subnets
                                                 if not (s.ip_version == 6 and
                                                         s.ipv6_address_mode == 'slaac')]},
                project=net.project_id, service=True)
            created.append(port['id'])
            return port
        port = self.core.ports.to_dicts(sess, [row])[0]
        have = {ip['subnet_id'] for ip in port['fixed_ips']}
        missing = [s for s in dhcp_subnets if s.id not in have
                   and not (s.ip_version == 6 and s.ipv6_address_mode == 'slaac')]
        if missing:
            # A subnet added after the port was made: give the port an address on it too.
            self.core.ports._allocate(sess, net, row, [{'subnet_id': s.id} for s in missing])
            created.append(row.id)
            port = self.core.ports.to_dicts(sess, [row])[0]
        return port

    # L3 agent ---------------------------------------------------------------------
    def _port_with_network(self, sess, port_row):
        port = self.core.ports.to_dicts(sess, [port_row])[0]
        net = sess.get(models.Network, port_row.network_id)
        subnet_ids = {ip['subnet_id'] for ip in port['fixed_ips']}
        subnets = [_subnet(s) for s in self.core.subnets.rows_of_network(sess, net.id)
                   if s.id in subnet_ids]
        return {'id': port['id'], 'mac_address': port['mac_address'],
                'fixed_ips': port['fixed_ips'], 'network_id': net.id, 'subnets': subnets,
                'network': networks_mod.segment_info(net)}

    def _l3(self, sess, host):
        routers = []
        rows = list(sess.scalars(sa.select(models.Router).order_by(models.Router.id)))
        served = self.core.scheduler.l3_router_ids(sess, host, rows)
        for router in rows:
            if router.id not in served:
                continue
            gw = None
            if router.gw_port_id:
                gw = self._port_with_network(sess, sess.get(models.Port, router.gw_port_id))
            interfaces = [self._port_with_network(sess, p)
                          for p in self.core.routers.interface_ports(sess, router.id)]
            fips = [{'id': f.id, 'floating_ip_address': f.floating_ip_address,
                     'fixed_ip_address': f.fixed_ip_address, 'port_id': f.fixed_port_id,
                     'port_forwardings': self.core.portforwardings.l3_state(sess, f.id)}
                    for f in sess.scalars(sa.select(models.FloatingIP).where(
                        models.FloatingIP.router_id == router.id).order_by(
                        models.FloatingIP.id))]
            routers.append({'id': router.id, 'admin_state_up': router.admin_state_up,
                            'enable_snat': router.enable_snat, 'gw_port': gw,
                            'interfaces': interfaces, 'floating_ips': fips,
                            'routes': list(router.routes or []),
                            'metering_labels': self.core.metering.l3_state(sess, router)})
        externals = []
        for net in sess.scalars(sa.select(models.Network).where(
                models.Network.external.is_(True)).order_by(models.Network.id)):
            info = networks_mod.segment_info(net)
            info['subnets'] = [_subnet(s) for s in self.core.subnets.rows_of_network(
                sess, net.id)]
            externals.append(info)
        return {'routers': routers, 'external_networks': externals}

    # metadata agent ------------------------------------------------------------------
    def ports_by_ip(self, network_id, ip_address):
        def run(sess):
            rows = sess.execute(sa.select(models.Port).join(
                models.IPAllocation, models.IPAllocation.port_id == models.Port.id).where(
                models.IPAllocation.network_id == network_id,
                models.IPAllocation.ip_address == ip_address)).scalars()
            found = [{'id': r.id, 'device_id': r.device_id, 'device_owner': r.device_owner,
                      'project_id': r.project_id, 'network_id': r.network_id,
                      'mac_address': r.mac_address} for r in rows]
            found.sort(key=lambda p: not p['device_owner'].startswith('compute:'))
            return found
        return self.core.transaction(run)
