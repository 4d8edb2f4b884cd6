"""Default policy rules of the network API; etc/network/policy.yaml may override them.

Visibility (which rows a project sees at all) is enforced in the queries; these rules
decide who may act and which attributes a caller may set or see.
"""
from common.policy import RuleDefault

ADMIN = 'rule:admin_only'
OWNER = 'rule:admin_or_owner'
# Writes need the member role in the owning project: a project reader reads only.
WRITER = 'rule:context_is_admin or (role:member and rule:owner)'

BASE = [
    RuleDefault('context_is_admin', 'role:admin', 'Callers with the admin role.'),
    RuleDefault('owner', 'project_id:%(project_id)s', 'The resource belongs to the caller.'),
    RuleDefault('admin_or_owner', 'rule:context_is_admin or rule:owner', 'Admin or owner.'),
    RuleDefault('admin_only', 'rule:context_is_admin', 'Admin only.'),
    RuleDefault('network_owner', 'project_id:%(network_project_id)s',
                'The network the resource is on belongs to the caller.'),
    RuleDefault('admin_or_network_owner', 'rule:context_is_admin or rule:network_owner',
                'Admin or owner of the network.'),
    RuleDefault('network_device', 'field:port:device_owner=~^network:',
                'The port is (or would become) one the network service owns: DHCP, router '
                'or floating IP ports are not filtered by security groups.'),
]

