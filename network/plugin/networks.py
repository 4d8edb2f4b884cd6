"""Networks: create with a segment, show, list, update, delete when unused."""
import sqlalchemy as sa

from common import validators
from common.db import query

from network import exceptions as nexc
from network import ipam
from network.db import models
from network.plugin import availabilityzones
from network.plugin import core
from network.plugin import rbac
from network.plugin import tags
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
    'is_default': query.Field(models.Network.is_default, 'bool'),
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
FIELDS.update(tags.filter_fields(models.Network))

PROVIDER = ('provider:network_type', 'provider:physical_network', 'provider:segmentation_id')


def scope(ctx):
    """Networks a caller sees: its own and those granted to it or to everyone, shared or
    external (admin: all)."""
    if ctx.is_admin:
        return None
    project = core.project_of(ctx)
    return sa.or_(models.Network.project_id == project,
                  models.Network.id.in_(rbac.granted(project)))


def segment_info(row):
    return {'id': row.id, 'network_type': row.network_type,
            'physical_network': row.physical_network,
            'segmentation_id': row.segmentation_id, 'mtu': row.mtu}


def _check_dns_domain(value):
    """A network's dns_domain: '' (or null) for none, else a DNS domain, lower-case."""
    if not value:
        return ''
    with ipam.invalid_input():
        return validators.dns_domain(value, 'dns_domain')


