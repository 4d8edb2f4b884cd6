"""SQLAlchemy models of the network service (its own metadata; no other service reads it)."""
import sqlalchemy as sa
from sqlalchemy import orm

from common.db import types


class Base(orm.DeclarativeBase):
    pass


def _id():
    return sa.Column(sa.String(36), primary_key=True, default=types.new_uuid)


def _project():
    return sa.Column(sa.String(64), nullable=False, index=True)


def _created():
    return sa.Column(sa.DateTime, nullable=False, default=types.utcnow)


def _updated():
    return sa.Column(sa.DateTime, nullable=False, default=types.utcnow, onupdate=types.utcnow)


class Tag(Base):
    """A tag of a network resource (standard-attr-tag): ids are UUIDs, unique across kinds."""
    __tablename__ = 'tags'
    resource_id = sa.Column(sa.String(36), primary_key=True)
    tag = sa.Column(sa.String(255), primary_key=True)


class Taggable:
    """Resources that carry tags: ``tag_rows`` load with the rows (one query per list)."""

    @orm.declared_attr
    def tag_rows(cls):
        return orm.relationship(
            Tag, primaryjoin=lambda: orm.foreign(Tag.resource_id) == cls.id,
            viewonly=True, lazy='selectin', order_by=Tag.tag)


class Network(Taggable, Base):
    __tablename__ = 'networks'
    id = _id()
    project_id = _project()
    name = sa.Column(sa.String(255), nullable=False, default='')
    description = sa.Column(sa.String(1024), nullable=False, default='')
    admin_state_up = sa.Column(sa.Boolean, nullable=False, default=True)
    shared = sa.Column(sa.Boolean, nullable=False, default=False)
    external = sa.Column(sa.Boolean, nullable=False, default=False)
    # The external network auto-allocation and `network create --default` pick (one at most).
    is_default = sa.Column(sa.Boolean, nullable=False, default=False,
                           server_default=sa.text('false'))
    # dns-integration: the network's DNS domain, recorded (no external DNS service reads it).
    dns_domain = sa.Column(sa.String(255), nullable=False, default='',
                           server_default=sa.text("''"))
    # dhcp_agent_scheduler: placed on a DHCP agent once; a network an admin then takes
    # off every agent stays off (not placed again by the next agent sync).
    dhcp_scheduled = sa.Column(sa.Boolean, nullable=False, default=False,
                               server_default=sa.text('false'))
    # network_availability_zone: comma-joined zones whose DHCP agents may serve it
    # (none: any); names are checked by availability_zones.zone_name
    availability_zone_hints = sa.Column(sa.String(1024), nullable=False, default='',
                                        server_default=sa.text("''"))
    port_security_enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    qos_policy_id = sa.Column(sa.String(36), nullable=True, index=True)
    mtu = sa.Column(sa.Integer, nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default='ACTIVE')
    network_type = sa.Column(sa.String(16), nullable=False)
    physical_network = sa.Column(sa.String(64), nullable=True)
    segmentation_id = sa.Column(sa.Integer, nullable=True)
    revision_number = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = _created()
    updated_at = _updated()


class RBACPolicy(Base):
    """Access to an object granted to a project or to every project (``*``): the rbac
    policies of Neutron. The unique key makes a duplicate grant a 409."""
    __tablename__ = 'rbac_policies'
    __table_args__ = (sa.UniqueConstraint('object_type', 'object_id', 'action',
                                          'target_project', name='uniq_rbac_grant'),)
    id = _id()
    project_id = _project()
    object_type = sa.Column(sa.String(32), nullable=False)
    object_id = sa.Column(sa.String(36), nullable=False, index=True)
    action = sa.Column(sa.String(32), nullable=False)
    target_project = sa.Column(sa.String(64), nullable=False, index=True)


class DefaultExternalNetwork(Base):
    """The one default external network: the primary key lets only one of two racing
    requests make its network the default (the other reruns and answers 409)."""
    __tablename__ = 'default_external_networks'
    kind = sa.Column(sa.String(16), primary_key=True, default='external')
    network_id = sa.Column(sa.String(36), sa.ForeignKey('networks.id', ondelete='CASCADE'),
                           nullable=False, unique=True)


