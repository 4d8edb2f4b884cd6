"""JSON schemas of request bodies: each resource's create and update attributes.

Text goes through the common strict validators (``format``: no control characters);
addresses, CIDRs and MACs are parsed by the same validators in the plugin, which stores
their canonical form and answers Neutron's InvalidInput when they are bad.
"""

STR255 = {'type': ['string', 'null'], 'maxLength': 255, 'format': 'name'}
NAME = {'type': ['string', 'null'], 'maxLength': 255, 'format': 'name'}
DESC = {'type': ['string', 'null'], 'maxLength': 1024, 'format': 'text'}
BOOL = {'type': 'boolean'}
ID = {'type': 'string', 'minLength': 1, 'maxLength': 64, 'format': 'name'}
NULL_ID = {'type': ['string', 'null'], 'maxLength': 64, 'format': 'name'}
PROJECT = {'type': 'string', 'minLength': 1, 'maxLength': 64, 'format': 'name'}
IP = {'type': 'string', 'minLength': 1, 'maxLength': 64}
IDS = {'type': 'array', 'items': ID}
FIXED_IPS = {'type': ['array', 'null'], 'items': {
    'type': 'object', 'additionalProperties': False,
    'properties': {'subnet_id': ID, 'ip_address': IP}}}
OWNED = {'project_id': PROJECT, 'tenant_id': PROJECT}


def _obj(props, required=(), extra_owned=True):
    properties = dict(props)
    if extra_owned:
        properties.update(OWNED)
    return {'type': 'object', 'additionalProperties': False, 'properties': properties,
            'required': list(required)}


NETWORK_COMMON = {
    'name': NAME, 'description': DESC, 'admin_state_up': BOOL, 'shared': BOOL,
    'router:external': BOOL, 'port_security_enabled': BOOL, 'is_default': BOOL,
    'mtu': {'type': 'integer', 'minimum': 68, 'maximum': 65535},
    'provider:network_type': {'type': 'string', 'enum': ['flat', 'vlan', 'local']},
    'provider:physical_network': {'type': ['string', 'null'], 'minLength': 1,
                                  'maxLength': 64, 'format': 'name'},
    'provider:segmentation_id': {'type': ['integer', 'null'], 'minimum': 1,
                                 'maximum': 4094},
    # hints are set at create only (as in Neutron); names checked in the plugin
    'availability_zone_hints': {'type': 'array', 'maxItems': 0},
    'qos_policy_id': NULL_ID,
    'dns_domain': {'type': ['string', 'null'], 'maxLength': 255},
}
AZ_HINTS = {'type': 'array', 'maxItems': 16, 'items': {'type': 'string', 'maxLength': 255}}
NETWORK_CREATE = _obj(dict(NETWORK_COMMON, availability_zone_hints=AZ_HINTS))
NETWORK_UPDATE = _obj(NETWORK_COMMON, extra_owned=False)

ROUTE = {'type': 'object', 'additionalProperties': False,
         'required': ['destination', 'nexthop'],
         'properties': {'destination': IP, 'nexthop': IP}}
POOL = {'type': 'object', 'additionalProperties': False, 'required': ['start', 'end'],
        'properties': {'start': IP, 'end': IP}}
V6_MODE = {'type': ['string', 'null'], 'enum': ['slaac', 'dhcpv6-stateful',
                                                'dhcpv6-stateless', None]}
SUBNET_COMMON = {
    'name': NAME, 'description': DESC, 'enable_dhcp': BOOL,
    'gateway_ip': {'type': ['string', 'null'], 'maxLength': 64},
    'allocation_pools': {'type': ['array', 'null'], 'items': POOL},
    'dns_nameservers': {'type': ['array', 'null'], 'items': IP},
    'host_routes': {'type': ['array', 'null'], 'items': ROUTE},
}
SUBNET_CREATE = _obj(dict(SUBNET_COMMON, **{
    'network_id': ID, 'cidr': {'type': 'string', 'minLength': 1, 'maxLength': 64},
    'ip_version': {'type': 'integer', 'enum': [4, 6]},
    'ipv6_ra_mode': V6_MODE, 'ipv6_address_mode': V6_MODE,
    'subnetpool_id': NULL_ID, 'use_default_subnetpool': BOOL,
    'prefixlen': {'type': ['integer', 'string'], 'minimum': 0, 'maximum': 128,
                  'pattern': '^[0-9]{1,3}$'},
    'segment_id': {'type': 'null'},
    'service_types': {'type': 'array', 'maxItems': 0}}),
    required=('network_id',))
