"""SQLAlchemy models of the compute service (its own metadata; no other service reads it).

Servers are soft-deleted (``deleted`` + ``deleted_at``) so that ``changes-since`` listings,
instance actions and faults of deleted servers stay readable; every other table is
hard-deleted.  Per-server metadata, system metadata, the flavor snapshot and the network
info cache are JSON columns of the instance row (read with the server, never queried
across servers); tags are a table because listings filter on them.
"""
import sqlalchemy as sa
from sqlalchemy import orm

from common.db import types


class Base(orm.DeclarativeBase):
    pass


def _uuid_pk():
    return sa.Column(sa.String(36), primary_key=True, default=types.new_uuid)


def _int_pk():
    return sa.Column(sa.Integer, primary_key=True, autoincrement=True)


def _created():
    return sa.Column(sa.DateTime, nullable=False, default=types.utcnow)


def _updated():
    return sa.Column(sa.DateTime, nullable=True, onupdate=types.utcnow)


def _instance_fk(**kwargs):
    return sa.Column(sa.String(36), sa.ForeignKey('instances.uuid', ondelete='CASCADE'),
                     nullable=False, **kwargs)


class Instance(Base):
    """One server.  vm_state/task_state/power_state carry Nova's values (see CONTRACT.md)."""
    __tablename__ = 'instances'
    uuid = _uuid_pk()
    project_id = sa.Column(sa.String(64), nullable=False, index=True)
    user_id = sa.Column(sa.String(64), nullable=False)
    display_name = sa.Column(sa.String(255), nullable=False, default='')
    display_description = sa.Column(sa.String(255), nullable=True)
    hostname = sa.Column(sa.String(255), nullable=False, default='')
    # Placement: host (worker's host name), node (hypervisor_hostname), AZ.
    host = sa.Column(sa.String(255), nullable=True, index=True)
    node = sa.Column(sa.String(255), nullable=True)
    availability_zone = sa.Column(sa.String(255), nullable=True)
    # The AZ the user asked for (None: any); availability_zone is where it landed.
    requested_availability_zone = sa.Column(sa.String(255), nullable=True)
    vm_state = sa.Column(sa.String(255), nullable=False, default='building', index=True)
    task_state = sa.Column(sa.String(32), nullable=True)
    power_state = sa.Column(sa.Integer, nullable=False, default=0)
    progress = sa.Column(sa.Integer, nullable=False, default=0)
    image_ref = sa.Column(sa.String(36), nullable=True)      # '' / None: boot from volume
    image_meta = sa.Column(types.JSONText, nullable=True)    # ImageMeta dict at boot/rebuild
    # Flavor snapshot (the flavor may be deleted later): the driver's Flavor dict plus
    # flavorid, rxtx_factor, is_public, description.  old/new during a resize.
    flavor_id = sa.Column(sa.String(255), nullable=False)    # the flavor's public id
    flavor = sa.Column(types.JSONText, nullable=False)
    old_flavor = sa.Column(types.JSONText, nullable=True)
    new_flavor = sa.Column(types.JSONText, nullable=True)
    vcpus = sa.Column(sa.Integer, nullable=False, default=0)
    memory_mb = sa.Column(sa.Integer, nullable=False, default=0)
    root_gb = sa.Column(sa.Integer, nullable=False, default=0)
    ephemeral_gb = sa.Column(sa.Integer, nullable=False, default=0)
    swap_mb = sa.Column(sa.Integer, nullable=False, default=0)
    key_name = sa.Column(sa.String(255), nullable=True)
    key_data = sa.Column(sa.Text, nullable=True)
    user_data = sa.Column(sa.Text, nullable=True)            # base64 as given (<= 65535)
    config_drive = sa.Column(sa.Boolean, nullable=False, default=False)
    access_ip_v4 = sa.Column(sa.String(64), nullable=True)
    access_ip_v6 = sa.Column(sa.String(64), nullable=True)
    launch_index = sa.Column(sa.Integer, nullable=False, default=0)
    reservation_id = sa.Column(sa.String(255), nullable=False, index=True)
    metadata_ = sa.Column('metadata', types.JSONText, nullable=False, default=dict)
    system_metadata = sa.Column(types.JSONText, nullable=False, default=dict)
    security_groups = sa.Column(types.JSONText, nullable=False, default=list)  # names
    # The user's networks request ([{'uuid'|'port'|'fixed_ip'|'tag'}], 'auto', 'none').
    requested_networks = sa.Column(types.JSONText, nullable=True)
    # The network info cache: [VIF dict + 'created_by_compute': bool].
    network_info = sa.Column(types.JSONText, nullable=False, default=list)
    scheduler_hints = sa.Column(types.JSONText, nullable=False, default=dict)
    # Hosts tried for this build (retries go elsewhere).
    retry_hosts = sa.Column(types.JSONText, nullable=False, default=list)
    locked = sa.Column(sa.Boolean, nullable=False, default=False)
    locked_by = sa.Column(sa.String(16), nullable=True)      # 'owner' | 'admin'
    locked_reason = sa.Column(sa.String(255), nullable=True)
    shutdown_terminate = sa.Column(sa.Boolean, nullable=False, default=False)
    auto_disk_config = sa.Column(sa.Boolean, nullable=False, default=False)
    launched_at = sa.Column(sa.DateTime, nullable=True)
    terminated_at = sa.Column(sa.DateTime, nullable=True)
    created_at = _created()
    updated_at = _updated()
    deleted_at = sa.Column(sa.DateTime, nullable=True)
    deleted = sa.Column(sa.Boolean, nullable=False, default=False, index=True)

    @property
    def name(self):
        """The libvirt domain / OS-EXT-SRV-ATTR:instance_name."""
        return 'instance-%s' % self.uuid