class SegmentAllocation(Base):
    """One row per used (type, physnet, id): the primary key makes double use impossible."""
    __tablename__ = 'segment_allocations'
    network_type = sa.Column(sa.String(16), primary_key=True)
    physical_network = sa.Column(sa.String(64), primary_key=True)
    segmentation_id = sa.Column(sa.Integer, primary_key=True)
    network_id = sa.Column(sa.String(36), sa.ForeignKey('networks.id', ondelete='CASCADE'),
                           nullable=False, unique=True)


class Subnet(Taggable, Base):
    __tablename__ = 'subnets'
    id = _id()
    project_id = _project()
    network_id = sa.Column(sa.String(36), sa.ForeignKey('networks.id'), nullable=False,
                           index=True)
    name = sa.Column(sa.String(255), nullable=False, default='')
    description = sa.Column(sa.String(1024), nullable=False, default='')
    ip_version = sa.Column(sa.Integer, nullable=False)
    cidr = sa.Column(sa.String(64), nullable=False)
    gateway_ip = sa.Column(sa.String(64), nullable=True)
    enable_dhcp = sa.Column(sa.Boolean, nullable=False, default=True)
    ipv6_ra_mode = sa.Column(sa.String(32), nullable=True)
    ipv6_address_mode = sa.Column(sa.String(32), nullable=True)
    dns_nameservers = sa.Column(types.JSONText, nullable=False, default=list)
    host_routes = sa.Column(types.JSONText, nullable=False, default=list)
    allocation_pools = sa.Column(types.JSONText, nullable=False, default=list)
    # The pool the CIDR was allocated from (subnet_allocation); its prefix is in use
    # while the subnet exists.
    subnetpool_id = sa.Column(sa.String(36), nullable=True, index=True)
    revision_number = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = _created()
    updated_at = _updated()


class AddressScope(Base):
    """Address scope: subnet pools whose prefixes must not overlap (address-scope)."""
    __tablename__ = 'address_scopes'
    id = _id()
    project_id = _project()
    name = sa.Column(sa.String(255), nullable=False, default='')
    shared = sa.Column(sa.Boolean, nullable=False, default=False)
    ip_version = sa.Column(sa.Integer, nullable=False)
    revision_number = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = _created()
    updated_at = _updated()


class SubnetPool(Taggable, Base):
    """Prefixes subnets are allocated from (subnet_allocation). Each allocation locks the
    row and moves ``allocation_serial`` with a compare-and-set, so two concurrent
    allocations from one pool cannot both commit the same prefix."""
    __tablename__ = 'subnetpools'
    id = _id()
    project_id = _project()
    name = sa.Column(sa.String(255), nullable=False, default='')
    description = sa.Column(sa.String(1024), nullable=False, default='')
    ip_version = sa.Column(sa.Integer, nullable=False)
    prefixes = sa.Column(types.JSONText, nullable=False, default=list)
    default_prefixlen = sa.Column(sa.Integer, nullable=False)
    min_prefixlen = sa.Column(sa.Integer, nullable=False)
    max_prefixlen = sa.Column(sa.Integer, nullable=False)
    shared = sa.Column(sa.Boolean, nullable=False, default=False)
    is_default = sa.Column(sa.Boolean, nullable=False, default=False)
    default_quota = sa.Column(sa.Integer, nullable=True)
    address_scope_id = sa.Column(sa.String(36), sa.ForeignKey('address_scopes.id'),
                                 nullable=True, index=True)
    allocation_serial = sa.Column(sa.Integer, nullable=False, default=0)
    revision_number = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = _created()
    updated_at = _updated()


class QosPolicy(Taggable, Base):
    """A QoS policy: the rules the bridge agent applies to the taps of its ports."""
    __tablename__ = 'qos_policies'
    id = _id()
    project_id = _project()
    name = sa.Column(sa.String(255), nullable=False, default='')
    description = sa.Column(sa.String(1024), nullable=False, default='')
    shared = sa.Column(sa.Boolean, nullable=False, default=False)
    revision_number = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = _created()
    updated_at = _updated()


