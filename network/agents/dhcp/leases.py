"""Which of dnsmasq's leases must be released when a network's host list changes (pure logic).

dnsmasq keeps a lease for its full lease time (a day by default) after the port behind it
is gone, and will not hand a leased address to another MAC before then: a server booted
with a deleted server's fixed IP but a new port (new MAC) would get no address. So, as
Neutron does, the DHCP agent releases every lease that no longer matches a host binding:
the port was deleted, or its MAC or address changed.

dnsmasq's lease file holds one lease a line:
- IPv4: ``expiry mac ip hostname client-id`` (``*`` when the client sent no client id);
- after a ``duid SERVER-DUID`` line, IPv6: ``expiry iaid ip hostname client-duid``.
A lease file is written by dnsmasq, but hostnames and client ids come from guests, so the
values of a lease are parsed strictly before they reach a command; a lease that does not
parse is dropped from the file instead.
"""
import collections
import re

from common import validators

# dnsmasq writes client ids and DUIDs as colon-separated hex bytes.
_HEX_ID = re.compile(r'\A[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){0,127}\Z')
# IAIDs are unsigned 32-bit decimals, 'T'-prefixed for temporary addresses.
_IAID = re.compile(r'\AT?[0-9]{1,10}\Z')

Lease = collections.namedtuple('Lease', 'ip mac client_id iaid line')
"""One lease as dnsmasq wrote it: IPv4 leases have ``mac``, IPv6 ones ``iaid``;
``client_id`` is the client id or client DUID (``*``: none); ``line`` the line in the file.
Values are compared as they are (dnsmasq and the screened state both spell them
canonically) and checked by ``release_command`` before any reaches a command."""

LeaseFile = collections.namedtuple('LeaseFile', 'v4 v6 server_duid')


def parse(text):
    """A LeaseFile of the lease lines in ``text`` (dnsmasq's lease file).

    Cheap on purpose (no validation): a network of 10,000 ports has as many leases, and
    the file is read at each change of its host list."""
    v4, v6, server_duid = [], [], None
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[0] == 'duid':
            server_duid = fields[1]
        elif len(fields) == 5:
            _expiry, who, ip, _hostname, client = fields
            if ':' in ip:
                v6.append(Lease(ip, None, client, who, line))
            else:
                v4.append(Lease(ip, who.lower(), client, None, line))
    return LeaseFile(v4, v6, server_duid)


def parse_hosts(text):
    """The (mac, ip) bindings of a dhcp-hostsfile as the agent writes it (``mac,name,ip``)."""
    bindings = set()
    for line in text.splitlines():
        fields = line.split(',')
        if len(fields) == 3:
            bindings.add((fields[0], fields[2].strip('[]')))
    return bindings


def stale(lease_file, old_bindings, new_bindings):
    """The leases of ``lease_file`` to release once the host list is ``new_bindings``.

    Bindings are sets of (mac, ip). An IPv4 lease is stale unless its own (mac, ip) is
    still bound. An IPv6 lease names no MAC, so it is stale when its address is no longer
    bound at all, or when its address left ``old_bindings`` (the previous host list): the
    port behind it was replaced or changed its MAC.
    """
    new_ips = {ip for _mac, ip in new_bindings}
    moved = {ip for _mac, ip in set(old_bindings) - set(new_bindings)}
    out = [lease for lease in lease_file.v4 if (lease.mac, lease.ip) not in new_bindings]
    out += [lease for lease in lease_file.v6 if lease.ip not in new_ips or lease.ip in moved]
    return out


def without(text, leases):
    """``text`` (a lease file) without the lines of ``leases``."""
    drop = {lease.line for lease in leases}
    kept = [line for line in text.splitlines() if line not in drop]
    return '\n'.join(kept) + ('\n' if kept else '')


def _hex_id(value):
    """A client id or DUID as dnsmasq writes it (colon-separated hex bytes), else None."""
    return value if _HEX_ID.match(value) else None


def release_command(lease, interface, server_duid=None):
    """The dhcp_release / dhcp_release6 (dnsmasq-utils) argv that releases ``lease``, sent
    from the DHCP namespace through ``interface``; None if a value of the lease (which
    guests influence) or the IPv6 server DUID the release must name does not parse: such
    a lease can only go with its line of the lease file."""
    try:
        ip = validators.ip_address(lease.ip)
        if lease.mac is not None:
            mac = validators.mac_address(lease.mac)
    except validators.InvalidValue:
        return None
    client_id = _hex_id(lease.client_id)
    if ip.version == 4 and lease.mac is not None:
        cmd = ['dhcp_release', interface, str(ip), mac]
        return cmd + [client_id] if client_id else cmd
    if ip.version != 6 or lease.mac is not None or not _IAID.match(lease.iaid) or \
            not client_id or not _hex_id(server_duid or ''):
        return None
    return ['dhcp_release6', '--iface', interface, '--ip', str(ip), '--iaid',
            lease.iaid.lstrip('T'), '--client-id', client_id, '--server-id', server_duid]
