"""Policy defaults of the block storage API (etc/blockstore/policy.yaml may override them).

Members act on their own project's resources, readers only read them, admins act on any
project (``all_tenants``) and on what only operators may do (types, quotas, reset-state)."""
from common.policy import RuleDefault

ADMIN = 'role:admin'
READER = 'role:admin or (role:reader and project_id:%(project_id)s)'
MEMBER = 'role:admin or (role:member and project_id:%(project_id)s)'

_READ = ['volume:get', 'volume:get_all', 'snapshot:get', 'snapshot:get_all', 'backup:get',
         'backup:get_all', 'attachment:get', 'attachment:get_all', 'limits:get',
         'quota:show', 'type:get', 'type:get_all', 'availability_zone:get_all',
         'transfer:get', 'transfer:get_all', 'group:get', 'group:get_all',
         'group_snapshot:get', 'group_snapshot:get_all', 'group_type:get',
         'group_type:get_all']
_WRITE = ['volume:create', 'volume:update', 'volume:delete', 'volume:extend',
          'volume:update_metadata', 'volume:set_bootable', 'volume:upload_image',
          'volume:update_readonly_flag', 'volume:attach', 'volume:detach', 'volume:retype',
          'snapshot:create', 'snapshot:update', 'snapshot:update_snapshot_status',
          'snapshot:delete', 'snapshot:update_metadata', 'backup:create', 'backup:delete',
          'backup:restore', 'attachment:create', 'attachment:update', 'attachment:delete',
          'attachment:complete', 'transfer:create', 'transfer:delete', 'transfer:accept',
          'group:create', 'group:update', 'group:delete', 'group:create_from_src',
          'group_snapshot:create', 'group_snapshot:delete']
_ADMIN = ['volume:get_all_tenants', 'volume:reset_status', 'volume:force_delete',
          'snapshot:reset_status', 'snapshot:force_delete', 'backup:reset_status',
          'backup:force_delete', 'type:manage', 'type:access', 'quota:update',
          'quota:show_other', 'service:get_all', 'pool:get_all', 'volume:see_host',
          'qos_specs:get', 'qos_specs:get_all', 'qos_specs:create', 'qos_specs:update',
          'qos_specs:delete', 'volume:migrate_volume', 'group_type:manage', 'group:reset_status',
          'group_snapshot:reset_status', 'host:get_all', 'host:get']


def list_rules():
    return ([RuleDefault(name, READER) for name in _READ]
            + [RuleDefault(name, MEMBER) for name in _WRITE]
            + [RuleDefault(name, ADMIN) for name in _ADMIN])