class QosRule(Base):
    """A bandwidth-limit (per direction) or DSCP-marking rule; one of each per policy."""
    __tablename__ = 'qos_rules'
    __table_args__ = (sa.UniqueConstraint('policy_id', 'rule_type', 'direction',
                                          name='uniq_qos_rule'),)
    id = _id()
    policy_id = sa.Column(sa.String(36), sa.ForeignKey('qos_policies.id', ondelete='CASCADE'),
                          nullable=False, index=True)
    rule_type = sa.Column(sa.String(32), nullable=False)
    direction = sa.Column(sa.String(16), nullable=False)
    max_kbps = sa.Column(sa.Integer, nullable=True)
    max_burst_kbps = sa.Column(sa.Integer, nullable=True)
    dscp_mark = sa.Column(sa.Integer, nullable=True)


class Port(Taggable, Base):
    __tablename__ = 'ports'
    __table_args__ = (sa.UniqueConstraint('network_id', 'mac_address',
                                          name='uniq_ports_network_mac'),)
    id = _id()
    project_id = _project()
    network_id = sa.Column(sa.String(36), sa.ForeignKey('networks.id'), nullable=False,
                           index=True)
    name = sa.Column(sa.String(255), nullable=False, default='')
    description = sa.Column(sa.String(1024), nullable=False, default='')
    mac_address = sa.Column(sa.String(32), nullable=False)
    admin_state_up = sa.Column(sa.Boolean, nullable=False, default=True)
    status = sa.Column(sa.String(16), nullable=False, default='DOWN')
    device_id = sa.Column(sa.String(255), nullable=False, default='', index=True)
    device_owner = sa.Column(sa.String(255), nullable=False, default='', index=True)
    host_id = sa.Column(sa.String(255), nullable=False, default='', index=True)
    vnic_type = sa.Column(sa.String(32), nullable=False, default='normal')
    binding_profile = sa.Column(types.JSONText, nullable=False, default=dict)
    port_security_enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    allowed_address_pairs = sa.Column(types.JSONText, nullable=False, default=list)
    # The port's own QoS policy; without one the network's applies.
    qos_policy_id = sa.Column(sa.String(36), nullable=True, index=True)
    # extra_dhcp_opts: [{'opt_name', 'opt_value', 'ip_version'}], validated (NULL: none;
    # a TEXT column cannot carry a server default on every dialect).
    extra_dhcp_opts = sa.Column(types.JSONText, nullable=True)
    # dns-integration: the guest's DHCP host name (a DNS label, '' for the default name).
    dns_name = sa.Column(sa.String(63), nullable=False, default='',
                         server_default=sa.text("''"))
    revision_number = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = _created()
    updated_at = _updated()


class IPAllocation(Base):
    """An address held by a port; unique per network so no address is handed out twice."""
    __tablename__ = 'ip_allocations'
    network_id = sa.Column(sa.String(36), sa.ForeignKey('networks.id'), primary_key=True)
    ip_address = sa.Column(sa.String(64), primary_key=True)
    subnet_id = sa.Column(sa.String(36), sa.ForeignKey('subnets.id'), nullable=False,
                          index=True)
    port_id = sa.Column(sa.String(36), sa.ForeignKey('ports.id', ondelete='CASCADE'),
                        nullable=False, index=True)


class SecurityGroup(Taggable, Base):
    __tablename__ = 'security_groups'
    id = _id()
    project_id = _project()
    name = sa.Column(sa.String(255), nullable=False, default='')
    description = sa.Column(sa.String(1024), nullable=False, default='')
    stateful = sa.Column(sa.Boolean, nullable=False, default=True)
    revision_number = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = _created()
    updated_at = _updated()


class DefaultSecurityGroup(Base):
    """One per project: the primary key stops two racing requests making two defaults."""
    __tablename__ = 'default_security_groups'
    project_id = sa.Column(sa.String(64), primary_key=True)
    security_group_id = sa.Column(sa.String(36),
                                  sa.ForeignKey('security_groups.id', ondelete='CASCADE'),
                                  nullable=False)


