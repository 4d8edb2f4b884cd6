"""Errors of the network API, rendered as Neutron faults (``type`` names clients parse)."""
from common import exceptions as exc
from common.db import query


def _make(base, type_name):
    class _Fault(base):
        def __init__(self, message):
            super().__init__(message, type=type_name)
    _Fault.__name__ = type_name
    return _Fault


InvalidInput = _make(exc.BadRequest, 'InvalidInput')
BadRequest = _make(exc.BadRequest, 'BadRequest')
InvalidIpForSubnet = _make(exc.BadRequest, 'InvalidIpForSubnet')
InvalidIpForNetwork = _make(exc.BadRequest, 'InvalidIpForNetwork')
OutOfBoundsAllocationPool = _make(exc.BadRequest, 'OutOfBoundsAllocationPool')
InvalidAllocationPool = _make(exc.BadRequest, 'InvalidAllocationPool')
InvalidCIDR = _make(exc.BadRequest, 'InvalidCIDR')
InvalidSharedSetting = _make(exc.Conflict, 'InvalidSharedSetting')
PolicyNotAuthorized = _make(exc.Forbidden, 'PolicyNotAuthorized')

NotFound = _make(exc.NotFound, 'NotFound')
NetworkNotFound = _make(exc.NotFound, 'NetworkNotFound')
SubnetNotFound = _make(exc.NotFound, 'SubnetNotFound')
PortNotFound = _make(exc.NotFound, 'PortNotFound')
RouterNotFound = _make(exc.NotFound, 'RouterNotFound')
FloatingIPNotFound = _make(exc.NotFound, 'FloatingIPNotFound')
SecurityGroupNotFound = _make(exc.NotFound, 'SecurityGroupNotFound')
SecurityGroupRuleNotFound = _make(exc.NotFound, 'SecurityGroupRuleNotFound')
AgentNotFound = _make(exc.NotFound, 'AgentNotFound')
TagNotFound = _make(exc.NotFound, 'TagNotFound')
RbacPolicyNotFound = _make(exc.NotFound, 'RbacPolicyNotFound')
AddressScopeNotFound = _make(exc.NotFound, 'AddressScopeNotFound')
SubnetPoolNotFound = _make(exc.NotFound, 'SubnetPoolNotFound')
QosPolicyNotFound = _make(exc.NotFound, 'QosPolicyNotFound')
QosRuleNotFound = _make(exc.NotFound, 'QosRuleNotFound')
FlavorNotFound = _make(exc.NotFound, 'FlavorNotFound')
TrunkNotFound = _make(exc.NotFound, 'TrunkNotFound')
SubPortNotFound = _make(exc.NotFound, 'SubPortNotFound')
InvalidDHCPAgent = _make(exc.NotFound, 'InvalidDHCPAgent')
InvalidL3Agent = _make(exc.NotFound, 'InvalidL3Agent')
NetworkNotHostedByDhcpAgent = _make(exc.NotFound, 'NetworkNotHostedByDhcpAgent')
RouterNotHostedByL3Agent = _make(exc.NotFound, 'RouterNotHostedByL3Agent')
AvailabilityZoneNotFound = _make(exc.NotFound, 'AvailabilityZoneNotFound')
AddressGroupNotFound = _make(exc.NotFound, 'AddressGroupNotFound')
AddressesNotFound = _make(exc.NotFound, 'AddressesNotFound')
AddressesAlreadyExist = _make(exc.BadRequest, 'AddressesAlreadyExist')
ServiceProfileNotFound = _make(exc.NotFound, 'ServiceProfileNotFound')
FlavorServiceProfileBindingNotFound = _make(exc.NotFound,
                                            'FlavorServiceProfileBindingNotFound')
InvalidFlavorServiceType = _make(exc.BadRequest, 'InvalidFlavorServiceType')
ServiceProfileEmpty = _make(exc.BadRequest, 'ServiceProfileEmpty')
RouterInterfaceNotFound = _make(exc.NotFound, 'RouterInterfaceNotFound')
RouterInterfaceNotFoundForSubnet = _make(exc.NotFound, 'RouterInterfaceNotFoundForSubnet')
ExternalGatewayForFloatingIPNotFound = _make(exc.NotFound,
                                             'ExternalGatewayForFloatingIPNotFound')
ExternalNetworkNotFound = _make(exc.BadRequest, 'BadRequest')