class InstanceTag(Base):
    __tablename__ = 'instance_tags'
    instance_uuid = sa.Column(sa.String(36), sa.ForeignKey('instances.uuid', ondelete='CASCADE'),
                              primary_key=True)
    tag = sa.Column(sa.String(60), primary_key=True, index=True)


class InstanceFault(Base):
    """Why a server went ERROR (shown as ``fault`` by server show); newest wins."""
    __tablename__ = 'instance_faults'
    id = _int_pk()
    instance_uuid = _instance_fk(index=True)
    code = sa.Column(sa.Integer, nullable=False, default=500)
    message = sa.Column(sa.String(255), nullable=False, default='')
    details = sa.Column(sa.Text, nullable=True)
    host = sa.Column(sa.String(255), nullable=True)
    created_at = _created()


class InstanceAction(Base):
    """One user request on a server (os-instance-actions)."""
    __tablename__ = 'instance_actions'
    id = _int_pk()
    instance_uuid = _instance_fk(index=True)
    action = sa.Column(sa.String(255), nullable=False)
    request_id = sa.Column(sa.String(255), nullable=True, index=True)
    user_id = sa.Column(sa.String(64), nullable=True)
    project_id = sa.Column(sa.String(64), nullable=True)
    start_time = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)
    finish_time = sa.Column(sa.DateTime, nullable=True)
    message = sa.Column(sa.String(255), nullable=True)     # 'Error' when an event failed
    created_at = _created()
    updated_at = _updated()


class InstanceActionEvent(Base):
    """One step of an action (compute_build_and_run_instance, ...)."""
    __tablename__ = 'instance_action_events'
    id = _int_pk()
    action_id = sa.Column(sa.Integer, sa.ForeignKey('instance_actions.id', ondelete='CASCADE'),
                          nullable=False, index=True)
    event = sa.Column(sa.String(255), nullable=False)
    start_time = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)
    finish_time = sa.Column(sa.DateTime, nullable=True)
    result = sa.Column(sa.String(255), nullable=True)       # 'Success' | 'Error'
    traceback = sa.Column(sa.Text, nullable=True)
    host = sa.Column(sa.String(255), nullable=True)
    details = sa.Column(sa.Text, nullable=True)