class SecurityGroupRule(Base):
    __tablename__ = 'security_group_rules'
    __table_args__ = (sa.UniqueConstraint('security_group_id', 'fingerprint',
                                          name='uniq_sgrules_fingerprint'),)
    id = _id()
    project_id = _project()
    security_group_id = sa.Column(sa.String(36),
                                  sa.ForeignKey('security_groups.id', ondelete='CASCADE'),
                                  nullable=False, index=True)
    remote_group_id = sa.Column(sa.String(36),
                                sa.ForeignKey('security_groups.id', ondelete='CASCADE'),
                                nullable=True)
    direction = sa.Column(sa.String(16), nullable=False)
    ethertype = sa.Column(sa.String(8), nullable=False)
    protocol = sa.Column(sa.String(32), nullable=True)
    port_range_min = sa.Column(sa.Integer, nullable=True)
    port_range_max = sa.Column(sa.Integer, nullable=True)
    remote_ip_prefix = sa.Column(sa.String(64), nullable=True)
    # address-group: no foreign key (added in place by a migration); deleting a group a
    # rule uses is refused by the plugin.
    remote_address_group_id = sa.Column(sa.String(36), nullable=True, index=True)
    description = sa.Column(sa.String(1024), nullable=False, default='')
    # What makes two rules the same; unique per group so duplicates answer 409.
    fingerprint = sa.Column(sa.String(255), nullable=False)
    revision_number = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = _created()
    updated_at = _updated()


class PortSecurityGroup(Base):
    __tablename__ = 'port_security_groups'
    port_id = sa.Column(sa.String(36), sa.ForeignKey('ports.id', ondelete='CASCADE'),
                        primary_key=True)
    security_group_id = sa.Column(sa.String(36), sa.ForeignKey('security_groups.id'),
                                  primary_key=True, index=True)


class Router(Taggable, Base):
    __tablename__ = 'routers'
    id = _id()
    project_id = _project()
    name = sa.Column(sa.String(255), nullable=False, default='')
    description = sa.Column(sa.String(1024), nullable=False, default='')
    admin_state_up = sa.Column(sa.Boolean, nullable=False, default=True)
    status = sa.Column(sa.String(16), nullable=False, default='ACTIVE')
    gw_port_id = sa.Column(sa.String(36), sa.ForeignKey('ports.id'), nullable=True)
    enable_snat = sa.Column(sa.Boolean, nullable=False, default=True)
    routes = sa.Column(types.JSONText, nullable=False, default=list)
    # l3_agent_scheduler: placed on an L3 agent once (see Network.dhcp_scheduled).
    l3_scheduled = sa.Column(sa.Boolean, nullable=False, default=False,
                             server_default=sa.text('false'))
    # router_availability_zone: comma-joined zones whose L3 agents may serve it
    availability_zone_hints = sa.Column(sa.String(1024), nullable=False, default='',
                                        server_default=sa.text("''"))
    revision_number = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = _created()
    updated_at = _updated()


class RouterPort(Base):
    """Ports a router owns: its interfaces and its gateway port."""
    __tablename__ = 'router_ports'
    port_id = sa.Column(sa.String(36), sa.ForeignKey('ports.id', ondelete='CASCADE'),
                        primary_key=True)
    router_id = sa.Column(sa.String(36), sa.ForeignKey('routers.id', ondelete='CASCADE'),
                          nullable=False, index=True)
    port_type = sa.Column(sa.String(64), nullable=False)


class FloatingIP(Taggable, Base):
    __tablename__ = 'floating_ips'
    __table_args__ = (sa.UniqueConstraint('fixed_port_id', 'fixed_ip_address',
                                          name='uniq_fip_fixed'),)
    id = _id()
    project_id = _project()
    description = sa.Column(sa.String(1024), nullable=False, default='')
    floating_network_id = sa.Column(sa.String(36), sa.ForeignKey('networks.id'),
                                    nullable=False)
    floating_port_id = sa.Column(sa.String(36), sa.ForeignKey('ports.id'), nullable=False)
    floating_ip_address = sa.Column(sa.String(64), nullable=False)
    fixed_port_id = sa.Column(sa.String(36), sa.ForeignKey('ports.id', ondelete='SET NULL'),
                              nullable=True)
    fixed_ip_address = sa.Column(sa.String(64), nullable=True)
    router_id = sa.Column(sa.String(36), sa.ForeignKey('routers.id'), nullable=True)
    status = sa.Column(sa.String(16), nullable=False, default='DOWN')
    revision_number = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = _created()
    updated_at = _updated()


class Quota(Base):
    __tablename__ = 'quotas'
    project_id = sa.Column(sa.String(64), primary_key=True)
    resource = sa.Column(sa.String(64), primary_key=True)
    hard_limit = sa.Column(sa.Integer, nullable=False)


