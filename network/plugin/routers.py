"""Routers: external gateway, interfaces on subnets, static routes."""
import ipaddress

import sqlalchemy as sa

from common.db import query

from network import exceptions as nexc
from network import ipam
from network.db import models
from network.plugin import availabilityzones
from network.plugin import core
from network.plugin import tags

FIELDS = {
    'id': query.Field(models.Router.id),
    'name': query.Field(models.Router.name),
    'description': query.Field(models.Router.description),
    'project_id': query.Field(models.Router.project_id),
    'tenant_id': query.Field(models.Router.project_id),
    'admin_state_up': query.Field(models.Router.admin_state_up, 'bool'),
    'status': query.Field(models.Router.status),
    'created_at': query.Field(models.Router.created_at),
    'updated_at': query.Field(models.Router.updated_at),
    'revision_number': query.Field(models.Router.revision_number, 'int'),
}
FIELDS.update(tags.filter_fields(models.Router))


def scope(ctx):
    return None if ctx.is_admin else models.Router.project_id == core.project_of(ctx)


class RouterManager:
    def __init__(self, core_):
        self.core = core_

    # reading -------------------------------------------------------------------
    def get_row(self, sess, ctx, router_id):
        row = core.visible_row(sess, ctx, models.Router, router_id)
        if row is None:
            raise nexc.RouterNotFound('Router %s could not be found.' % router_id)
        return row

    @staticmethod
    def _gateway_ports(sess, rows):
        """{gateway port id: (network id, [IP allocations])} for routers ``rows``, in two
        queries whatever their number."""
        port_ids = [r.gw_port_id for r in rows if r.gw_port_id]
        if not port_ids:
            return {}
        ports = {port_id: (network_id, []) for port_id, network_id in sess.execute(
            sa.select(models.Port.id, models.Port.network_id).where(
                models.Port.id.in_(port_ids)))}
        for alloc in sess.scalars(sa.select(models.IPAllocation).where(
                models.IPAllocation.port_id.in_(port_ids))):
            ports[alloc.port_id][1].append(alloc)
        return ports

    def to_dict(self, sess, row, gateways=None, zones=None):
        """``gateways``, ``zones``: what a list read for a whole page, if known."""
        if zones is None:
            zones = availabilityzones.AvailabilityZones.serving(
                sess, models.RouterL3AgentBinding, 'router_id', [row.id])[row.id]
        if gateways is None:
            gateways = self._gateway_ports(sess, [row])
        gateway = None
        if row.gw_port_id in gateways:
            network_id, ips = gateways[row.gw_port_id]
            gateway = {'network_id': network_id, 'enable_snat': row.enable_snat,
                       'external_fixed_ips': [{'subnet_id': a.subnet_id,
                                               'ip_address': a.ip_address} for a in ips]}
        out = {'id': row.id, 'name': row.name, 'description': row.description,
               'admin_state_up': row.admin_state_up, 'status': row.status,
               'external_gateway_info': gateway, 'routes': list(row.routes or []),
               'distributed': False, 'ha': False, 'flavor_id': None,
               'availability_zone_hints': availabilityzones.hints_of(row),
               'availability_zones': zones}
        return core.stamp(out, row)

    def show(self, ctx, router_id):
        return self.core.transaction(
            lambda sess: self.to_dict(sess, self.get_row(sess, ctx, router_id)))

    def list(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            rows = core.page_rows(sess, ctx, self, models.Router, FIELDS, scope(ctx),
                                  filters, sorts, limit, marker, page_reverse)
            gateways = self._gateway_ports(sess, rows)
            zones = availabilityzones.AvailabilityZones.serving(
                sess, models.RouterL3AgentBinding, 'router_id', [r.id for r in rows])
            return [self.to_dict(sess, r, gateways, zones[r.id]) for r in rows]
        return self.core.transaction(run)

    def interface_ports(self, sess, router_id):
        return list(sess.scalars(sa.select(models.Port).join(
            models.RouterPort, models.RouterPort.port_id == models.Port.id).where(
            models.RouterPort.router_id == router_id,
            models.RouterPort.port_type == core.OWNER_ROUTER_INTERFACE)))

    def _connected_subnets(self, sess, router, include_gateway=True):
        port_ids = [p.id for p in self.interface_ports(sess, router.id)]
        if include_gateway and router.gw_port_id:
            port_ids.append(router.gw_port_id)
        if not port_ids:
            return []
        return list(sess.scalars(sa.select(models.Subnet).where(models.Subnet.id.in_(
            sa.select(models.IPAllocation.subnet_id).where(
                models.IPAllocation.port_id.in_(port_ids))))))

    # writing -----------------------------------------------------------------------
    def create(self, ctx, items):
        def run(sess):
            out = []
            for data in items:
                project = core.require_project(ctx, data)
                self.core.quotas.check(sess, project, 'router', 1)
                row = models.Router(project_id=project, name=data.get('name') or '',
                                    description=data.get('description') or '',
                                    admin_state_up=data.get('admin_state_up', True),
                                    status='ACTIVE', routes=[], revision_number=1,
                                    availability_zone_hints=self.core.azs.check_hints(
                                        sess, 'router', data.get('availability_zone_hints')))
                sess.add(row)
                sess.flush()
                if data.get('external_gateway_info'):
                    self._set_gateway(sess, ctx, row, data['external_gateway_info'])
                out.append(self.to_dict(sess, row))
            return out
        result = self.core.transaction(run)
        self.core.notify(ctx, [('router', [r['id'] for r in result])])
        return result

    def update(self, ctx, router_id, data):
        def run(sess):
            row = self.get_row(sess, ctx, router_id)
            if 'external_gateway_info' in data:
                self._set_gateway(sess, ctx, row, data['external_gateway_info'])
            if 'routes' in data:
                row.routes = self._check_routes(sess, row, data['routes'] or [])
            for key in ('name', 'description', 'admin_state_up'):
                if key in data:
                    setattr(row, key, data[key] if data[key] is not None else '')
            core.bump(row)
            sess.flush()
            return self.to_dict(sess, row)
        result = self.core.transaction(run)
        self.core.notify(ctx, [('router', [router_id])])
        return result

    def change_routes(self, ctx, router_id, body, add):
        """extraroute-atomic: add routes to the router's set (those present stay once) or
        remove them (those absent are ignored), in one transaction so concurrent callers
        never lose each other's routes."""
        inner = body.get('router') if isinstance(body, dict) and set(body) == {'router'} \
            else None
        routes = inner.get('routes') if isinstance(inner, dict) and set(inner) == {'routes'} \
            else None
        if not isinstance(routes, list):
            raise nexc.BadRequest("A body {'router': {'routes': [...]}} is required.")

        def run(sess):
            row = self.get_row(sess, ctx, router_id)
            current = list(row.routes or [])
            if add:
                given = self._check_routes(sess, row, routes)
                wanted = current + [r for r in given if r not in current]
            else:
                given = [self._parse_route(r) for r in routes]
                wanted = [r for r in current if r not in given]
            if wanted != current:
                row.routes = wanted
                core.bump(row)
                sess.flush()
            return self.to_dict(sess, row)
        result = self.core.transaction(run)
        self.core.notify(ctx, [('router', [router_id])])
        return result

    def _set_gateway(self, sess, ctx, row, info):
        info = info or {}
        network_id = info.get('network_id')
        if network_id is None and info:
            raise nexc.InvalidInput('external_gateway_info needs a network_id.')
        current = sess.get(models.Port, row.gw_port_id) if row.gw_port_id else None
        if current is not None and current.network_id == network_id and \
                'external_fixed_ips' not in info:
            row.enable_snat = info.get('enable_snat', row.enable_snat)
            return
        if current is not None:
            used = sess.scalar(sa.select(sa.func.count()).select_from(models.FloatingIP).where(
                models.FloatingIP.router_id == row.id))
            if used:
                raise nexc.RouterExternalGatewayInUseByFloatingIp(
                    'Gateway cannot be updated for router %s, since a gateway to external '
                    'network %s is required by one or more floating IPs.'
                    % (row.id, current.network_id))
            row.gw_port_id = None
            sess.flush()
            sess.delete(current)
            sess.flush()
        if network_id is None:
            row.enable_snat = True
            return
        network = self.core.networks.get_row(sess, ctx, network_id)
        if not network.external:
            raise nexc.InvalidInput('Network %s is not a valid external network.' % network_id)
        fixed = info.get('external_fixed_ips')
        port = self.core.ports.create_in(
            sess, ctx, {'network_id': network.id, 'device_owner': core.OWNER_ROUTER_GATEWAY,
                        'device_id': row.id, 'fixed_ips': fixed or None}, project='',
            service=True)
        sess.add(models.RouterPort(port_id=port['id'], router_id=row.id,
                                   port_type=core.OWNER_ROUTER_GATEWAY))
        row.gw_port_id = port['id']
        row.enable_snat = info.get('enable_snat', True)
        sess.flush()

    def _check_routes(self, sess, row, routes):
        connected = [ipaddress.ip_network(s.cidr) for s in self._connected_subnets(sess, row)]
        out, seen = [], set()
        for route in routes:
            parsed = self._parse_route(route)
            hop = ipaddress.ip_address(parsed['nexthop'])
            if not any(hop in net for net in connected):
                raise nexc.InvalidInput('Invalid format for routes: %s, the nexthop is not '
                                        'connected with router %s.' % (route, row.id))
            key = (parsed['destination'], parsed['nexthop'])
            if key in seen:
                raise nexc.InvalidInput('Duplicate route %s via %s.' % key)
            seen.add(key)
            out.append(parsed)
        return out

    @staticmethod
    def _parse_route(route):
        """A route as stored: canonical destination network and next hop."""
        if not isinstance(route, dict) or set(route) != {'destination', 'nexthop'}:
            raise nexc.InvalidInput('Invalid format for routes: each route is '
                                    '{destination, nexthop}.')
        dest = ipam.parse_cidr(route.get('destination'), 'routes destination')
        hop = ipam.parse_ip(route.get('nexthop'), 'routes nexthop')
        if dest.version != hop.version:
            raise nexc.InvalidInput('Invalid format for routes: %s via %s mixes IP '
                                    'versions.' % (dest, hop))
        return {'destination': str(dest), 'nexthop': str(hop)}

    def delete(self, ctx, router_id):
        def run(sess):
            row = self.get_row(sess, ctx, router_id)
            if self.interface_ports(sess, row.id):
                raise nexc.RouterInUse('Router %s still has ports.' % row.id)
            if row.gw_port_id:
                self._set_gateway(sess, ctx, row, None)
            sess.delete(row)
        self.core.transaction(run)
        self.core.notify(ctx, [('router', [router_id])])

    # interfaces ----------------------------------------------------------------------
    def add_interface(self, ctx, router_id, body):
        result = self.core.transaction(
            lambda sess: self.add_interface_in(sess, ctx, router_id, body))
        self.core.notify(ctx, [('router', [router_id]), ('port', [result['port_id']])])
        return result

    def add_interface_in(self, sess, ctx, router_id, body):
        """``add_interface`` in the caller's transaction (auto-allocated-topology)."""
        row = self.get_row(sess, ctx, router_id)
        subnet_id, port_id = self._interface_target(body)
        if port_id:
            port = self.core.ports.get_row(sess, ctx, port_id)
            if port.device_owner or port.device_id:
                raise nexc.PortInUse('Port %s is already in use by %s %s.'
                                     % (port.id, port.device_owner or 'device',
                                        port.device_id))
            subnets = list(sess.scalars(sa.select(models.Subnet).where(
                models.Subnet.id.in_(sa.select(models.IPAllocation.subnet_id).where(
                    models.IPAllocation.port_id == port.id)))))
            if not subnets:
                raise nexc.InvalidInput('Router port %s must have at least one fixed IP.'
                                        % port.id)
            self._check_new_subnets(sess, row, subnets)
            port.device_owner = core.OWNER_ROUTER_INTERFACE
            port.device_id = row.id
            sess.execute(sa.delete(models.PortSecurityGroup).where(
                models.PortSecurityGroup.port_id == port.id))
            core.bump(port)
        else:
            subnet = self.core.subnets.get_row(sess, ctx, subnet_id)
            self.core.networks.usable_row(sess, ctx, subnet.network_id)
            if not subnet.gateway_ip:
                raise nexc.InvalidInput('Bad router request: Subnet %s does not have a '
                                        'gateway IP.' % subnet.id)
            self._check_new_subnets(sess, row, [subnet])
            created = self.core.ports.create_in(
                sess, ctx, {'network_id': subnet.network_id,
                            'device_owner': core.OWNER_ROUTER_INTERFACE,
                            'device_id': row.id,
                            'fixed_ips': [{'subnet_id': subnet.id,
                                           'ip_address': subnet.gateway_ip}]},
                project=row.project_id, service=True)
            port = sess.get(models.Port, created['id'])
            subnets = [subnet]
        sess.add(models.RouterPort(port_id=port.id, router_id=row.id,
                                   port_type=core.OWNER_ROUTER_INTERFACE))
        sess.flush()
        return self._interface_info(row, port, subnets)

    @staticmethod
    def _interface_target(body):
        if not isinstance(body, dict):
            raise nexc.BadRequest('The request body must be a JSON object.')
        unknown = set(body) - {'subnet_id', 'port_id'}
        if unknown:
            raise nexc.BadRequest('Unrecognized attribute(s) %s.' % ', '.join(sorted(unknown)))
        subnet_id, port_id = body.get('subnet_id'), body.get('port_id')
        if bool(subnet_id) == bool(port_id):
            raise nexc.BadRequest('Bad router request: Either subnet_id or port_id must be '
                                  'specified, not both or neither.')
        for value in (subnet_id, port_id):
            if value is not None and not isinstance(value, str):
                raise nexc.BadRequest('subnet_id and port_id must be strings.')
        return subnet_id, port_id

    def _check_new_subnets(self, sess, row, subnets):
        existing = self._connected_subnets(sess, row, include_gateway=False)
        for new in subnets:
            new_net = ipaddress.ip_network(new.cidr)
            for old in existing:
                if old.id == new.id:
                    raise nexc.InvalidInput('Bad router request: Router already has a port on '
                                            'subnet %s.' % new.id)
                if ipaddress.ip_network(old.cidr).overlaps(new_net):
                    raise nexc.InvalidInput('Bad router request: Cidr %s of subnet %s overlaps '
                                            'with cidr %s of subnet %s.'
                                            % (new.cidr, new.id, old.cidr, old.id))

    @staticmethod
    def _interface_info(row, port, subnets):
        return {'id': row.id, 'tenant_id': row.project_id, 'project_id': row.project_id,
                'port_id': port.id, 'network_id': port.network_id,
                'subnet_id': subnets[0].id, 'subnet_ids': [s.id for s in subnets]}

    def remove_interface(self, ctx, router_id, body):
        def run(sess):
            row = self.get_row(sess, ctx, router_id)
            subnet_id, port_id = self._interface_target(body)
            ports = self.interface_ports(sess, row.id)
            if port_id:
                port = next((p for p in ports if p.id == port_id), None)
                if port is None:
                    raise nexc.RouterInterfaceNotFound('Router %s does not have an interface '
                                                       'with id %s.' % (row.id, port_id))
            else:
                port = None
                for candidate in ports:
                    held = sess.scalar(sa.select(models.IPAllocation.ip_address).where(
                        models.IPAllocation.port_id == candidate.id,
                        models.IPAllocation.subnet_id == subnet_id))
                    if held is not None:
                        port = candidate
                        break
                if port is None:
                    raise nexc.RouterInterfaceNotFoundForSubnet(
                        'Router %s has no interface on subnet %s.' % (row.id, subnet_id))
            subnets = list(sess.scalars(sa.select(models.Subnet).where(models.Subnet.id.in_(
                sa.select(models.IPAllocation.subnet_id).where(
                    models.IPAllocation.port_id == port.id)))))
            self._check_interface_unused(sess, row, subnets)
            info = self._interface_info(row, port, subnets or [sess.get(models.Subnet,
                                                                         subnet_id)])
            sess.delete(port)
            return info
        result = self.core.transaction(run)
        self.core.notify(ctx, [('router', [router_id]), ('port', [result['port_id']])])
        return result

    def _check_interface_unused(self, sess, row, subnets):
        nets = [ipaddress.ip_network(s.cidr) for s in subnets]
        for fip in sess.scalars(sa.select(models.FloatingIP).where(
                models.FloatingIP.router_id == row.id,
                models.FloatingIP.fixed_ip_address.isnot(None))):
            if any(ipaddress.ip_address(fip.fixed_ip_address) in n for n in nets):
                raise nexc.RouterInterfaceInUseByFloatingIP(
                    'Router interface for subnet %s on router %s cannot be deleted, as it is '
                    'required by one or more floating IPs.' % (subnets[0].id, row.id))
        if self.core.portforwardings.addresses_in(sess, row.id, nets):
            raise nexc.RouterInterfaceInUseByFloatingIP(
                'Router interface for subnet %s on router %s cannot be deleted, as it is '
                'required by one or more floating IP port forwardings.'
                % (subnets[0].id, row.id))
        for route in row.routes or []:
            if any(ipaddress.ip_address(route['nexthop']) in n for n in nets):
                raise nexc.Conflict('Router interface for subnet %s on router %s cannot be '
                                    'deleted, as it is required by one or more routes.'
                                    % (subnets[0].id, row.id))

    def router_for(self, sess, external_network_id, subnet_id):
        """A router with a gateway on ``external_network_id`` and an interface on
        ``subnet_id`` (floating IP association), or None."""
        for router in sess.scalars(sa.select(models.Router).where(
                models.Router.gw_port_id.isnot(None)).order_by(models.Router.created_at)):
            gw = sess.get(models.Port, router.gw_port_id)
            if gw.network_id != external_network_id:
                continue
            for port in self.interface_ports(sess, router.id):
                if sess.scalar(sa.select(models.IPAllocation.ip_address).where(
                        models.IPAllocation.port_id == port.id,
                        models.IPAllocation.subnet_id == subnet_id)) is not None:
                    return router
        return None
