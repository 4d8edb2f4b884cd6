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


class Network(Base):
    __tablename__ = 'networks'
    id = _id()
    project_id = _project()
    name = sa.Column(sa.String(255), nullable=False, default='')
    description = sa.Column(sa.String(1024), nullable=False, default='')
    admin_state_up = sa.Column(sa.Boolean, nullable=False, default=True)
    shared = sa.Column(sa.Boolean, nullable=False, default=False)
    external = sa.Column(sa.Boolean, nullable=False, default=False)
    port_security_enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    mtu = sa.Column(sa.Integer, nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default='ACTIVE')
    network_type = sa.Column(sa.String(16), nullable=False)
    physical_network = sa.Column(sa.String(64), nullable=True)
    segmentation_id = sa.Column(sa.Integer, nullable=True)
    revision_number = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = _created()
    updated_at = _updated()


class SegmentAllocation(Base):
    """One row per used (type, physnet, id): the primary key makes double use impossible."""
    __tablename__ = 'segment_allocations'
    network_type = sa.Column(sa.String(16), primary_key=True)
    physical_network = sa.Column(sa.String(64), primary_key=True)
    segmentation_id = sa.Column(sa.Integer, primary_key=True)
    network_id = sa.Column(sa.String(36), sa.ForeignKey('networks.id', ondelete='CASCADE'),
                           nullable=False, unique=True)


class Subnet(Base):
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
    revision_number = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = _created()
    updated_at = _updated()


class Port(Base):
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


class SecurityGroup(Base):
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


class Router(Base):
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


class FloatingIP(Base):
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
    created_at = _created()
    started_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)
    heartbeat_timestamp = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)
