"""Links, addresses, routes and sysctls via iproute2 (JSON output)."""
import ipaddress
import json

from common.execute import CommandError
from common.execute import execute


def _ip(args, namespace=None, check=True):
    return execute(['ip'] + list(args), namespace=namespace, check=check)


def _json(args, namespace=None):
    out = _ip(['-j'] + list(args), namespace=namespace)
    return json.loads(out) if out.strip() else []


def link_info(name, namespace=None):
    """The ``ip -j -d link show`` dict of ``name`` or None if absent."""
    try:
        found = _json(['-d', 'link', 'show', 'dev', name], namespace)
    except CommandError:
        return None
    return found[0] if found else None


def link_exists(name, namespace=None):
    return link_info(name, namespace) is not None


def list_links(namespace=None):
    return _json(['-d', 'link', 'show'], namespace)


def master_of(name, namespace=None):
    info = link_info(name, namespace)
    return info.get('master') if info else None


def set_up(name, namespace=None):
    _ip(['link', 'set', 'dev', name, 'up'], namespace)


def set_down(name, namespace=None):
    _ip(['link', 'set', 'dev', name, 'down'], namespace)


def set_mtu(name, mtu, namespace=None):
    if mtu:
        _ip(['link', 'set', 'dev', name, 'mtu', mtu], namespace)


def set_mac(name, mac, namespace=None):
    info = link_info(name, namespace)
    if info and info.get('address', '').lower() != mac.lower():
        _ip(['link', 'set', 'dev', name, 'address', mac], namespace)


def set_master(name, master):
    _ip(['link', 'set', 'dev', name, 'master', master])


def delete_link(name, namespace=None):
    _ip(['link', 'delete', 'dev', name], namespace, check=False)


def add_tap(name):
    _ip(['tuntap', 'add', 'dev', name, 'mode', 'tap'])


def add_vlan(parent, name, vlan_id):
    _ip(['link', 'add', 'link', parent, 'name', name, 'type', 'vlan', 'id', vlan_id])


def ensure_veth(host_name, ns_name, namespace, mac=None, mtu=None, up=True):
    """A veth pair: ``host_name`` in the root namespace, ``ns_name`` inside ``namespace``;
    the namespace end is down when not ``up`` (an administratively disabled router)."""
    if not link_exists(ns_name, namespace):
        # A half-torn pair (host end left over) would make ``link add`` fail.
        delete_link(host_name)
        _ip(['link', 'add', host_name, 'type', 'veth', 'peer', 'name', ns_name,
             'netns', namespace])
    if mac:
        set_mac(ns_name, mac, namespace)
    for dev, ns in ((host_name, None), (ns_name, namespace)):
        set_mtu(dev, mtu, ns)
    set_up(host_name)
    (set_up if up else set_down)(ns_name, namespace)


def list_addresses(name, namespace=None, scope_global=True):
    """CIDR strings configured on ``name`` (global scope unless told otherwise)."""
    found = _json(['addr', 'show', 'dev', name], namespace)
    result = []
    for link in found:
        for addr in link.get('addr_info', []):
            if scope_global and addr.get('scope') not in ('global', None):
                continue
            result.append('%s/%s' % (addr['local'], addr['prefixlen']))
    return result


def sync_addresses(name, cidrs, namespace=None):
    """Make the global addresses of ``name`` exactly ``cidrs``; return the ones added."""
    want = {str(ipaddress.ip_interface(c)) for c in cidrs}
    have = {str(ipaddress.ip_interface(c)) for c in list_addresses(name, namespace)}
    for cidr in sorted(have - want):
        _ip(['addr', 'del', cidr, 'dev', name], namespace, check=False)
    added = sorted(want - have)
    for cidr in added:
        _ip(['addr', 'add', cidr, 'dev', name], namespace)
    return added


def list_routes(namespace=None, family=4):
    return _json(['-%d' % family, 'route', 'show'], namespace)


def replace_route(destination, via=None, dev=None, namespace=None):
    family = ipaddress.ip_network(destination if destination != 'default' else '0.0.0.0/0')
    args = ['-%d' % family.version, 'route', 'replace', destination]
    if via:
        args += ['via', via]
    if dev:
        args += ['dev', dev]
    _ip(args, namespace)


def delete_route(destination, namespace=None, family=4):
    _ip(['-%d' % family, 'route', 'del', destination], namespace, check=False)


def sysctl(key, value, namespace=None):
    execute(['sysctl', '-q', '-w', '%s=%s' % (key, value)], namespace=namespace)