Conflict = _make(exc.Conflict, 'Conflict')
NetworkInUse = _make(exc.Conflict, 'NetworkInUse')
SubnetInUse = _make(exc.Conflict, 'SubnetInUse')
PortInUse = _make(exc.Conflict, 'PortInUse')
RouterInUse = _make(exc.Conflict, 'RouterInUse')
RouterInterfaceInUseByFloatingIP = _make(exc.Conflict, 'RouterInterfaceInUseByFloatingIP')
RouterExternalGatewayInUseByFloatingIp = _make(exc.Conflict,
                                               'RouterExternalGatewayInUseByFloatingIp')
SecurityGroupInUse = _make(exc.Conflict, 'SecurityGroupInUse')
SecurityGroupRuleExists = _make(exc.Conflict, 'SecurityGroupRuleExists')
SecurityGroupCannotRemoveDefault = _make(exc.Conflict, 'SecurityGroupCannotRemoveDefault')
IpAddressAlreadyAllocated = _make(exc.Conflict, 'IpAddressAlreadyAllocated')
IpAddressGenerationFailure = _make(exc.Conflict, 'IpAddressGenerationFailure')
MacAddressInUse = _make(exc.Conflict, 'MacAddressInUse')
MacAddressGenerationFailure = _make(exc.ServiceUnavailable, 'MacAddressGenerationFailure')
OverlappingAllocationPools = _make(exc.Conflict, 'OverlappingAllocationPools')
GatewayConflictWithAllocationPools = _make(exc.Conflict, 'GatewayConflictWithAllocationPools')
FloatingIPPortAlreadyAssociated = _make(exc.Conflict, 'FloatingIPPortAlreadyAssociated')
NoNetworkAvailable = _make(exc.ServiceUnavailable, 'NoNetworkAvailable')
NoFreeSegment = _make(exc.Conflict, 'NoNetworkAvailable')
SegmentInUse = _make(exc.Conflict, 'VlanIdInUse')
DefaultExternalNetworkExists = _make(exc.Conflict, 'DefaultExternalNetworkExists')
AddressScopeInUse = _make(exc.Conflict, 'AddressScopeInUse')
NetworkHostedByDHCPAgent = _make(exc.Conflict, 'NetworkHostedByDHCPAgent')
RouterHostedByL3Agent = _make(exc.Conflict, 'RouterHostedByL3Agent')
AutoAllocationFailure = _make(exc.Conflict, 'AutoAllocationFailure')
AddressGroupInUse = _make(exc.Conflict, 'AddressGroupInUse')
AddressScopePrefixConflict = _make(exc.Conflict, 'AddressScopePrefixConflict')
SubnetPoolInUse = _make(exc.Conflict, 'SubnetPoolInUse')
SubnetAllocationError = _make(exc.Conflict, 'SubnetAllocationError')
SubnetPoolQuotaExceeded = _make(exc.Conflict, 'SubnetPoolQuotaExceeded')
QosPolicyInUse = _make(exc.Conflict, 'QosPolicyInUse')
QoSRulesConflict = _make(exc.Conflict, 'QoSRulesConflict')
RbacPolicyInUse = _make(exc.Conflict, 'RbacPolicyInUse')
DuplicateRbacPolicy = _make(exc.Conflict, 'DuplicateRbacPolicy')
OverQuota = _make(exc.Conflict, 'OverQuota')
ServiceProfileInUse = _make(exc.Conflict, 'ServiceProfileInUse')
TrunkPortInUse = _make(exc.Conflict, 'TrunkPortInUse')
PortInUseAsTrunkParent = _make(exc.Conflict, 'PortInUseAsTrunkParent')
PortInUseAsSubPort = _make(exc.Conflict, 'PortInUseAsSubPort')
DuplicateSubPort = _make(exc.Conflict, 'DuplicateSubPort')
FlavorServiceProfileBindingExists = _make(exc.Conflict, 'FlavorServiceProfileBindingExists')
FipInUseByPortForwarding = _make(exc.Conflict, 'FipInUseByPortForwarding')
FipInUseByPortAssociation = _make(exc.Conflict, 'FipInUseByPortAssociation')
PortHasBindingFloatingIP = _make(exc.Conflict, 'PortHasBindingFloatingIP')
MeteringLabelNotFound = _make(exc.NotFound, 'MeteringLabelNotFound')
MeteringLabelRuleNotFound = _make(exc.NotFound, 'MeteringLabelRuleNotFound')
MeteringLabelRuleOverlaps = _make(exc.Conflict, 'MeteringLabelRuleOverlaps')

# A write lost a race (duplicate key, lock); the whole transaction is run again.
RetryRequest = query.RetryRequest
# The fault types list queries and retried transactions raise.
QUERY_ERRORS = query.Errors(invalid_input=InvalidInput, bad_request=BadRequest,
                            conflict=Conflict)