class Agent(Base):
    __tablename__ = 'agents'
    __table_args__ = (sa.UniqueConstraint('agent_type', 'host', name='uniq_agents_type_host'),)
    id = _id()
    agent_type = sa.Column(sa.String(64), nullable=False)
    binary = sa.Column(sa.String(255), nullable=False)
    topic = sa.Column(sa.String(255), nullable=False, default='')
    host = sa.Column(sa.String(255), nullable=False)
    admin_state_up = sa.Column(sa.Boolean, nullable=False, default=True)
    description = sa.Column(sa.String(1024), nullable=False, default='')
    configurations = sa.Column(types.JSONText, nullable=False, default=dict)
    # availability_zone: what the agent reports ([agent] availability_zone)
    availability_zone = sa.Column(sa.String(255), nullable=False, default='nova',
                                  server_default=sa.text("'nova'"))
    created_at = _created()
    started_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)
    heartbeat_timestamp = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)


class Flavor(Base):
    """A network service flavor (flavors): a named choice of a service's profiles. Not a
    standard-attribute resource in Neutron: no project, tags, revision or timestamps."""
    __tablename__ = 'flavors'
    id = _id()
    name = sa.Column(sa.String(255), nullable=False, default='')
    description = sa.Column(sa.String(1024), nullable=False, default='')
    service_type = sa.Column(sa.String(36), nullable=False)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)


class ServiceProfile(Base):
    """A service profile (flavors): a driver and its metadata, made by admins."""
    __tablename__ = 'service_profiles'
    id = _id()
    description = sa.Column(sa.String(1024), nullable=False, default='')
    driver = sa.Column(sa.String(1024), nullable=False, default='')
    metainfo = sa.Column(sa.String(4096), nullable=False, default='')
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)


class FlavorServiceProfile(Base):
    """A service profile associated with a flavor."""
    __tablename__ = 'flavor_service_profiles'
    flavor_id = sa.Column(sa.String(36), sa.ForeignKey('flavors.id', ondelete='CASCADE'),
                          primary_key=True)
    service_profile_id = sa.Column(sa.String(36), sa.ForeignKey('service_profiles.id'),
                                   primary_key=True, index=True)


class Trunk(Taggable, Base):
    """A trunk (trunk): a parent port whose VLAN-tagged frames reach its subports."""
    __tablename__ = 'trunks'
    id = _id()
    project_id = _project()
    name = sa.Column(sa.String(255), nullable=False, default='')
    description = sa.Column(sa.String(1024), nullable=False, default='')
    admin_state_up = sa.Column(sa.Boolean, nullable=False, default=True)
    port_id = sa.Column(sa.String(36), sa.ForeignKey('ports.id'), nullable=False,
                        unique=True)
    revision_number = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = _created()
    updated_at = _updated()


class SubPort(Base):
    """A subport of a trunk: a port whose traffic is the parent's frames of one VLAN."""
    __tablename__ = 'subports'
    __table_args__ = (sa.UniqueConstraint('trunk_id', 'segmentation_type', 'segmentation_id',
                                          name='uniq_subports_trunk_segment'),)
    port_id = sa.Column(sa.String(36), sa.ForeignKey('ports.id'), primary_key=True)
    trunk_id = sa.Column(sa.String(36), sa.ForeignKey('trunks.id', ondelete='CASCADE'),
                         nullable=False, index=True)
    segmentation_type = sa.Column(sa.String(32), nullable=False)
    segmentation_id = sa.Column(sa.Integer, nullable=False)


class AddressGroup(Base):
    """An address group (address-group): CIDRs security group rules can name as remote."""
    __tablename__ = 'address_groups'
    id = _id()
    project_id = _project()
    name = sa.Column(sa.String(255), nullable=False, default='')
    description = sa.Column(sa.String(1024), nullable=False, default='')
    revision_number = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = _created()
    updated_at = _updated()


class AddressGroupAddress(Base):
    """One CIDR of an address group (canonical, host bits cleared)."""
    __tablename__ = 'address_group_addresses'
    address_group_id = sa.Column(sa.String(36),
                                 sa.ForeignKey('address_groups.id', ondelete='CASCADE'),
                                 primary_key=True)
    address = sa.Column(sa.String(64), primary_key=True)