class Flavor(Base):
    __tablename__ = 'flavors'
    id = _int_pk()
    flavorid = sa.Column(sa.String(255), nullable=False, unique=True)
    name = sa.Column(sa.String(255), nullable=False, unique=True)
    memory_mb = sa.Column(sa.Integer, nullable=False)
    vcpus = sa.Column(sa.Integer, nullable=False)
    root_gb = sa.Column(sa.Integer, nullable=False, default=0)
    ephemeral_gb = sa.Column(sa.Integer, nullable=False, default=0)
    swap = sa.Column(sa.Integer, nullable=False, default=0)          # MiB
    rxtx_factor = sa.Column(sa.Float, nullable=False, default=1.0)
    vcpu_weight = sa.Column(sa.Integer, nullable=True)
    disabled = sa.Column(sa.Boolean, nullable=False, default=False)
    is_public = sa.Column(sa.Boolean, nullable=False, default=True)
    description = sa.Column(sa.Text, nullable=True)
    created_at = _created()
    updated_at = _updated()


class FlavorExtraSpec(Base):
    __tablename__ = 'flavor_extra_specs'
    flavor_id = sa.Column(sa.Integer, sa.ForeignKey('flavors.id', ondelete='CASCADE'),
                          primary_key=True)
    key = sa.Column(sa.String(255), primary_key=True)
    value = sa.Column(sa.String(255), nullable=False, default='')


class FlavorProject(Base):
    """Access of a private flavor (os-flavor-access)."""
    __tablename__ = 'flavor_projects'
    flavor_id = sa.Column(sa.Integer, sa.ForeignKey('flavors.id', ondelete='CASCADE'),
                          primary_key=True)
    project_id = sa.Column(sa.String(64), primary_key=True)


class KeyPair(Base):
    __tablename__ = 'key_pairs'
    id = _int_pk()
    user_id = sa.Column(sa.String(64), nullable=False)
    name = sa.Column(sa.String(255), nullable=False)
    fingerprint = sa.Column(sa.String(255), nullable=False)
    public_key = sa.Column(sa.Text, nullable=False)
    type = sa.Column(sa.String(16), nullable=False, default='ssh')   # 'ssh' | 'x509'
    created_at = _created()
    updated_at = _updated()
    __table_args__ = (sa.UniqueConstraint('user_id', 'name', name='uniq_key_pairs_user_name'),)


class ServerGroup(Base):
    __tablename__ = 'server_groups'
    id = _int_pk()
    uuid = sa.Column(sa.String(36), nullable=False, unique=True, default=types.new_uuid)
    name = sa.Column(sa.String(255), nullable=False)
    project_id = sa.Column(sa.String(64), nullable=False, index=True)
    user_id = sa.Column(sa.String(64), nullable=False)
    # 'affinity' | 'anti-affinity' | 'soft-affinity' | 'soft-anti-affinity'
    policy = sa.Column(sa.String(32), nullable=False)
    rules = sa.Column(types.JSONText, nullable=False, default=dict)  # {'max_server_per_host': n}
    created_at = _created()
    updated_at = _updated()


class ServerGroupMember(Base):
    __tablename__ = 'server_group_members'
    group_id = sa.Column(sa.Integer, sa.ForeignKey('server_groups.id', ondelete='CASCADE'),
                         primary_key=True)
    instance_uuid = sa.Column(sa.String(36), primary_key=True, index=True)
    created_at = _created()


class Quota(Base):
    """A per-project (user_id None) or per-user limit of one resource."""
    __tablename__ = 'quotas'
    id = _int_pk()
    project_id = sa.Column(sa.String(64), nullable=False, index=True)
    user_id = sa.Column(sa.String(64), nullable=True)
    resource = sa.Column(sa.String(255), nullable=False)
    hard_limit = sa.Column(sa.Integer, nullable=False)
    created_at = _created()
    updated_at = _updated()
    __table_args__ = (sa.UniqueConstraint('project_id', 'user_id', 'resource',
                                          name='uniq_quotas_project_user_resource'),)


class QuotaClass(Base):
    __tablename__ = 'quota_classes'
    id = _int_pk()
    class_name = sa.Column(sa.String(255), nullable=False, index=True)
    resource = sa.Column(sa.String(255), nullable=False)
    hard_limit = sa.Column(sa.Integer, nullable=False)
    created_at = _created()
    updated_at = _updated()
    __table_args__ = (sa.UniqueConstraint('class_name', 'resource',
                                          name='uniq_quota_classes_class_resource'),)