_CRUD_OWNER = {
    'network': ['shared', 'router:external', 'is_default', 'provider:network_type',
                'provider:physical_network', 'provider:segmentation_id'],
    'subnet': [],
    'port': ['binding:host_id', 'binding:profile'],
    'router': ['external_gateway_info:enable_snat', 'external_gateway_info:external_fixed_ips'],
    'floatingip': ['floating_ip_address'],
    'security_group': [],
    'security_group_rule': [],
    'rbac_policy': [],
    'subnetpool': ['shared', 'is_default'],
    'address_scope': ['shared'],
    'trunk': [],
    'address_group': [],
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
        create = WRITER
        if res == 'subnet':
            create = 'rule:context_is_admin or (role:member and rule:network_owner)'
        rules.append(RuleDefault('create_%s' % res, create, 'Create a %s.' % res))
        rules.append(RuleDefault('update_%s' % res, WRITER, 'Update a %s.' % res))
        rules.append(RuleDefault('delete_%s' % res, WRITER, 'Delete a %s.' % res))
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
    # A network:* owner turns off the port's security groups and anti-spoofing.
    RuleDefault('create_port:device_owner',
                'not rule:network_device or rule:admin_or_network_owner',
                'Create a port owned by the network service (network:*).'),
    RuleDefault('update_port:device_owner',
                'not rule:network_device or rule:admin_or_network_owner',
                'Make a port one owned by the network service (network:*), or change '
                'the owner of such a port.'),
    RuleDefault('create_port:mac_address', 'rule:admin_or_network_owner',
                'Choose the MAC address of a new port.'),
    RuleDefault('update_port:mac_address', ADMIN, 'Change the MAC address of a port.'),
    RuleDefault('add_router_interface', WRITER, 'Attach a subnet or port to a router.'),
    RuleDefault('remove_router_interface', WRITER, 'Detach a subnet or port from a router.'),
    # Granting a network to every project is the operator's call; to one project, the
    # network owner's.
    RuleDefault('restrict_wildcard',
                '(not field:rbac_policy:target_tenant=*) or rule:admin_only',
                'The grant names one project, or the caller is an admin.'),
    RuleDefault('create_rbac_policy:target_tenant', 'rule:restrict_wildcard',
                'Grant access to a project (to every project: admin).'),
    RuleDefault('update_rbac_policy:target_tenant', 'rule:restrict_wildcard',
                'Give a grant to another project (to every project: admin).'),
    # QoS policies and rules are the operator's; projects attach the shared ones.
    RuleDefault('create_policy', ADMIN, 'Create a QoS policy.'),
    RuleDefault('update_policy', ADMIN, 'Update a QoS policy.'),
    RuleDefault('delete_policy', ADMIN, 'Delete a QoS policy.'),
] + [RuleDefault('%s_policy_%s_rule' % (action, kind), ADMIN,
                 '%s a %s rule of a QoS policy.' % (action.capitalize(), kind))
     for action in ('create', 'update', 'delete')
     for kind in ('bandwidth_limit', 'dscp_marking')] + [
    RuleDefault('add_extraroutes', WRITER, 'Add static routes to a router.'),
    RuleDefault('remove_extraroutes', WRITER, 'Remove static routes from a router.'),
    RuleDefault('get_network_ip_availability', ADMIN,
                'See how many addresses of each network and subnet are in use.'),
    RuleDefault('get_quota', OWNER, 'Show a project\'s quotas.'),
    RuleDefault('get_quotas', ADMIN, 'List every project\'s non-default quotas.'),
    RuleDefault('update_quota', ADMIN, 'Change a project\'s quotas.'),
    RuleDefault('delete_quota', ADMIN, 'Reset a project\'s quotas to the defaults.'),
    RuleDefault('get_agent', ADMIN, 'List and show agents.'),
    RuleDefault('update_agent', ADMIN, 'Update an agent.'),
    RuleDefault('delete_agent', ADMIN, 'Delete an agent.'),
] + [RuleDefault('%s_%s' % (action, kind), ADMIN, '%s a %s.' % (
    action.capitalize(), kind.replace('_', ' ')))
     for action in ('create', 'update', 'delete')
     for kind in ('flavor', 'service_profile')] + [
    RuleDefault('get_service_profile', ADMIN, 'List and show service profiles.'),
    RuleDefault('get_auto_allocated_topology', WRITER,
                'Get (making it on first ask) a project\'s auto-allocated topology.'),
    RuleDefault('delete_auto_allocated_topology', WRITER,
                'Delete a project\'s auto-allocated topology.'),
    RuleDefault('get_dhcp-networks', ADMIN, 'List the networks a DHCP agent serves.'),
    RuleDefault('create_dhcp-network', ADMIN, 'Add a network to a DHCP agent.'),
    RuleDefault('delete_dhcp-network', ADMIN, 'Remove a network from a DHCP agent.'),
    RuleDefault('get_dhcp-agents', ADMIN, 'List the DHCP agents serving a network.'),
    RuleDefault('get_l3-routers', ADMIN, 'List the routers an L3 agent serves.'),
    RuleDefault('create_l3-router', ADMIN, 'Add a router to an L3 agent.'),
    RuleDefault('delete_l3-router', ADMIN, 'Remove a router from an L3 agent.'),
    RuleDefault('get_l3-agents', ADMIN, 'List the L3 agents serving a router.'),
    RuleDefault('add_subports', WRITER, 'Add subports to a trunk.'),
    RuleDefault('add_addresses', WRITER, 'Add addresses to an address group.'),
    RuleDefault('remove_addresses', WRITER, 'Remove addresses from an address group.'),
    RuleDefault('remove_subports', WRITER, 'Remove subports from a trunk.'),
    RuleDefault('get_floatingip_port_forwarding', OWNER,
                'List and show the port forwardings of a floating IP.'),
] + [RuleDefault('%s_floatingip_port_forwarding' % action, WRITER,
                 '%s a port forwarding of a floating IP.' % action.capitalize())
     for action in ('create', 'update', 'delete')] + [
    RuleDefault('get_metering_label', ADMIN, 'List and show metering labels.'),
    RuleDefault('get_metering_label_rule', ADMIN, 'List and show metering label rules.'),
] + [RuleDefault('%s_%s' % (action, kind), ADMIN, '%s a %s.' % (
    action.capitalize(), kind.replace('_', ' ')))
     for action in ('create', 'update', 'delete')
     for kind in ('metering_label', 'metering_label_rule')] + [
    RuleDefault('create_flavor_service_profile', ADMIN,
                'Associate a service profile with a flavor.'),
    RuleDefault('delete_flavor_service_profile', ADMIN,
                'Dissociate a service profile from a flavor.'),
]


def list_rules():
    return BASE + _resource_rules() + EXTRA