SUBNET_UPDATE = _obj(SUBNET_COMMON, extra_owned=False)

PAIR = {'type': 'object', 'additionalProperties': False, 'required': ['ip_address'],
        'properties': {'ip_address': IP,
                       'mac_address': {'type': ['string', 'null'], 'maxLength': 32}}}
# extra_dhcp_opt: opt_name and opt_value are parsed by common.validators in the plugin.
DHCP_OPT = {'type': 'object', 'additionalProperties': False, 'required': ['opt_name'],
            'properties': {'opt_name': {'type': 'string', 'maxLength': 64},
                           'opt_value': {'type': ['string', 'null'], 'maxLength': 255},
                           'ip_version': {'enum': [4, 6, '4', '6', None]}}}
PORT_COMMON = {
    'name': NAME, 'description': DESC, 'admin_state_up': BOOL,
    'mac_address': {'type': 'string', 'maxLength': 32},
    'device_id': STR255, 'device_owner': STR255, 'fixed_ips': FIXED_IPS,
    'security_groups': {'type': ['array', 'null'], 'items': ID},
    'port_security_enabled': BOOL,
    'allowed_address_pairs': {'type': ['array', 'null'], 'items': PAIR},
    'binding:host_id': STR255,
    'binding:vnic_type': {'type': 'string', 'enum': ['normal']},
    'binding:profile': {'type': ['object', 'null']},
    'extra_dhcp_opts': {'type': ['array', 'null'], 'maxItems': 64, 'items': DHCP_OPT},
    'dns_name': {'type': ['string', 'null'], 'maxLength': 255},
    'qos_policy_id': NULL_ID,
}
PORT_CREATE = _obj(dict(PORT_COMMON, network_id=ID), required=('network_id',))
PORT_UPDATE = _obj(PORT_COMMON, extra_owned=False)

GATEWAY = {'type': ['object', 'null'], 'additionalProperties': False,
           'properties': {'network_id': ID, 'enable_snat': BOOL,
                          'external_fixed_ips': FIXED_IPS}}
ROUTER_COMMON = {'name': NAME, 'description': DESC, 'admin_state_up': BOOL,
                 'external_gateway_info': GATEWAY}
ROUTER_CREATE = _obj(dict(ROUTER_COMMON, distributed={'enum': [False]}, ha={'enum': [False]},
                          availability_zone_hints=AZ_HINTS))
ROUTER_UPDATE = _obj(dict(ROUTER_COMMON, routes={'type': ['array', 'null'], 'items': ROUTE}),
                     extra_owned=False)

FIP_CREATE = _obj({'floating_network_id': ID, 'floating_ip_address': IP, 'subnet_id': ID,
                   'port_id': NULL_ID, 'fixed_ip_address': {'type': ['string', 'null']},
                   'description': DESC}, required=('floating_network_id',))
FIP_UPDATE = _obj({'port_id': NULL_ID, 'fixed_ip_address': {'type': ['string', 'null']},
                   'description': DESC}, extra_owned=False)

SG_CREATE = _obj({'name': NAME, 'description': DESC, 'stateful': BOOL})
SG_UPDATE = _obj({'name': NAME, 'description': DESC, 'stateful': BOOL}, extra_owned=False)

PORT_NUMBER = {'type': ['integer', 'null']}
RULE_CREATE = _obj({
    'security_group_id': ID, 'direction': {'type': 'string', 'enum': ['ingress', 'egress']},
    'ethertype': {'type': 'string', 'enum': ['IPv4', 'IPv6']},
    'protocol': {'type': ['string', 'integer', 'null']},
    'port_range_min': PORT_NUMBER, 'port_range_max': PORT_NUMBER,
    'remote_ip_prefix': {'type': ['string', 'null'], 'maxLength': 64},
    'remote_group_id': NULL_ID, 'remote_address_group_id': NULL_ID,
    'description': DESC}, required=('security_group_id', 'direction'))
RULE_UPDATE = _obj({'description': DESC}, extra_owned=False)

