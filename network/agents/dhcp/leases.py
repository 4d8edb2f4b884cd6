"""Which of dnsmasq's leases must be released when a network's host list changes (pure logic).

dnsmasq keeps a lease for its full lease time (a day by default) after the port behind it
is gone, and will not hand a leased address to another MAC before then: a server booted
with a deleted server's fixed IP but a new port (new MAC) would get no address. So, as
Neutron does, the DHCP agent releases every lease that no longer matches a host binding:
the port was deleted, or its MAC or address changed.

dnsmasq's lease file holds one lease a line:
- IPv4: ``expiry mac ip hostname client-id`` (``*`` when the client sent no client id);
- after a ``duid SERVER-DUID`` line, IPv6: ``expiry iaid ip hostname client-duid``.
A lease file is written by dnsmasq, but hostnames and client ids come from guests, so every
value is parsed strictly and a line that does not parse is skipped (it is never passed on
to a command).
"""
import collections
import logging
import re

from common import validators

LOG = logging.getLogger(__name__)

# dnsmasq writes client ids and DUIDs as colon-separated hex bytes.
_HEX_ID = re.compile(r'\A[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){0,127}\Z')
# IAIDs are unsigned 32-bit decimals, 'T'-prefixed for temporary addresses.
_IAID = re.compile(r'\AT?[0-9]{1,10}\Z')

Lease = collections.namedtuple('Lease', 'ip mac client_id iaid line')
"""One lease: ``ip`` canonical; IPv4 leases have ``mac`` (lower case), IPv6 ones ``iaid``;
``client_id`` is the client id or client DUID, or None; ``line`` the line in the file."""

LeaseFile = collections.namedtuple('LeaseFile', 'v4 v6 server_duid')


def _hex_id(value):
    return value if value != '*' and _HEX_ID.match(value) else None


def parse(text):
    """A LeaseFile of the well-formed leases in ``text`` (dnsmasq's lease file)."""
    v4, v6, server_duid = [], [], None
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[0] == 'duid':
            server_duid = _hex_id(fields[1])
            continue
        if len(fields) != 5:
            continue
        _expiry, who, ip_text, _hostname, client = fields
        try:
            ip = validators.ip_address(ip_text)
        except validators.InvalidValue:
            continue
        if ip.version == 4:
            try:
                mac = validators.mac_address(who)
            except validators.InvalidValue:
                continue
            v4.append(Lease(str(ip), mac, _hex_id(client), None, line))
        elif _IAID.match(who) and _hex_id(client):
            v6.append(Lease(str(ip), None, _hex_id(client), who, line))
    return LeaseFile(v4, v6, server_duid)


def parse_hosts(text):
    """The (mac, ip) bindings of a dhcp-hostsfile as the agent writes it (``mac,name,ip``)."""
    bindings = set()
    for line in text.splitlines():
        fields = line.split(',')
        if len(fields) != 3:
            continue
        try:
            mac = validators.mac_address(fields[0])
            ip = validators.ip_address(fields[2].strip('[]'))
        except validators.InvalidValue:
            continue
        bindings.add((mac, str(ip)))
    return bindings


def stale(lease_file, old_bindings, new_bindings):
    """The leases of ``lease_file`` to release once the host list is ``new_bindings``.

    Bindings are sets of (mac, ip). An IPv4 lease is stale unless its own (mac, ip) is
    still bound. An IPv6 lease names no MAC, so it is stale when its address is no longer
    bound at all, or when its address left ``old_bindings`` (the previous host list): the
    port behind it was replaced or changed its MAC.
    """
    new_bindings = {(mac, str(ip)) for mac, ip in new_bindings}
    new_ips = {ip for _mac, ip in new_bindings}
    moved = {ip for _mac, ip in set(old_bindings) - new_bindings}
    out = [lease for lease in lease_file.v4 if (lease.mac, lease.ip) not in new_bindings]
    out += [lease for lease in lease_file.v6 if lease.ip not in new_ips or lease.ip in moved]
    return out


def without(text, leases):
    """``text`` (a lease file) without the lines of ``leases``."""
    drop = {lease.line for lease in leases}
    kept = [line for line in text.splitlines() if line not in drop]
    return '\n'.join(kept) + ('\n' if kept else '')


def release_command(lease, interface, server_duid=None):
    """The dhcp_release / dhcp_release6 (dnsmasq-utils) argv that releases ``lease``, sent
    from the DHCP namespace through ``interface``; None for an IPv6 lease without the
    server DUID the release must name."""
    if lease.mac is not None:
        cmd = ['dhcp_release', interface, lease.ip, lease.mac]
        return cmd + [lease.client_id] if lease.client_id else cmd
    if not server_duid:
        return None
    return ['dhcp_release6', '--iface', interface, '--ip', lease.ip, '--iaid',
            lease.iaid.lstrip('T'), '--client-id', lease.client_id, '--server-id', server_duid]
