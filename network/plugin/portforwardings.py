"""Floating IP port forwardings (floating-ip-port-forwarding): a protocol port of a
floating IP that is not associated with a port, DNATed by the router to one fixed IP and
port of a port behind it.

As in Neutron, the first forwarding binds the floating IP to the router between its
external network and the internal port's subnet (``router_id``, status ACTIVE) and the last
one to go unbinds it; a floating IP with forwardings cannot be associated with a port and
the reverse (409).
"""

import ipaddress

import sqlalchemy as sa

from common.db import query
from network import exceptions as nexc
from network import ipam
from network.db import models
from network.plugin import core

PF = models.PortForwarding
PROTOCOLS = ('tcp', 'udp')
FIELDS = {
    'id': query.Field(PF.id),
    'internal_port_id': query.Field(PF.internal_port_id),
    'internal_ip_address': query.Field(PF.internal_ip_address),
    'internal_port': query.Field(PF.internal_port, 'int'),
    'external_port': query.Field(PF.external_port, 'int'),
    'protocol': query.Field(PF.protocol),
    'description': query.Field(PF.description),
}
UPDATABLE = ('internal_port_id', 'internal_ip_address', 'internal_port', 'external_port',
             'protocol', 'description')


def to_dict(row):
    return {'id': row.id, 'internal_port_id': row.internal_port_id,
            'internal_ip_address': row.internal_ip_address,
            'internal_port': row.internal_port, 'external_port': row.external_port,
            'protocol': row.protocol, 'description': row.description}


def fip_summary(row):
    """What a floating IP shows of each of its forwardings (expose-port-forwarding-in-fip)."""
    return {'protocol': row.protocol, 'internal_ip_address': row.internal_ip_address,
            'internal_port': row.internal_port, 'external_port': row.external_port}