AGENT_UPDATE = _obj({'admin_state_up': BOOL, 'description': DESC}, extra_owned=False)

QUOTA_LIMIT = {'type': 'integer', 'minimum': -1, 'maximum': 2 ** 31 - 1}
QUOTA_RESOURCES = ('network', 'subnet', 'port', 'router', 'floatingip', 'security_group',
                   'security_group_rule', 'subnetpool', 'rbac_policy')
# ``force`` and ``check_limit`` are how the openstack client says --force / --no-force.
QUOTA_UPDATE = {'type': 'object', 'additionalProperties': False, 'properties': dict(
    {name: QUOTA_LIMIT for name in QUOTA_RESOURCES},
    force={'type': 'boolean'}, check_limit={'type': 'boolean'})}

TARGET = {'type': 'string', 'minLength': 1, 'maxLength': 64, 'format': 'name'}
RBAC_CREATE = _obj({'object_type': {'type': 'string',
                                    'enum': ['network', 'subnetpool', 'address_scope']},
                    'object_id': ID,
                    'action': {'type': 'string',
                               'enum': ['access_as_shared', 'access_as_external']},
                    'target_tenant': TARGET},
                   required=('object_type', 'object_id', 'action', 'target_tenant'))
RBAC_UPDATE = _obj({'target_tenant': TARGET}, extra_owned=False)

# Neutron converts these to integers: clients send "24" as readily as 24.
PREFIXLEN = {'type': ['integer', 'string'], 'minimum': 0, 'maximum': 128,
             'pattern': '^[0-9]{1,3}$'}
SUBNETPOOL_COMMON = {
    'name': NAME, 'description': DESC, 'is_default': BOOL,
    'prefixes': {'type': 'array', 'minItems': 1, 'maxItems': 1000, 'items': IP},
    'default_prefixlen': PREFIXLEN, 'min_prefixlen': PREFIXLEN, 'max_prefixlen': PREFIXLEN,
    'default_quota': {'type': ['integer', 'string', 'null'], 'minimum': 0,
                      'maximum': 2 ** 31 - 1, 'pattern': '^[0-9]{1,10}$'},
    'address_scope_id': NULL_ID,
}
SUBNETPOOL_CREATE = _obj(dict(SUBNETPOOL_COMMON, shared=BOOL,
                              ip_version={'type': 'integer', 'enum': [4, 6]}),
                         required=('prefixes',))
SUBNETPOOL_UPDATE = _obj(SUBNETPOOL_COMMON, extra_owned=False)
ADDRESS_SCOPE_CREATE = _obj({'name': NAME, 'shared': BOOL,
                             'ip_version': {'type': 'integer', 'enum': [4, 6]}},
                            required=('ip_version',))
ADDRESS_SCOPE_UPDATE = _obj({'name': NAME, 'shared': BOOL}, extra_owned=False)

QOS_POLICY_CREATE = _obj({'name': NAME, 'description': DESC, 'shared': BOOL,
                          'is_default': {'enum': [False]}})
QOS_POLICY_UPDATE = _obj({'name': NAME, 'description': DESC, 'shared': BOOL,
                          'is_default': {'enum': [False]}}, extra_owned=False)
KBPS = {'type': 'integer', 'minimum': 0, 'maximum': 2 ** 31 - 1}
QOS_BW_CREATE = _obj({'max_kbps': KBPS, 'max_burst_kbps': KBPS,
                      'direction': {'type': 'string', 'enum': ['ingress', 'egress']}},
                     required=('max_kbps',), extra_owned=False)
QOS_BW_UPDATE = _obj({'max_kbps': KBPS, 'max_burst_kbps': KBPS,
                      'direction': {'type': 'string', 'enum': ['ingress', 'egress']}},
                     extra_owned=False)
QOS_DSCP = _obj({'dscp_mark': {'type': 'integer', 'minimum': 0, 'maximum': 56}},
                extra_owned=False)

# flavors: service_type is checked against the service providers in the plugin.
FLAVOR_COMMON = {'name': NAME, 'description': DESC, 'enabled': BOOL}
FLAVOR_CREATE = _obj(dict(FLAVOR_COMMON, service_type={
    'type': 'string', 'minLength': 1, 'maxLength': 36, 'format': 'name'}),
    required=('service_type',))
