"""The object tying the managers together, plus the helpers they all use."""
import logging

from common.db import query
from network import exceptions as nexc

LOG = logging.getLogger(__name__)

# Ports the service makes for itself; users cannot delete or re-own them directly.
OWNER_DHCP = 'network:dhcp'
OWNER_ROUTER_INTERFACE = 'network:router_interface'
OWNER_ROUTER_GATEWAY = 'network:router_gateway'
OWNER_FLOATINGIP = 'network:floatingip'
ROUTER_OWNERS = (OWNER_ROUTER_INTERFACE, OWNER_ROUTER_GATEWAY)
SERVICE_OWNERS = (OWNER_DHCP, OWNER_ROUTER_INTERFACE, OWNER_ROUTER_GATEWAY, OWNER_FLOATINGIP)


class Core:
    """Config, database, notifier and the resource managers of one network-api process."""

    def __init__(self, conf, db, notifier=None):
        from network.plugin import (addressgroups, addressscopes, agents, autoallocate,
                                    availabilityzones, flavors, floatingips, hoststate,
                                    ipavailability, metering, networks, portforwardings,
                                    ports, qos, quotas, rbac, routers, scheduler, secgroups,
                                    subnetpools, subnets, tags, trunks)
        self.conf = conf
        self.db = db
        self.notifier = notifier
        self.quotas = quotas.QuotaManager(self)
        self.agents = agents.AgentManager(self)
        self.rbac = rbac.RBACManager(self)
        self.qos = qos.QosManager(self)
        self.networks = networks.NetworkManager(self)
        self.subnets = subnets.SubnetManager(self)
        self.addressscopes = addressscopes.AddressScopeManager(self)
        self.subnetpools = subnetpools.SubnetPoolManager(self)
        self.secgroups = secgroups.SecurityGroupManager(self)
        self.ports = ports.PortManager(self)
        self.routers = routers.RouterManager(self)
        self.floatingips = floatingips.FloatingIPManager(self)
        self.hoststate = hoststate.HostState(self)
        self.tags = tags.TagManager(self)
        self.ip_availability = ipavailability.IPAvailability(self)
        self.flavors = flavors.FlavorManager(self)
        self.trunks = trunks.TrunkManager(self)
        self.addressgroups = addressgroups.AddressGroupManager(self)
        self.scheduler = scheduler.Scheduler(self)
        self.autoallocate = autoallocate.AutoAllocator(self)
        self.azs = availabilityzones.AvailabilityZones(self)
        self.portforwardings = portforwardings.PortForwardingManager(self)
        self.metering = metering.MeteringManager(self)

    def transaction(self, func):
        """Run ``func(session)`` in a transaction retried when it loses a race."""
        return query.transaction(self.db, func, retries=self.conf.network.db_retries,
                                 errors=nexc.QUERY_ERRORS)

    def notify(self, ctx, changes):
        """Tell agents what changed: ``changes`` is [(kind, ids)], sent after commit."""
        if self.notifier is None:
            return
        for kind, ids in changes:
            if ids:
                self.notifier.resources_changed(ctx, kind, sorted(set(ids)))


def project_of(ctx):
    return ctx.project_id or ''


def page_rows(sess, ctx, manager, model, fields, scope, filters, sorts, limit, marker,
              page_reverse):
    """One page of ``model`` rows for a list: the marker looked up as the caller sees it
    (``manager.get_row``: 404 for a marker it cannot see), filters and sorts by ``fields``."""
    marker_row = manager.get_row(sess, ctx, marker) if marker else None
    return list(sess.scalars(query.build(model, fields, scope, filters, sorts, limit,
                                         marker_row, page_reverse,
                                         errors=nexc.QUERY_ERRORS)))


def visible_row(sess, ctx, model, row_id, also_visible=None):
    """The row of ``model`` with ``row_id`` if the caller may see it (admin, its project,
    or ``also_visible(row)``), else None: others' resources do not exist for a caller."""
    row = sess.get(model, row_id) if isinstance(row_id, str) else None
    if row is None or ctx.is_admin or row.project_id == project_of(ctx) or \
            (also_visible is not None and also_visible(row)):
        return row
    return None


def require_project(ctx, data):
    """The project a new resource belongs to: the body's (admin only, by policy) or the caller's."""
    project = data.get('project_id') or data.get('tenant_id') or ctx.project_id
    if data.get('project_id') and data.get('tenant_id') and \
            data['project_id'] != data['tenant_id']:
        raise nexc.InvalidInput('tenant_id and project_id do not match.')
    if not project:
        raise nexc.InvalidInput('project_id is required: the token is not project scoped.')
    return project


def _whole_seconds(when):
    return when.replace(microsecond=0) if when is not None else None


def stamp(resource, row):
    """Fields every resource shows: project/tenant id, timestamps, revision, tags."""
    resource['project_id'] = row.project_id
    resource['tenant_id'] = row.project_id
    # Whole seconds, as Neutron shows them: MariaDB keeps no fraction, so a create answer
    # with microseconds would differ from every later show of the same resource.
    resource['created_at'] = _whole_seconds(row.created_at)
    resource['updated_at'] = _whole_seconds(row.updated_at or row.created_at)
    resource['revision_number'] = row.revision_number
    resource['tags'] = [t.tag for t in getattr(row, 'tag_rows', ())]
    return resource


def bump(row):
    row.revision_number = (row.revision_number or 0) + 1
