"""Floating IPs: an address on an external network, mapped to a fixed IP through a router."""
import ipaddress

import sqlalchemy as sa

from common.db import query
from common.db import types

from network import exceptions as nexc
from network import ipam
from network.db import models
from network.plugin import core
from network.plugin import portforwardings
from network.plugin import tags

F = models.FloatingIP
FIELDS = {
    'id': query.Field(F.id),
    'description': query.Field(F.description),
    'project_id': query.Field(F.project_id),
    'tenant_id': query.Field(F.project_id),
    'floating_network_id': query.Field(F.floating_network_id),
    'floating_ip_address': query.Field(F.floating_ip_address),
    'fixed_ip_address': query.Field(F.fixed_ip_address),
    'port_id': query.Field(F.fixed_port_id),
    'router_id': query.Field(F.router_id),
    'status': query.Field(F.status),
    'created_at': query.Field(F.created_at),
    'updated_at': query.Field(F.updated_at),
    'revision_number': query.Field(F.revision_number, 'int'),
}
FIELDS.update(tags.filter_fields(F))


def scope(ctx):
    return None if ctx.is_admin else F.project_id == core.project_of(ctx)


def to_dict(row, forwardings=()):
    out = {'id': row.id, 'description': row.description,
           'floating_network_id': row.floating_network_id,
           'floating_ip_address': row.floating_ip_address,
           'fixed_ip_address': row.fixed_ip_address, 'port_id': row.fixed_port_id,
           'router_id': row.router_id, 'status': row.status, 'port_details': None,
           'qos_policy_id': None, 'dns_domain': '', 'dns_name': '',
           'port_forwardings': [portforwardings.fip_summary(f) for f in forwardings]}
    return core.stamp(out, row)