FLAVOR_UPDATE = _obj(FLAVOR_COMMON, extra_owned=False)
PROFILE_COMMON = {'description': DESC, 'enabled': BOOL,
                  'driver': {'type': 'string', 'maxLength': 1024, 'format': 'name'},
                  'metainfo': {'type': 'string', 'maxLength': 4096, 'format': 'text'}}
PROFILE_CREATE = _obj(PROFILE_COMMON)
PROFILE_UPDATE = _obj(PROFILE_COMMON, extra_owned=False)
FLAVOR_PROFILE_BINDING = _obj({'id': ID}, required=('id',), extra_owned=False)

# trunk: VLAN subports only (this cloud's one segmentation type).
SUBPORT = {'type': 'object', 'additionalProperties': False,
           'required': ['port_id', 'segmentation_type', 'segmentation_id'],
           'properties': {'port_id': ID, 'segmentation_type': {'enum': ['vlan']},
                          'segmentation_id': {'type': 'integer', 'minimum': 1,
                                              'maximum': 4094}}}
SUBPORT_REF = {'type': 'object', 'additionalProperties': False, 'required': ['port_id'],
               'properties': {'port_id': ID}}
TRUNK_COMMON = {'name': NAME, 'description': DESC, 'admin_state_up': BOOL}
TRUNK_CREATE = _obj(dict(TRUNK_COMMON, port_id=ID, sub_ports={
    'type': 'array', 'maxItems': 4094, 'items': SUBPORT}), required=('port_id',))
TRUNK_UPDATE = _obj(TRUNK_COMMON, extra_owned=False)
ADD_SUBPORTS = _obj({'sub_ports': {'type': 'array', 'maxItems': 4094, 'items': SUBPORT}},
                    required=('sub_ports',), extra_owned=False)
REMOVE_SUBPORTS = _obj({'sub_ports': {'type': 'array', 'maxItems': 4094,
                                      'items': SUBPORT_REF}},
                       required=('sub_ports',), extra_owned=False)

# address-group: each address is parsed by common.validators in the plugin.
ADDRESSES = {'type': 'array', 'maxItems': 1000, 'items': IP}
ADDRESS_GROUP_CREATE = _obj({'name': NAME, 'description': DESC, 'addresses': ADDRESSES})
ADDRESS_GROUP_UPDATE = _obj({'name': NAME, 'description': DESC}, extra_owned=False)
ADDRESS_GROUP_ADDRESSES = _obj({'addresses': ADDRESSES}, required=('addresses',),
                               extra_owned=False)


def scheduling_body(key):
    """``{"network_id": ...}`` / ``{"router_id": ...}`` of adding one to an agent."""
    return _obj({key: ID}, required=(key,), extra_owned=False)


# floating-ip-port-forwarding: TCP/UDP ports 1-65535 (digit strings are converted first).
PORT_NUMBER = {'type': 'integer', 'minimum': 1, 'maximum': 65535}
PF_COMMON = {'internal_port_id': ID, 'internal_ip_address': IP,
             'internal_port': PORT_NUMBER, 'external_port': PORT_NUMBER,
             'protocol': {'type': 'string', 'enum': ['tcp', 'udp']},
             'description': {'type': ['string', 'null'], 'maxLength': 255, 'format': 'text'}}
PF_CREATE = _obj(PF_COMMON, required=('internal_port_id', 'internal_port', 'external_port',
                                      'protocol'))
PF_UPDATE = _obj(PF_COMMON, extra_owned=False)

# metering (admin only): labels and the rules of what they count.
METERING_LABEL_CREATE = _obj({'name': NAME, 'description': DESC, 'shared': BOOL})
# Neither labels nor rules have attributes that change after creation.
METERING_LABEL_UPDATE = _obj({}, extra_owned=False)
PREFIX = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 64}
METERING_RULE_CREATE = _obj({'metering_label_id': ID,
                             'direction': {'type': 'string', 'enum': ['ingress', 'egress']},
                             'remote_ip_prefix': PREFIX, 'source_ip_prefix': PREFIX,
                             'destination_ip_prefix': PREFIX, 'excluded': BOOL},
                            required=('metering_label_id', 'direction'))
METERING_RULE_UPDATE = _obj({}, extra_owned=False)