class NetworkManager:
    def __init__(self, core_):
        self.core = core_
        self.segments = segments.Segments(core_.conf)

    # reading ----------------------------------------------------------------
    def get_row(self, sess, ctx, network_id):
        row = core.visible_row(sess, ctx, models.Network, network_id,
                               lambda net: rbac.is_granted(sess, net.id, core.project_of(ctx)))
        if row is None:
            raise nexc.NetworkNotFound('Network %s could not be found.' % network_id)
        return row

    def usable_row(self, sess, ctx, network_id, owner_only=False):
        """A network the caller may put things on: its own or (unless owner_only) one
        shared with its project or with every project."""
        row = self.get_row(sess, ctx, network_id)
        if ctx.is_admin or row.project_id == core.project_of(ctx):
            return row
        if not owner_only and rbac.is_granted(sess, row.id, core.project_of(ctx),
                                              [rbac.SHARED]):
            return row
        raise nexc.PolicyNotAuthorized('Network %s belongs to another project; only its '
                                       'owner or an admin may do this.' % network_id)

    def to_dict(self, sess, row, subnet_ids=None, ctx=None, shared_ids=None, scopes=None,
                zones=None):
        """``shared`` is true for the project a grant names too (``ctx``/``shared_ids``:
        the caller and the networks shared with it alone, if known); a list passes the
        page's ``subnet_ids`` and address ``scopes`` it read at once."""
        if shared_ids is None and ctx is not None and not ctx.is_admin:
            shared_ids = rbac.targeted_shared(sess, core.project_of(ctx), [row.id])
        if subnet_ids is None:
            subnet_ids = list(sess.scalars(sa.select(models.Subnet.id).where(
                models.Subnet.network_id == row.id).order_by(models.Subnet.created_at)))
        out = {'id': row.id, 'name': row.name, 'description': row.description,
               'admin_state_up': row.admin_state_up,
               'shared': row.shared or row.id in (shared_ids or ()),
               'router:external': row.external, 'mtu': row.mtu, 'status': row.status,
               'subnets': subnet_ids, 'port_security_enabled': row.port_security_enabled,
               'provider:network_type': row.network_type,
               'provider:physical_network': row.physical_network,
               'provider:segmentation_id': row.segmentation_id,
               'availability_zone_hints': availabilityzones.hints_of(row),
               'availability_zones': zones if zones is not None else
               availabilityzones.AvailabilityZones.serving(
                   sess, models.NetworkDhcpAgentBinding, 'network_id', [row.id])[row.id],
               'is_default': row.is_default, 'qos_policy_id': row.qos_policy_id,
               'dns_domain': row.dns_domain or ''}
        if scopes is None:
            scopes = self.core.addressscopes.network_scopes(sess, [row.id]).get(row.id, {})
        out['ipv4_address_scope'] = scopes.get(4)
        out['ipv6_address_scope'] = scopes.get(6)
        return core.stamp(out, row)

    def show(self, ctx, network_id):
        return self.core.transaction(
            lambda sess: self.to_dict(sess, self.get_row(sess, ctx, network_id), ctx=ctx))

    def list(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            rows = core.page_rows(sess, ctx, self, models.Network, FIELDS, scope(ctx),
                                  filters, sorts, limit, marker, page_reverse)
            subnets = {}
            if rows:
                for net_id, sub_id in sess.execute(
                        sa.select(models.Subnet.network_id, models.Subnet.id).where(
                            models.Subnet.network_id.in_([r.id for r in rows])).order_by(
                            models.Subnet.created_at)):
                    subnets.setdefault(net_id, []).append(sub_id)
            shared = set() if ctx.is_admin else rbac.targeted_shared(
                sess, core.project_of(ctx), [r.id for r in rows])
            scopes = self.core.addressscopes.network_scopes(sess, [r.id for r in rows])
            zones = availabilityzones.AvailabilityZones.serving(
                sess, models.NetworkDhcpAgentBinding, 'network_id', [r.id for r in rows])
            return [self.to_dict(sess, r, subnets.get(r.id, []), shared_ids=shared,
                                 scopes=scopes.get(r.id, {}), zones=zones[r.id])
                    for r in rows]
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
            network_type='local', status='ACTIVE', revision_number=1,
            dns_domain=_check_dns_domain(data.get('dns_domain')),
            availability_zone_hints=self.core.azs.check_hints(
                sess, 'network', data.get('availability_zone_hints')),
            qos_policy_id=self.core.qos.check_usable(sess, ctx, data.get('qos_policy_id')))
        sess.add(row)
        sess.flush()
        for action, on in ((rbac.SHARED, row.shared), (rbac.EXTERNAL, row.external)):
            if on:
                self.core.rbac.grant_wildcard(sess, row, action, True)
        self._set_default(sess, row, data.get('is_default', False))
        provider = {k: data[k] for k in PROVIDER if k in data}
        row.network_type, row.physical_network, row.segmentation_id = \
            self.segments.reserve(sess, row.id, provider)
        sess.flush()
        self.core.secgroups.ensure_default(sess, project)
        return self.to_dict(sess, row, [])

    @staticmethod
    def _set_default(sess, row, wanted):
        """Make ``row`` the default external network or not. Only an external network
        can be the default (elsewhere the flag is ignored, as in Neutron) and only one
        is: a second answers 409 (the guard row settles a race between two requests)."""
        wanted = bool(wanted) and row.external
        if wanted and not row.is_default:
            other = sess.scalar(sa.select(models.Network.id).where(
                models.Network.is_default.is_(True), models.Network.id != row.id))
            if other is not None:
                raise nexc.DefaultExternalNetworkExists(
                    'Unable to complete operation on network %s. Default external network '
                    '%s already exists.' % (row.id, other))
            sess.add(models.DefaultExternalNetwork(kind='external', network_id=row.id))
            sess.flush()
        elif row.is_default and not wanted:
            sess.execute(sa.delete(models.DefaultExternalNetwork).where(
                models.DefaultExternalNetwork.network_id == row.id))
        row.is_default = wanted

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
            # The in-use checks run before anything changes: taking a grant back that
            # others' ports, routers or floating IPs depend on is a 409.
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
            for key, action in (('shared', rbac.SHARED), ('router:external', rbac.EXTERNAL)):
                if key in data and data[key] is not None:
                    try:
                        self.core.rbac.grant_wildcard(sess, row, action, data[key])
                    except nexc.RbacPolicyInUse:
                        raise nexc.InvalidSharedSetting(
                            'Unable to reconfigure sharing settings for network %s. '
                            'Multiple tenants are using it.' % row.id) from None
            for key, attr in (('name', 'name'), ('description', 'description'),
                              ('admin_state_up', 'admin_state_up'),
                              ('port_security_enabled', 'port_security_enabled')):
                if key in data:
                    setattr(row, attr, data[key] if data[key] is not None else '')
            if 'mtu' in data:
                row.mtu = self._mtu(data['mtu'])
            if 'dns_domain' in data:
                row.dns_domain = _check_dns_domain(data['dns_domain'])
            if 'qos_policy_id' in data:
                row.qos_policy_id = self.core.qos.check_usable(sess, ctx,
                                                               data['qos_policy_id'])
            self.core.rbac.sync_flags(sess, row)
            if 'is_default' in data or not row.external:
                self._set_default(sess, row, data.get('is_default', row.is_default))
            core.bump(row)
            sess.flush()
            return self.to_dict(sess, row, ctx=ctx)
        result = self.core.transaction(run)
        changes = [('network', [network_id])]
        if 'qos_policy_id' in data:
            changes.append(('port', self.core.ports.ids_on_network(network_id)))
        self.core.notify(ctx, changes)
        return result

    def delete(self, ctx, network_id):
        def run(sess):
            row = self.get_row(sess, ctx, network_id)
            ports = list(sess.scalars(sa.select(models.Port).where(
                models.Port.network_id == row.id)))
            # The floating IPs of an external network go with it, as in Neutron; any
            # other port (a router's gateway, a server's) keeps the network in use.
            if any(p.device_owner not in (core.OWNER_DHCP, core.OWNER_FLOATINGIP)
                   for p in ports):
                raise nexc.NetworkInUse('Unable to complete operation on network %s. There '
                                        'are one or more ports still in use on the network.'
                                        % row.id)
            fips = list(sess.scalars(sa.select(models.FloatingIP).where(
                models.FloatingIP.floating_network_id == row.id)))
            for fip in fips:
                sess.delete(fip)
            sess.flush()
            for port in ports:
                sess.delete(port)
            sess.flush()
            sess.execute(sa.delete(models.Subnet).where(models.Subnet.network_id == row.id))
            sess.execute(sa.delete(models.DefaultExternalNetwork).where(
                models.DefaultExternalNetwork.network_id == row.id))
            sess.execute(sa.delete(models.RBACPolicy).where(
                models.RBACPolicy.object_type == 'network',
                models.RBACPolicy.object_id == row.id))
            sess.execute(sa.delete(models.SegmentAllocation).where(
                models.SegmentAllocation.network_id == row.id))
            sess.delete(row)
            return [p.id for p in ports], [f.id for f in fips]
        port_ids, fip_ids = self.core.transaction(run)
        self.core.notify(ctx, [('network', [network_id]), ('port', port_ids),
                               ('floatingip', fip_ids)])
