"""Default policy rules of the network API; etc/network/policy.yaml may override them.

Visibility (which rows a project sees at all) is enforced in the queries; these rules
decide who may act and which attributes a caller may set or see.
"""
from common.policy import RuleDefault

ADMIN = 'rule:admin_only'
OWNER = 'rule:admin_or_owner'

BASE = [
    RuleDefault('context_is_admin', 'role:admin', 'Callers with the admin role.'),
    RuleDefault('owner', 'project_id:%(project_id)s', 'The resource belongs to the caller.'),
    RuleDefault('admin_or_owner', 'rule:context_is_admin or rule:owner', 'Admin or owner.'),
    RuleDefault('admin_only', 'rule:context_is_admin', 'Admin only.'),
    RuleDefault('network_owner', 'project_id:%(network_project_id)s',
                'The network the resource is on belongs to the caller.'),
    RuleDefault('admin_or_network_owner', 'rule:context_is_admin or rule:network_owner',
                'Admin or owner of the network.'),
]

_CRUD_OWNER = {
    'network': ['shared', 'router:external', 'provider:network_type',
                'provider:physical_network', 'provider:segmentation_id'],
    'subnet': [],
    'port': ['binding:host_id', 'binding:profile'],
    'router': ['external_gateway_info:enable_snat', 'external_gateway_info:external_fixed_ips'],
    'floatingip': ['floating_ip_address'],
    'security_group': [],
    'security_group_rule': [],
}

# Attributes only admins see in responses.
HIDDEN = {
    'network': ['provider:network_type', 'provider:physical_network',
                'provider:segmentation_id'],
    'port': ['binding:host_id', 'binding:profile', 'binding:vif_type', 'binding:vif_details'],
}


def _resource_rules():
    rules = []
    for res, admin_attrs in _CRUD_OWNER.items():
        create = OWNER
        if res == 'subnet':
            create = 'rule:admin_or_network_owner'
        rules.append(RuleDefault('create_%s' % res, create, 'Create a %s.' % res))
        rules.append(RuleDefault('update_%s' % res, OWNER, 'Update a %s.' % res))
        rules.append(RuleDefault('delete_%s' % res, OWNER, 'Delete a %s.' % res))
        for attr in admin_attrs:
            rules.append(RuleDefault('create_%s:%s' % (res, attr), ADMIN,
                                     'Set %s when creating a %s.' % (attr, res)))
            rules.append(RuleDefault('update_%s:%s' % (res, attr), ADMIN,
                                     'Change %s of a %s.' % (attr, res)))
    for res, attrs in HIDDEN.items():
        for attr in attrs:
            rules.append(RuleDefault('get_%s:%s' % (res, attr), ADMIN,
                                     'See %s of a %s.' % (attr, res)))
    return rules


EXTRA = [
    # Choosing an exact address on someone else's (shared) network is the owner's call.
    RuleDefault('create_port:fixed_ips:ip_address', 'rule:admin_or_network_owner',
                'Ask for a specific fixed IP address when creating a port.'),
    RuleDefault('update_port:fixed_ips:ip_address', 'rule:admin_or_network_owner',
                'Ask for a specific fixed IP address when updating a port.'),
    RuleDefault('create_port:mac_address', 'rule:admin_or_network_owner',
                'Choose the MAC address of a new port.'),
    RuleDefault('update_port:mac_address', ADMIN, 'Change the MAC address of a port.'),
    RuleDefault('add_router_interface', OWNER, 'Attach a subnet or port to a router.'),
    RuleDefault('remove_router_interface', OWNER, 'Detach a subnet or port from a router.'),
    RuleDefault('get_quota', OWNER, 'Show a project\'s quotas.'),
    RuleDefault('get_quotas', ADMIN, 'List every project\'s non-default quotas.'),
    RuleDefault('update_quota', ADMIN, 'Change a project\'s quotas.'),
    RuleDefault('delete_quota', ADMIN, 'Reset a project\'s quotas to the defaults.'),
    RuleDefault('get_agent', ADMIN, 'List and show agents.'),
    RuleDefault('update_agent', ADMIN, 'Update an agent.'),
    RuleDefault('delete_agent', ADMIN, 'Delete an agent.'),
]


def list_rules():
    return BASE + _resource_rules() + EXTRA