def check_port_number(value, field):
    """A TCP/UDP port: an integer 1-65535 (booleans are not integers)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise nexc.InvalidInput('Invalid input for %s. Reason: %r is not a port number '
                                '(1-65535).' % (field, value))
    return value



def target_port(plugin, sess, ctx, port_id, project_id, refusal):
    """The port a floating IP (or one of its port forwardings) leads to, and its IPv4
    allocations: a port of the floating IP's project (any, for admins), not a network
    device's (``refusal`` ends that 400's message)."""
    port = plugin.ports.get_row(sess, ctx, port_id)
    if port.project_id != project_id and not ctx.is_admin:
        raise nexc.PortNotFound('Port %s could not be found.' % port_id)
    if port.device_owner.startswith('network:'):
        raise nexc.InvalidInput('Port %s has owner %s and %s.'
                                % (port.id, port.device_owner, refusal))
    allocs = [a for a in sess.scalars(sa.select(models.IPAllocation).where(
        models.IPAllocation.port_id == port.id))
        if ipaddress.ip_address(a.ip_address).version == 4]
    return port, allocs


class PortForwardingManager:
    def __init__(self, core_):
        self.core = core_

    def _fip(self, sess, ctx, fip_id):
        return self.core.floatingips.get_row(sess, ctx, fip_id)

    def _row(self, sess, fip_id, pf_id):
        row = sess.get(PF, pf_id) if isinstance(pf_id, str) else None
        if row is None or row.floatingip_id != fip_id:
            raise nexc.NotFound('Port Forwarding %s could not be found for Floating IP %s.'
                                % (pf_id, fip_id))
        return row

    def by_fip(self, sess, fip_ids):
        """{floating IP id: its forwardings} for many floating IPs in one query."""
        out = {}
        if fip_ids:
            for row in sess.scalars(sa.select(PF).where(PF.floatingip_id.in_(fip_ids))
                                    .order_by(PF.external_port, PF.protocol, PF.id)):
                out.setdefault(row.floatingip_id, []).append(row)
        return out

    def rows_of_fip(self, sess, fip_id):
        return list(sess.scalars(sa.select(PF).where(PF.floatingip_id == fip_id)
                                 .order_by(PF.external_port, PF.protocol, PF.id)))

    def fip_owner(self, ctx, fip_id):
        """The floating IP's project (404 if the caller cannot see it): the policy target."""
        return self.core.transaction(lambda sess: self._fip(sess, ctx, fip_id).project_id)

    # API ----------------------------------------------------------------------------
    def list(self, ctx, fip_id, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            self._fip(sess, ctx, fip_id)
            marker_row = self._row(sess, fip_id, marker) if marker else None
            rows = sess.scalars(query.build(PF, FIELDS, PF.floatingip_id == fip_id, filters,
                                            sorts, limit, marker_row, page_reverse,
                                            errors=nexc.QUERY_ERRORS))
            return [to_dict(r) for r in rows]
        return self.core.transaction(run)

    def show(self, ctx, fip_id, pf_id):
        def run(sess):
            self._fip(sess, ctx, fip_id)
            return to_dict(self._row(sess, fip_id, pf_id))
        return self.core.transaction(run)

    def create(self, ctx, fip_id, data):
        def run(sess):
            fip = self._fip(sess, ctx, fip_id)
            row = PF(floatingip_id=fip.id, description=data.get('description') or '')
            self._apply(sess, ctx, fip, row, data)
            sess.add(row)
            sess.flush()
            return to_dict(row)
        result = self.core.transaction(run)
        self.core.notify(ctx, [('floatingip', [fip_id])])
        return result

    def update(self, ctx, fip_id, pf_id, data):
        def run(sess):
            fip = self._fip(sess, ctx, fip_id)
            row = self._row(sess, fip_id, pf_id)
            merged = dict(to_dict(row), **{k: v for k, v in data.items() if k in UPDATABLE})
            # A new port without a new address: the address must be the new port's.
            if 'internal_port_id' in data and 'internal_ip_address' not in data:
                merged['internal_ip_address'] = None
            if 'description' in data:
                row.description = data['description'] or ''
            self._apply(sess, ctx, fip, row, merged)
            sess.flush()
            return to_dict(row)
        result = self.core.transaction(run)
        self.core.notify(ctx, [('floatingip', [fip_id])])
        return result

    def delete(self, ctx, fip_id, pf_id):
        def run(sess):
            fip = self._fip(sess, ctx, fip_id)
            sess.delete(self._row(sess, fip_id, pf_id))
            sess.flush()
            self._unbind_if_unused(sess, fip)
        self.core.transaction(run)
        self.core.notify(ctx, [('floatingip', [fip_id])])

    # checks -------------------------------------------------------------------------
    def _apply(self, sess, ctx, fip, row, data):
        """Check ``data`` (the forwarding as it would be) and write it into ``row``."""
        if fip.fixed_port_id is not None:
            raise nexc.FipInUseByPortAssociation(
                'Floating IP %s is associated with port %s: a floating IP with port '
                'forwardings cannot be associated with a port, nor the reverse.'
                % (fip.id, fip.fixed_port_id))
        protocol = data.get('protocol')
        if protocol not in PROTOCOLS:
            raise nexc.InvalidInput('Invalid input for protocol. Reason: %r is not one of %s.'
                                    % (protocol, ', '.join(PROTOCOLS)))
        internal_port = check_port_number(data.get('internal_port'), 'internal_port')
        external_port = check_port_number(data.get('external_port'), 'external_port')
        port, allocs = target_port(
            self.core, sess, ctx, data.get('internal_port_id'), fip.project_id,
            'cannot be the internal port of a port forwarding')
        address = data.get('internal_ip_address')
        if address is not None:
            address = str(ipam.parse_ip(address, 'internal_ip_address'))
            allocs = [a for a in allocs if a.ip_address == address]
            if not allocs:
                raise nexc.InvalidInput('The internal IP address %s is not a fixed IPv4 '
                                        'address of port %s.' % (address, port.id))
        elif len(allocs) != 1:
            raise nexc.InvalidInput('internal_ip_address is required: port %s has %d fixed '
                                    'IPv4 addresses.' % (port.id, len(allocs)))
        alloc = allocs[0]
        other_fip = sess.scalar(sa.select(models.FloatingIP.id).where(
            models.FloatingIP.fixed_port_id == port.id))
        if other_fip is not None:
            raise nexc.PortHasBindingFloatingIP(
                'Port %s already has floating IP %s associated: its addresses cannot also '
                'be the target of a port forwarding.' % (port.id, other_fip))
        router = self.core.routers.router_for(sess, fip.floating_network_id, alloc.subnet_id)
        if router is None:
            raise nexc.ExternalGatewayForFloatingIPNotFound(
                'External network %s is not reachable from subnet %s. Therefore, cannot '
                'forward a port of floating IP %s to port %s.'
                % (fip.floating_network_id, alloc.subnet_id, fip.id, port.id))
        if fip.router_id is not None and fip.router_id != router.id:
            raise nexc.InvalidInput(
                'Floating IP %s forwards to router %s; port %s is behind router %s.'
                % (fip.id, fip.router_id, port.id, router.id))
        self._check_unique(sess, row, fip.id, external_port, protocol, port.id,
                           alloc.ip_address, internal_port)
        row.internal_port_id = port.id
        row.internal_ip_address = alloc.ip_address
        row.internal_port = internal_port
        row.external_port = external_port
        row.protocol = protocol
        if fip.router_id != router.id or fip.status != 'ACTIVE':
            fip.router_id = router.id
            fip.status = 'ACTIVE'
            core.bump(fip)

    @staticmethod
    def _check_unique(sess, row, fip_id, external_port, protocol, port_id, address,
                      internal_port):
        others = sa.select(PF.id).where(PF.id != row.id) if row.id else sa.select(PF.id)
        if sess.scalar(others.where(PF.floatingip_id == fip_id,
                                    PF.external_port == external_port,
                                    PF.protocol == protocol)) is not None:
            raise nexc.Conflict('A port forwarding of floating IP %s already uses external '
                                'port %d/%s.' % (fip_id, external_port, protocol))
        if sess.scalar(others.where(PF.internal_port_id == port_id,
                                    PF.internal_ip_address == address,
                                    PF.internal_port == internal_port,
                                    PF.protocol == protocol)) is not None:
            raise nexc.Conflict('A port forwarding already forwards to %s:%d/%s of port %s.'
                                % (address, internal_port, protocol, port_id))

    @staticmethod
    def _unbind_if_unused(sess, fip):
        if fip.fixed_port_id is None and sess.scalar(
                sa.select(PF.id).where(PF.floatingip_id == fip.id)) is None:
            fip.router_id = None
            fip.status = 'DOWN'
            core.bump(fip)

    # hooks of other resources --------------------------------------------------------
    def check_fip_associate(self, sess, fip):
        """409 when a floating IP with forwardings is about to be associated with a port."""
        if sess.scalar(sa.select(PF.id).where(PF.floatingip_id == fip.id)) is not None:
            raise nexc.FipInUseByPortForwarding(
                'Floating IP %s has port forwardings: it cannot be associated with a port.'
                % fip.id)

    def delete_of_port(self, sess, port_id):
        """Drop the forwardings to a port being deleted (as Neutron does); returns the ids
        of the floating IPs that changed."""
        fips = set()
        for row in sess.scalars(sa.select(PF).where(PF.internal_port_id == port_id)):
            fips.add(row.floatingip_id)
            sess.delete(row)
        sess.flush()
        for fip_id in fips:
            self._unbind_if_unused(sess, sess.get(models.FloatingIP, fip_id))
        return sorted(fips)

    def delete_of_fip(self, sess, fip_id):
        sess.execute(sa.delete(PF).where(PF.floatingip_id == fip_id))

    def addresses_in(self, sess, router_id, nets):
        """Internal addresses of forwardings through ``router_id`` inside ``nets``."""
        rows = sess.scalars(sa.select(PF.internal_ip_address).join(
            models.FloatingIP, models.FloatingIP.id == PF.floatingip_id).where(
            models.FloatingIP.router_id == router_id))
        return [a for a in rows if any(ipaddress.ip_address(a) in n for n in nets)]

    def l3_state(self, sess, fip_id):
        """The forwardings of one floating IP as the L3 agent renders them."""
        return [dict(fip_summary(r), id=r.id) for r in self.rows_of_fip(sess, fip_id)]
