"""Default policy rules of the compute API (Nova's rule names); etc/compute/policy.yaml
may override them.

A member acts on its own project's resources, a reader only reads them, an admin acts on
all. Which rows a caller sees at all is decided in the queries (a server of another
project is a 404, not a 403).
"""
from common.policy import RuleDefault

ADMIN = 'rule:context_is_admin'
MEMBER = 'rule:project_member_or_admin'
READER = 'rule:project_reader_or_admin'
ANY = '@'
OWNER_USER = 'rule:context_is_admin or user_id:%(user_id)s'

BASE = [
    RuleDefault('context_is_admin', 'role:admin', 'Callers with the admin role.'),
    RuleDefault('project_member_api', 'role:member and project_id:%(project_id)s',
                'A member of the project that owns the resource.'),
    RuleDefault('project_reader_api',
                '(role:reader or role:member) and project_id:%(project_id)s',
                'A reader (or member) of the project that owns the resource.'),
    RuleDefault('project_member_or_admin', 'rule:context_is_admin or rule:project_member_api',
                'Admin, or a member of the owning project.'),
    RuleDefault('project_reader_or_admin', 'rule:context_is_admin or rule:project_reader_api',
                'Admin, or a reader of the owning project.'),
]

P = 'os_compute_api:'

_RULES = {
    # servers
    'servers:index': READER,
    'servers:detail': READER,
    'servers:index:get_all_tenants': ADMIN,
    'servers:detail:get_all_tenants': ADMIN,
    'servers:allow_all_filters': ADMIN,
    'servers:show': READER,
    'servers:show:host_status': ADMIN,
    'servers:create': MEMBER,
    'servers:create:forced_host': ADMIN,
    'servers:create:requested_destination': ADMIN,
    'servers:create:attach_network': MEMBER,
    'servers:update': MEMBER,
    'servers:delete': MEMBER,
    'servers:reboot': MEMBER,
    'servers:start': MEMBER,
    'servers:stop': MEMBER,
    'servers:rebuild': MEMBER,
    'servers:resize': MEMBER,
    'servers:confirm_resize': MEMBER,
    'servers:revert_resize': MEMBER,
    'servers:create_image': MEMBER,
    'servers:trigger_crash_dump': MEMBER,
    'os-extended-server-attributes': ADMIN,
    'os-pause-server:pause': MEMBER,
    'os-pause-server:unpause': MEMBER,
    'os-suspend-server:suspend': MEMBER,
    'os-suspend-server:resume': MEMBER,
    'os-lock-server:lock': MEMBER,
    'os-lock-server:unlock': MEMBER,
    'os-lock-server:unlock:unlock_override': ADMIN,
    'os-rescue': MEMBER,
    'os-unrescue': MEMBER,
    'os-shelve:shelve': MEMBER,
    'os-shelve:unshelve': MEMBER,
    'os-shelve:shelve_offload': ADMIN,
    'os-admin-actions:reset_state': ADMIN,
    'os-create-backup': MEMBER,
    'os-server-password:show': READER,
    'os-server-password:clear': MEMBER,
    'os-deferred-delete:restore': MEMBER,
    'os-console-output': MEMBER,
    'os-remote-consoles': MEMBER,
    'server-metadata:index': READER,
    'server-metadata:show': READER,
    'server-metadata:create': MEMBER,
    'server-metadata:update': MEMBER,
    'server-metadata:update_all': MEMBER,
    'server-metadata:delete': MEMBER,
    'os-server-tags:index': READER,
    'os-server-tags:show': READER,
    'os-server-tags:update': MEMBER,
    'os-server-tags:update_all': MEMBER,
    'os-server-tags:delete': MEMBER,
    'os-server-tags:delete_all': MEMBER,
    'ips:index': READER,
    'ips:show': READER,
    'os-instance-actions:list': READER,
    'os-instance-actions:show': READER,
    'os-instance-actions:events': ADMIN,
    'os-instance-actions:events:details': ADMIN,
    'os-server-external-events:create': ADMIN,
    'os-attach-interfaces:list': READER,
    'os-attach-interfaces:show': READER,
    'os-attach-interfaces:create': MEMBER,
    'os-attach-interfaces:delete': MEMBER,
    'os-volumes-attachments:index': READER,
    'os-volumes-attachments:show': READER,
    'os-volumes-attachments:create': MEMBER,
    'os-volumes-attachments:delete': MEMBER,
    'os-volumes-attachments:update': MEMBER,
    # Nova lets only the block storage service swap volumes (its migrate and retype).
    'os-volumes-attachments:swap': 'role:service',
    # flavors
    'os-flavor-manage:create': ADMIN,
    'os-flavor-manage:update': ADMIN,
    'os-flavor-manage:delete': ADMIN,
    'os-flavor-extra-specs:index': READER,
    'os-flavor-extra-specs:show': READER,
    'os-flavor-extra-specs:create': ADMIN,
    'os-flavor-extra-specs:update': ADMIN,
    'os-flavor-extra-specs:delete': ADMIN,
    'os-flavor-access': ADMIN,
    'os-flavor-access:add_tenant_access': ADMIN,
    'os-flavor-access:remove_tenant_access': ADMIN,
    # keypairs (per user)
    'os-keypairs:index': OWNER_USER,
    'os-keypairs:show': OWNER_USER,
    'os-keypairs:create': OWNER_USER,
    'os-keypairs:delete': OWNER_USER,
    # server groups
    'os-server-groups:index': READER,
    'os-server-groups:index:all_projects': ADMIN,
    'os-server-groups:show': READER,
    'os-server-groups:create': MEMBER,
    'os-server-groups:delete': MEMBER,
    # limits, quotas, AZs, services, hypervisors
    'limits': ANY,
    'limits:other_project': ADMIN,
    'os-quota-sets:show': READER,
    'os-quota-sets:defaults': ANY,
    'os-quota-sets:detail': READER,
    'os-quota-sets:update': ADMIN,
    'os-quota-sets:delete': ADMIN,
    'os-quota-class-sets:show': ADMIN,
    'os-quota-class-sets:update': ADMIN,
    'os-availability-zone:list': ANY,
    'os-availability-zone:detail': ADMIN,
    'os-services:list': ADMIN,
    'os-services:update': ADMIN,
    'os-services:delete': ADMIN,
    'os-hypervisors:list': ADMIN,
    'os-hypervisors:list-detail': ADMIN,
    'os-hypervisors:show': ADMIN,
    'os-hypervisors:statistics': ADMIN,
    'os-hypervisors:uptime': ADMIN,
    'os-hypervisors:search': ADMIN,
    'os-hypervisors:servers': ADMIN,
    'os-simple-tenant-usage:list': ADMIN,
    'os-simple-tenant-usage:show': READER,
}


def list_rules():
    return BASE + [RuleDefault(P + name, check, name.replace(':', ' '))
                   for name, check in _RULES.items()]