class FloatingIPManager:
    def __init__(self, core_):
        self.core = core_

    def get_row(self, sess, ctx, fip_id):
        row = core.visible_row(sess, ctx, F, fip_id)
        if row is None:
            raise nexc.FloatingIPNotFound('Floating IP %s could not be found.' % fip_id)
        return row

    def show(self, ctx, fip_id):
        return self.core.transaction(lambda sess: self._dict(sess, self.get_row(sess, ctx,
                                                                                 fip_id)))

    def list(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            rows = core.page_rows(sess, ctx, self, F, FIELDS, scope(ctx),
                                  filters, sorts, limit, marker, page_reverse)
            forwardings = self.core.portforwardings.by_fip(sess, [r.id for r in rows])
            return [to_dict(r, forwardings.get(r.id, ())) for r in rows]
        return self.core.transaction(run)

    def create(self, ctx, items):
        def run(sess):
            return [self._create(sess, ctx, data) for data in items]
        result = self.core.transaction(run)
        self.core.notify(ctx, [('floatingip', [f['id'] for f in result])])
        return result

    def _create(self, sess, ctx, data):
        project = core.require_project(ctx, data)
        network = self.core.networks.get_row(sess, ctx, data['floating_network_id'])
        if not network.external:
            raise nexc.InvalidInput('Bad floatingip request: Network %s is not a valid '
                                    'external network.' % network.id)
        self.core.quotas.check(sess, project, 'floatingip', 1)
        fixed = self._floating_fixed_ips(sess, network, data)
        row = F(project_id=project, description=data.get('description') or '',
                floating_network_id=network.id, status='DOWN', revision_number=1)
        row.id = fip_id = types.new_uuid()
        port = self.core.ports.create_in(
            sess, ctx, {'network_id': network.id, 'device_owner': core.OWNER_FLOATINGIP,
                        'device_id': fip_id, 'fixed_ips': fixed}, project='', service=True)
        row.floating_port_id = port['id']
        row.floating_ip_address = port['fixed_ips'][0]['ip_address']
        sess.add(row)
        sess.flush()
        if data.get('port_id'):
            self._associate(sess, ctx, row, data['port_id'], data.get('fixed_ip_address'))
        elif data.get('fixed_ip_address'):
            raise nexc.InvalidInput('fixed_ip_address needs a port_id.')
        sess.flush()
        return to_dict(row)

    def _floating_fixed_ips(self, sess, network, data):
        subnets = [s for s in self.core.subnets.rows_of_network(sess, network.id)
                   if s.ip_version == 4]
        if data.get('subnet_id'):
            subnets = [s for s in subnets if s.id == data['subnet_id']]
            if not subnets:
                raise nexc.InvalidInput('Subnet %s is not an IPv4 subnet of network %s.'
                                        % (data['subnet_id'], network.id))
        if data.get('floating_ip_address'):
            ip = ipam.parse_ip(data['floating_ip_address'], 'floating_ip_address')
            match = [s for s in subnets if ip in ipaddress.ip_network(s.cidr)]
            if not match:
                raise nexc.InvalidIpForNetwork('IP address %s is not a valid IP for any IPv4 '
                                               'subnet of network %s.' % (ip, network.id))
            return [{'subnet_id': match[0].id, 'ip_address': str(ip)}]
        if not subnets:
            raise nexc.InvalidInput('External network %s has no IPv4 subnet to allocate '
                                    'floating IPs from.' % network.id)
        for subnet in subnets:
            if self.core.ports._free_address(sess, network, subnet) is not None:
                return [{'subnet_id': subnet.id}]
        raise nexc.IpAddressGenerationFailure('No more IP addresses available on network %s.'
                                              % network.id)

    def _dict(self, sess, row):
        return to_dict(row, self.core.portforwardings.rows_of_fip(sess, row.id))

    def _associate(self, sess, ctx, row, port_id, fixed_ip):
        self.core.portforwardings.check_fip_associate(sess, row)
        port, allocs = portforwardings.target_port(
            self.core, sess, ctx, port_id, row.project_id,
            'therefore cannot be assigned to a floating IP')
        if fixed_ip is not None:
            fixed_ip = str(ipam.parse_ip(fixed_ip, 'fixed_ip_address'))
            allocs = [a for a in allocs if a.ip_address == fixed_ip]
            if not allocs:
                raise nexc.InvalidInput('Port %s does not have fixed ip %s.'
                                        % (port.id, fixed_ip))
        if not allocs:
            raise nexc.InvalidInput('Bad floatingip request: Port %s does not have any IPv4 '
                                    'address.' % port.id)
        if len(allocs) > 1:
            raise nexc.InvalidInput('Port %s has multiple fixed IPv4 addresses. Must provide '
                                    'a specific IPv4 address when assigning a floating IP.'
                                    % port.id)
        alloc = allocs[0]
        router = self.core.routers.router_for(sess, row.floating_network_id, alloc.subnet_id)
        if router is None:
            raise nexc.ExternalGatewayForFloatingIPNotFound(
                'External network %s is not reachable from subnet %s. Therefore, cannot '
                'associate Port %s with a Floating IP.'
                % (row.floating_network_id, alloc.subnet_id, port.id))
        other = sess.scalar(sa.select(F.id).where(F.fixed_port_id == port.id,
                                                  F.fixed_ip_address == alloc.ip_address,
                                                  F.id != row.id))
        if other is not None:
            raise nexc.FloatingIPPortAlreadyAssociated(
                'Cannot associate floating IP %s (%s) with port %s using fixed IP %s, as that '
                'fixed IP already has a floating IP on external network %s.'
                % (row.floating_ip_address, row.id, port.id, alloc.ip_address,
                   row.floating_network_id))
        row.fixed_port_id = port.id
        row.fixed_ip_address = alloc.ip_address
        row.router_id = router.id
        row.status = 'ACTIVE'

    def update(self, ctx, fip_id, data):
        def run(sess):
            row = self.get_row(sess, ctx, fip_id)
            for key in ('floating_network_id', 'floating_ip_address'):
                if key in data and data[key] != getattr(row, key):
                    raise nexc.InvalidInput('Cannot update read-only attribute %s.' % key)
            if 'port_id' in data:
                if data['port_id'] is None:
                    if data.get('fixed_ip_address'):
                        raise nexc.InvalidInput('fixed_ip_address needs a port_id.')
                    self._clear(row)
                else:
                    self._associate(sess, ctx, row, data['port_id'],
                                    data.get('fixed_ip_address'))
            elif data.get('fixed_ip_address'):
                if row.fixed_port_id is None:
                    raise nexc.InvalidInput('fixed_ip_address needs a port_id.')
                self._associate(sess, ctx, row, row.fixed_port_id, data['fixed_ip_address'])
            if 'description' in data:
                row.description = data['description'] or ''
            core.bump(row)
            sess.flush()
            return self._dict(sess, row)
        result = self.core.transaction(run)
        self.core.notify(ctx, [('floatingip', [fip_id])])
        return result

    @staticmethod
    def _clear(row):
        row.fixed_port_id = None
        row.fixed_ip_address = None
        row.router_id = None
        row.status = 'DOWN'

    def disassociate_port(self, sess, port_id):
        """Unmap every floating IP of a port being deleted; returns their ids."""
        ids = []
        for row in sess.scalars(sa.select(F).where(F.fixed_port_id == port_id)):
            self._clear(row)
            core.bump(row)
            ids.append(row.id)
        sess.flush()
        return ids

    def delete(self, ctx, fip_id):
        def run(sess):
            row = self.get_row(sess, ctx, fip_id)
            port = sess.get(models.Port, row.floating_port_id)
            self.core.portforwardings.delete_of_fip(sess, row.id)
            sess.delete(row)
            sess.flush()
            if port is not None:
                sess.delete(port)
        self.core.transaction(run)
        self.core.notify(ctx, [('floatingip', [fip_id])])
