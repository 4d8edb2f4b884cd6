"""Networks: create with a segment, show, list, update, delete when unused."""
import sqlalchemy as sa

from network import exceptions as nexc
from network.db import models
from network.db import query
from network.plugin import core
from network.plugin import segments

FIELDS = {
    'id': query.Field(models.Network.id),
    'name': query.Field(models.Network.name),
    'description': query.Field(models.Network.description),
    'project_id': query.Field(models.Network.project_id),
    'tenant_id': query.Field(models.Network.project_id),
    'admin_state_up': query.Field(models.Network.admin_state_up, 'bool'),
    'shared': query.Field(models.Network.shared, 'bool'),
    'router:external': query.Field(models.Network.external, 'bool'),
    'port_security_enabled': query.Field(models.Network.port_security_enabled, 'bool'),
    'mtu': query.Field(models.Network.mtu, 'int'),
    'status': query.Field(models.Network.status),
    'provider:network_type': query.Field(models.Network.network_type),
    'provider:physical_network': query.Field(models.Network.physical_network),
    'provider:segmentation_id': query.Field(models.Network.segmentation_id, 'int'),
    'created_at': query.Field(models.Network.created_at),
    'updated_at': query.Field(models.Network.updated_at),
    'revision_number': query.Field(models.Network.revision_number, 'int'),
}

PROVIDER = ('provider:network_type', 'provider:physical_network', 'provider:segmentation_id')


def scope(ctx):
    """Networks a caller sees: its own, shared and external ones (admin: all)."""
    if ctx.is_admin:
        return None
    return sa.or_(models.Network.project_id == core.project_of(ctx),
                  models.Network.shared.is_(True), models.Network.external.is_(True))


def segment_info(row):
    return {'id': row.id, 'network_type': row.network_type,
            'physical_network': row.physical_network,
            'segmentation_id': row.segmentation_id, 'mtu': row.mtu}


