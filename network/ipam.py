"""Address management: CIDR, pool and address checks, and picking free addresses.

Uniqueness is not decided here but by the database: ``ip_allocations`` has the primary
key (network_id, ip_address), so two processes choosing the same address make one
insert fail and that request is retried (``network.db.retry``).  Choosing among several
free candidates at random keeps such collisions rare under concurrency.
"""
import contextlib
import ipaddress
import random

from common import validators
from network import exceptions as nexc

CANDIDATES = 32


@contextlib.contextmanager
def invalid_input():
    """Turn a failed common validator into the network API's InvalidInput fault."""
    try:
        yield
    except validators.InvalidValue as exc:
        raise nexc.InvalidInput(exc.message) from None


def parse_ip(value, field='ip_address'):
    """An address (``ipaddress`` object, canonical when printed); no scope suffix."""
    with invalid_input():
        return validators.ip_address(value, field)


def parse_cidr(value, field='cidr'):
    """An ip_network; host bits set is a 400 that names the proper network address."""
    with invalid_input():
        return validators.ip_network(value, field, strict=True)


def parse_prefix(value, field):
    """A network whose host bits are cleared (security group remote prefixes)."""
    with invalid_input():
        return validators.ip_network(value, field)


def parse_mac(value, field='mac_address'):
    """A MAC address in Neutron's rule, as lower-case colon-separated text."""
    with invalid_input():
        return validators.mac_address(value, field)


def parse_ip_or_cidr(value, field):
    """An address or a network, as canonical text (allowed address pairs)."""
    with invalid_input():
        return validators.ip_address_or_network(value, field)


def first_host(net):
    if net.num_addresses <= 2:
        return net[0]
    return net[1]


def host_range(net):
    """(first, last) usable host addresses as ints: IPv4 skips network and broadcast."""
    if net.num_addresses == 1:
        return int(net[0]), int(net[0])
    if net.version == 4 and net.num_addresses > 2:
        return int(net[1]), int(net[-2])
    if net.version == 6:
        return int(net[1]), int(net[-1])
    return int(net[0]), int(net[-1])


def default_pools(net, gateway):
    """The whole host range minus the gateway, as [(first, last)] ints."""
    first, last = host_range(net)
    ranges = [(first, last)]
    if gateway is not None:
        gw = int(gateway)
        ranges = []
        if first <= gw - 1:
            ranges.append((first, min(last, gw - 1)))
        if gw + 1 <= last:
            ranges.append((max(first, gw + 1), last))
    return ranges


def pools_to_api(ranges, version):
    cls = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    return [{'start': str(cls(a)), 'end': str(cls(b))} for a, b in ranges]


def pools_from_api(net, pools):
    """Validate user pools against ``net``: well formed, inside, ordered, not overlapping."""
    ranges = []
    for pool in pools:
        start = parse_ip(pool.get('start'), 'allocation_pools start')
        end = parse_ip(pool.get('end'), 'allocation_pools end')
        if start.version != net.version or end.version != net.version:
            raise nexc.InvalidAllocationPool(
                'The allocation pool %s-%s is not of the subnet\'s IP version.' % (start, end))
        if start > end:
            raise nexc.InvalidAllocationPool(
                'The allocation pool %s-%s spans no addresses: start is after end.'
                % (start, end))
        if start not in net or end not in net:
            raise nexc.OutOfBoundsAllocationPool(
                'The allocation pool %s-%s spans beyond the subnet cidr %s.' % (start, end, net))
        ranges.append((int(start), int(end)))
    ordered = sorted(ranges)
    for (a1, b1), (a2, b2) in zip(ordered, ordered[1:]):
        if a2 <= b1:
            raise nexc.OverlappingAllocationPools(
                'Found overlapping allocation pools: %s and %s for subnet %s.'
                % (pools_to_api([(a1, b1)], net.version)[0],
                   pools_to_api([(a2, b2)], net.version)[0], net))
    return ordered


def check_gateway(net, gateway, ranges):
    if gateway is None:
        return
    if gateway not in net:
        raise nexc.InvalidInput('Gateway IP %s is not inside the subnet %s.' % (gateway, net))
    if net.version == 4 and net.num_addresses > 2 and gateway in (net[0], net[-1]):
        raise nexc.InvalidInput('Gateway IP %s is the network or broadcast address of %s.'
                                % (gateway, net))
    gw = int(gateway)
    for a, b in ranges:
        if a <= gw <= b:
            raise nexc.GatewayConflictWithAllocationPools(
                'Gateway ip %s conflicts with allocation pool %s-%s.'
                % (gateway, pools_to_api([(a, b)], net.version)[0]['start'],
                   pools_to_api([(a, b)], net.version)[0]['end']))


def in_pools(ip, ranges):
    value = int(ip)
    return any(a <= value <= b for a, b in ranges)


def pick_free(ranges, used, version):
    """A random address among the first free ones of ``ranges``; None when all are used."""
    found = []
    for a, b in ranges:
        value = a
        while value <= b and len(found) < CANDIDATES:
            if value not in used:
                found.append(value)
            value += 1
        if len(found) >= CANDIDATES:
            break
    if not found:
        return None
    cls = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    return str(cls(random.choice(found)))


PROBES = 8


def random_probes(ranges, count=PROBES):
    """``count`` random addresses (ints) of ``ranges``, each range weighted by its size."""
    sizes = [b - a + 1 for a, b in ranges]
    total = sum(sizes)
    for _ in range(count if total else 0):
        offset = random.randrange(total)
        for (first, _last), size in zip(ranges, sizes):
            if offset < size:
                yield first + offset
                break
            offset -= size


def eui64(net, mac):
    """The SLAAC address of ``mac`` in the /64 ``net``."""
    octets = [int(x, 16) for x in mac.split(':')]
    octets[0] ^= 0x02
    iid = octets[:3] + [0xff, 0xfe] + octets[3:]
    value = 0
    for octet in iid:
        value = (value << 8) | octet
    return str(ipaddress.IPv6Address(int(net.network_address) | value))


def is_auto_address(subnet):
    """IPv6 subnets whose addresses come from SLAAC, not from the pools."""
    return subnet['ip_version'] == 6 and subnet.get('ipv6_address_mode') in (
        'slaac', 'dhcpv6-stateless')


def random_mac(base_mac):
    """A MAC from ``base_mac``: the first three octets kept, 00 octets after them random."""
    parts = base_mac.lower().split(':')
    out = []
    for index, part in enumerate(parts):
        if index >= 3 and part == '00':
            out.append('%02x' % random.randint(0, 255))
        else:
            out.append(part)
    return ':'.join(out)