class Service(Base):
    """A compute daemon (os-services).  Column-compatible with common.heartbeat.report."""
    __tablename__ = 'services'
    id = _int_pk()
    uuid = sa.Column(sa.String(36), nullable=False, unique=True, default=types.new_uuid)
    binary = sa.Column(sa.String(64), nullable=False)
    host = sa.Column(sa.String(255), nullable=False)
    topic = sa.Column(sa.String(255), nullable=True)
    report_count = sa.Column(sa.Integer, nullable=False, default=0)
    disabled = sa.Column(sa.Boolean, nullable=False, default=False)
    disabled_reason = sa.Column(sa.String(255), nullable=True)
    forced_down = sa.Column(sa.Boolean, nullable=False, default=False)
    state = sa.Column(types.JSONText, nullable=True)
    version = sa.Column(sa.Integer, nullable=False, default=1)
    created_at = _created()
    updated_at = _updated()
    __table_args__ = (sa.UniqueConstraint('binary', 'host', name='uniq_services_binary_host'),)


class ComputeNode(Base):
    """A hypervisor: what the worker reports plus what the scheduler has claimed.

    ``*_used`` are the driver's figures (os-hypervisors); ``*_claimed`` are the sums of the
    rows in ``claims`` and are what the scheduler compares against total x ratio, with a
    conditional UPDATE so that concurrent claims never overcommit.
    """
    __tablename__ = 'compute_nodes'
    id = _int_pk()
    uuid = sa.Column(sa.String(36), nullable=False, unique=True, default=types.new_uuid)
    host = sa.Column(sa.String(255), nullable=False, index=True)
    hypervisor_hostname = sa.Column(sa.String(255), nullable=False, unique=True)
    hypervisor_type = sa.Column(sa.String(64), nullable=False, default='QEMU')
    hypervisor_version = sa.Column(sa.Integer, nullable=False, default=0)
    virt_type = sa.Column(sa.String(16), nullable=True)
    host_ip = sa.Column(sa.String(64), nullable=True)
    availability_zone = sa.Column(sa.String(255), nullable=False, default='nova')
    vcpus = sa.Column(sa.Integer, nullable=False, default=0)
    memory_mb = sa.Column(sa.Integer, nullable=False, default=0)
    local_gb = sa.Column(sa.Integer, nullable=False, default=0)
    vcpus_used = sa.Column(sa.Integer, nullable=False, default=0)
    memory_mb_used = sa.Column(sa.Integer, nullable=False, default=0)
    local_gb_used = sa.Column(sa.Integer, nullable=False, default=0)
    running_vms = sa.Column(sa.Integer, nullable=False, default=0)
    disk_available_least = sa.Column(sa.Integer, nullable=True)
    cpu_info = sa.Column(types.JSONText, nullable=False, default=dict)
    cpu_allocation_ratio = sa.Column(sa.Float, nullable=False, default=16.0)
    ram_allocation_ratio = sa.Column(sa.Float, nullable=False, default=1.5)
    disk_allocation_ratio = sa.Column(sa.Float, nullable=False, default=1.0)
    reserved_host_memory_mb = sa.Column(sa.Integer, nullable=False, default=512)
    reserved_host_disk_mb = sa.Column(sa.Integer, nullable=False, default=0)
    vcpus_claimed = sa.Column(sa.Integer, nullable=False, default=0)
    memory_mb_claimed = sa.Column(sa.Integer, nullable=False, default=0)
    disk_gb_claimed = sa.Column(sa.Integer, nullable=False, default=0)
    instances_claimed = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = _created()
    updated_at = _updated()