class NetworkManager:
    def __init__(self, core_):
        self.core = core_
        self.segments = segments.Segments(core_.conf)

    # reading ----------------------------------------------------------------
    def get_row(self, sess, ctx, network_id):
        row = core.visible_row(sess, ctx, models.Network, network_id,
                               lambda net: net.shared or net.external)
        if row is None:
            raise nexc.NetworkNotFound('Network %s could not be found.' % network_id)
        return row

    def usable_row(self, sess, ctx, network_id, owner_only=False):
        """A network the caller may put things on: its own or (unless owner_only) shared."""
        row = self.get_row(sess, ctx, network_id)
        if ctx.is_admin or row.project_id == core.project_of(ctx):
            return row
        if row.shared and not owner_only:
            return row
        raise nexc.PolicyNotAuthorized('Network %s belongs to another project; only its '
                                       'owner or an admin may do this.' % network_id)

    def to_dict(self, sess, row, subnet_ids=None):
        if subnet_ids is None:
            subnet_ids = list(sess.scalars(sa.select(models.Subnet.id).where(
                models.Subnet.network_id == row.id).order_by(models.Subnet.created_at)))
        out = {'id': row.id, 'name': row.name, 'description': row.description,
               'admin_state_up': row.admin_state_up, 'shared': row.shared,
               'router:external': row.external, 'mtu': row.mtu, 'status': row.status,
               'subnets': subnet_ids, 'port_security_enabled': row.port_security_enabled,
               'provider:network_type': row.network_type,
               'provider:physical_network': row.physical_network,
               'provider:segmentation_id': row.segmentation_id,
               'availability_zone_hints': [], 'availability_zones': [],
               'ipv4_address_scope': None, 'ipv6_address_scope': None, 'is_default': False}
        return core.stamp(out, row)

    def show(self, ctx, network_id):
        return self.core.transaction(
            lambda sess: self.to_dict(sess, self.get_row(sess, ctx, network_id)))

    def list(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            marker_row = self.get_row(sess, ctx, marker) if marker else None
            stmt = query.build(models.Network, FIELDS, scope(ctx), filters, sorts, limit,
                               marker_row, page_reverse)
            rows = list(sess.scalars(stmt))
            subnets = {}
            if rows:
                for net_id, sub_id in sess.execute(
                        sa.select(models.Subnet.network_id, models.Subnet.id).where(
                            models.Subnet.network_id.in_([r.id for r in rows])).order_by(
                            models.Subnet.created_at)):
                    subnets.setdefault(net_id, []).append(sub_id)
            return [self.to_dict(sess, r, subnets.get(r.id, [])) for r in rows]
        return self.core.transaction(run)

    # writing ----------------------------------------------------------------
    def create(self, ctx, items):
        def run(sess):
            return [self._create(sess, ctx, item) for item in items]
        result = self.core.transaction(run)
        self.core.notify(ctx, [('network', [n['id'] for n in result])])
        return result

    def _create(self, sess, ctx, data):
        project = core.require_project(ctx, data)
        self.core.quotas.check(sess, project, 'network', 1)
        mtu = self._mtu(data.get('mtu'))
        row = models.Network(
            project_id=project, name=data.get('name') or '',
            description=data.get('description') or '',
            admin_state_up=data.get('admin_state_up', True),
            shared=data.get('shared', False), external=data.get('router:external', False),
            port_security_enabled=data.get('port_security_enabled', True), mtu=mtu,
            network_type='local', status='ACTIVE', revision_number=1)
        sess.add(row)
        sess.flush()
        provider = {k: data[k] for k in PROVIDER if k in data}
        row.network_type, row.physical_network, row.segmentation_id = \
            self.segments.reserve(sess, row.id, provider)
        sess.flush()
        self.core.secgroups.ensure_default(sess, project)
        return self.to_dict(sess, row, [])

    def _mtu(self, mtu):
        limit = self.core.conf.network.global_physnet_mtu
        if mtu is None:
            return limit
        if mtu > limit:
            raise nexc.InvalidInput('Requested MTU %s is larger than the physical network '
                                    'MTU %s.' % (mtu, limit))
        return mtu

    def update(self, ctx, network_id, data):
        def run(sess):
            row = self.get_row(sess, ctx, network_id)
            for key in PROVIDER:
                if key in data and data[key] != getattr(row, {
                        'provider:network_type': 'network_type',
                        'provider:physical_network': 'physical_network',
                        'provider:segmentation_id': 'segmentation_id'}[key]):
                    raise nexc.InvalidInput('Provider attributes cannot be updated.')
            if data.get('shared') is False and row.shared:
                foreign = sess.scalar(sa.select(sa.func.count()).select_from(
                    models.Port).where(models.Port.network_id == row.id,
                                       models.Port.project_id != row.project_id,
                                       models.Port.project_id != '',
                                       models.Port.device_owner.notin_(
                                           core.SERVICE_OWNERS)))
                if foreign:
                    raise nexc.InvalidSharedSetting(
                        'Unable to reconfigure sharing settings for network %s. Multiple '
                        'tenants are using it.' % row.id)
            for key, attr in (('name', 'name'), ('description', 'description'),
                              ('admin_state_up', 'admin_state_up'), ('shared', 'shared'),
                              ('router:external', 'external'),
                              ('port_security_enabled', 'port_security_enabled')):
                if key in data:
                    setattr(row, attr, data[key] if data[key] is not None else '')
            if 'mtu' in data:
                row.mtu = self._mtu(data['mtu'])
            if data.get('router:external') is False and row.external:
                in_use = sess.scalar(sa.select(sa.func.count()).select_from(
                    models.Port).where(models.Port.network_id == row.id,
                                       models.Port.device_owner.in_(
                                           (core.OWNER_ROUTER_GATEWAY,
                                            core.OWNER_FLOATINGIP))))
                if in_use:
                    raise nexc.NetworkInUse('Unable to complete operation on network %s. '
                                            'Routers or floating IPs still use it as an '
                                            'external network.' % row.id)
            core.bump(row)
            sess.flush()
            return self.to_dict(sess, row)
        result = self.core.transaction(run)
        self.core.notify(ctx, [('network', [network_id])])
        return result

    def delete(self, ctx, network_id):
        def run(sess):
            row = self.get_row(sess, ctx, network_id)
            ports = list(sess.scalars(sa.select(models.Port).where(
                models.Port.network_id == row.id)))
            if any(p.device_owner != core.OWNER_DHCP for p in ports):
                raise nexc.NetworkInUse('Unable to complete operation on network %s. There '
                                        'are one or more ports still in use on the network.'
                                        % row.id)
            for port in ports:
                sess.delete(port)
            sess.flush()
            sess.execute(sa.delete(models.Subnet).where(models.Subnet.network_id == row.id))
            sess.execute(sa.delete(models.SegmentAllocation).where(
                models.SegmentAllocation.network_id == row.id))
            sess.delete(row)
            return [p.id for p in ports]
        port_ids = self.core.transaction(run)
        self.core.notify(ctx, [('network', [network_id]), ('port', port_ids)])