class NetworkDhcpAgentBinding(Base):
    """A DHCP agent serving a network (dhcp_agent_scheduler)."""
    __tablename__ = 'network_dhcp_agent_bindings'
    network_id = sa.Column(sa.String(36), sa.ForeignKey('networks.id', ondelete='CASCADE'),
                           primary_key=True)
    agent_id = sa.Column(sa.String(36), sa.ForeignKey('agents.id', ondelete='CASCADE'),
                         primary_key=True, index=True)


class RouterL3AgentBinding(Base):
    """The L3 agent serving a router (l3_agent_scheduler); one per router."""
    __tablename__ = 'router_l3_agent_bindings'
    router_id = sa.Column(sa.String(36), sa.ForeignKey('routers.id', ondelete='CASCADE'),
                          primary_key=True)
    agent_id = sa.Column(sa.String(36), sa.ForeignKey('agents.id', ondelete='CASCADE'),
                         nullable=False, index=True)


class AutoAllocatedTopology(Base):
    """A project's auto-allocated network and router (auto-allocated-topology): the
    primary key lets only one of two racing requests make it (the other reruns and
    answers the winner's)."""
    __tablename__ = 'auto_allocated_topologies'
    project_id = sa.Column(sa.String(64), primary_key=True)
    network_id = sa.Column(sa.String(36), sa.ForeignKey('networks.id', ondelete='CASCADE'),
                           nullable=False, unique=True)
    router_id = sa.Column(sa.String(36), sa.ForeignKey('routers.id', ondelete='SET NULL'),
                          nullable=True)


class PortForwarding(Base):
    """A floating IP port forwarding: external_port/protocol of the floating IP DNATed to
    internal_ip_address:internal_port of a port (floating-ip-port-forwarding)."""
    __tablename__ = 'port_forwardings'
    __table_args__ = (
        sa.UniqueConstraint('floatingip_id', 'external_port', 'protocol',
                            name='uniq_pf_external'),
        sa.UniqueConstraint('internal_port_id', 'internal_ip_address', 'internal_port',
                            'protocol', name='uniq_pf_internal'),)
    id = _id()
    floatingip_id = sa.Column(sa.String(36), sa.ForeignKey('floating_ips.id',
                                                           ondelete='CASCADE'),
                              nullable=False, index=True)
    internal_port_id = sa.Column(sa.String(36), sa.ForeignKey('ports.id', ondelete='CASCADE'),
                                 nullable=False, index=True)
    internal_ip_address = sa.Column(sa.String(64), nullable=False)
    internal_port = sa.Column(sa.Integer, nullable=False)
    external_port = sa.Column(sa.Integer, nullable=False)
    protocol = sa.Column(sa.String(16), nullable=False)
    description = sa.Column(sa.String(255), nullable=False, default='')


class MeteringLabel(Base):
    """A metering label: the traffic its rules select, counted on the routers of its
    project (every router when ``shared``)."""
    __tablename__ = 'metering_labels'
    id = _id()
    project_id = _project()
    name = sa.Column(sa.String(255), nullable=False, default='')
    description = sa.Column(sa.String(1024), nullable=False, default='')
    shared = sa.Column(sa.Boolean, nullable=False, default=False)


class MeteringLabelRule(Base):
    """Which traffic of a router's external gateway a label counts (or excludes)."""
    __tablename__ = 'metering_label_rules'
    id = _id()
    metering_label_id = sa.Column(sa.String(36), sa.ForeignKey('metering_labels.id',
                                                               ondelete='CASCADE'),
                                  nullable=False, index=True)
    direction = sa.Column(sa.String(8), nullable=False)
    remote_ip_prefix = sa.Column(sa.String(64), nullable=True)
    source_ip_prefix = sa.Column(sa.String(64), nullable=True)
    destination_ip_prefix = sa.Column(sa.String(64), nullable=True)
    excluded = sa.Column(sa.Boolean, nullable=False, default=False)


class MeteringCounter(Base):
    """Packets and bytes a label counted on one router, summed from the L3 agents'
    reports (``network-manage metering-report`` prints them)."""
    __tablename__ = 'metering_counters'
    label_id = sa.Column(sa.String(36), sa.ForeignKey('metering_labels.id',
                                                      ondelete='CASCADE'), primary_key=True)
    router_id = sa.Column(sa.String(36), primary_key=True)
    packets = sa.Column(sa.BigInteger, nullable=False, default=0)
    bytes = sa.Column(sa.BigInteger, nullable=False, default=0)
    updated_at = _updated()