class Claim(Base):
    """Resources held on a node for one server (kind 'instance', or 'resize' for the new
    flavor during a resize); removed when the server leaves the node."""
    __tablename__ = 'claims'
    instance_uuid = sa.Column(sa.String(36), primary_key=True)
    kind = sa.Column(sa.String(16), primary_key=True, default='instance')
    compute_node_id = sa.Column(sa.Integer,
                                sa.ForeignKey('compute_nodes.id', ondelete='CASCADE'),
                                nullable=False, index=True)
    vcpus = sa.Column(sa.Integer, nullable=False)
    memory_mb = sa.Column(sa.Integer, nullable=False)
    disk_gb = sa.Column(sa.Integer, nullable=False)
    created_at = _created()


class BlockDeviceMapping(Base):
    __tablename__ = 'block_device_mappings'
    id = _int_pk()
    uuid = sa.Column(sa.String(36), nullable=False, unique=True, default=types.new_uuid)
    instance_uuid = _instance_fk(index=True)
    source_type = sa.Column(sa.String(16), nullable=False)      # image|volume|snapshot|blank
    destination_type = sa.Column(sa.String(16), nullable=False)  # local|volume
    boot_index = sa.Column(sa.Integer, nullable=True)
    device_name = sa.Column(sa.String(255), nullable=True)
    device_type = sa.Column(sa.String(16), nullable=True)
    disk_bus = sa.Column(sa.String(16), nullable=True)
    guest_format = sa.Column(sa.String(16), nullable=True)
    image_id = sa.Column(sa.String(36), nullable=True)
    volume_id = sa.Column(sa.String(36), nullable=True, index=True)
    snapshot_id = sa.Column(sa.String(36), nullable=True)
    volume_size = sa.Column(sa.Integer, nullable=True)
    delete_on_termination = sa.Column(sa.Boolean, nullable=False, default=False)
    attachment_id = sa.Column(sa.String(36), nullable=True)
    connection_info = sa.Column(types.JSONText, nullable=True)
    tag = sa.Column(sa.String(60), nullable=True)
    created_at = _created()
    updated_at = _updated()


class Migration(Base):
    """A resize (same or other host), cold migration or evacuation (os-migrations)."""
    __tablename__ = 'migrations'
    id = _int_pk()
    uuid = sa.Column(sa.String(36), nullable=False, unique=True, default=types.new_uuid)
    instance_uuid = _instance_fk(index=True)
    migration_type = sa.Column(sa.String(16), nullable=False, default='resize')
    source_compute = sa.Column(sa.String(255), nullable=True)
    source_node = sa.Column(sa.String(255), nullable=True)
    dest_compute = sa.Column(sa.String(255), nullable=True)
    dest_node = sa.Column(sa.String(255), nullable=True)
    dest_host = sa.Column(sa.String(255), nullable=True)
    old_flavor_id = sa.Column(sa.String(255), nullable=True)
    new_flavor_id = sa.Column(sa.String(255), nullable=True)
    # pre-migrating, migrating, finished, confirmed, reverted, error
    status = sa.Column(sa.String(32), nullable=False, default='pre-migrating')
    project_id = sa.Column(sa.String(64), nullable=True)
    user_id = sa.Column(sa.String(64), nullable=True)
    created_at = _created()
    updated_at = _updated()


class Aggregate(Base):
    """A host aggregate (os-aggregates): hosts grouped under metadata; its
    ``availability_zone`` metadata key is the AZ of its hosts."""
    __tablename__ = 'aggregates'
    id = _int_pk()
    uuid = sa.Column(sa.String(36), nullable=False, unique=True, default=types.new_uuid)
    name = sa.Column(sa.String(255), nullable=False, unique=True)
    created_at = _created()
    updated_at = _updated()


class AggregateHost(Base):
    __tablename__ = 'aggregate_hosts'
    aggregate_id = sa.Column(sa.Integer, sa.ForeignKey('aggregates.id', ondelete='CASCADE'),
                             primary_key=True)
    host = sa.Column(sa.String(255), primary_key=True, index=True)


class AggregateMetadata(Base):
    __tablename__ = 'aggregate_metadata'
    aggregate_id = sa.Column(sa.Integer, sa.ForeignKey('aggregates.id', ondelete='CASCADE'),
                             primary_key=True)
    key = sa.Column(sa.String(255), primary_key=True)
    value = sa.Column(sa.String(255), nullable=False)
