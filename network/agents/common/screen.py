"""The agents' last check of tenant values before they become host rules and files.

The API validates every address, CIDR and MAC with ``common.validators``; the agents do it
again here, so a value that slipped past an API (or was stored before a check existed)
never reaches iptables-restore, ipset, ebtables or a dnsmasq file. ``screen_state`` parses
every value of the desired state strictly and returns a copy holding only good values in
their canonical spelling: an item with a bad value (a fixed IP, an address pair, a DNS
server, a security group rule, a port, a subnet...) is logged and left out whole, which
only ever takes something away (the firewall's default is to drop). ``safe_lines`` is the
same refusal at the very end, for each line an agent is about to write.
"""
import logging
import re

from common import validators

LOG = logging.getLogger(__name__)

# Linux interface names: at most 15 characters, no separators.
_IFNAME = re.compile(r'\A[A-Za-z0-9_.-]{1,15}\Z')
# A protocol name or number as security group rules store them.
_PROTOCOL = re.compile(r'\A[a-z0-9-]{1,16}\Z')


class _Bad(Exception):
    def __init__(self, key, reason):
        super().__init__('%s: %s' % (key, reason))


def _pattern(regex, what):
    def check(value, field):
        if not isinstance(value, str) or not regex.match(value):
            raise validators.InvalidValue(field, value, 'is not %s' % what)
        return value
    return check


def _integer(value, field):
    if isinstance(value, bool) or not isinstance(value, int):
        raise validators.InvalidValue(field, value, 'is not an integer')
    return value


def _address(value, field):
    return str(validators.ip_address(value, field))


def _network(value, field):
    return str(validators.ip_network(value, field))


def _dhcp_option_name(value, field):
    # The writer checks the name again against the option's own IP version.
    try:
        return validators.dhcp_option_name(value, field, 4)
    except validators.InvalidValue:
        return validators.dhcp_option_name(value, field, 6)


def _dns_name(value, field):
    return validators.dns_label(value, field) if value != '' else value


# How each key of the state is parsed; None values pass (optional attributes).
CHECKS = {
    'id': validators.uuid, 'network_id': validators.uuid, 'subnet_id': validators.uuid,
    'port_id': validators.uuid, 'remote_group_id': validators.uuid,
    'remote_address_group_id': validators.uuid,
    'mac_address': validators.mac_address,
    # Fixed IPs are addresses; allowed address pairs may be networks.
    'ip_address': validators.ip_address_or_network,
    'gateway_ip': _address, 'floating_ip_address': _address, 'fixed_ip_address': _address,
    'nexthop': _address, 'start': _address, 'end': _address,
    'cidr': _network, 'destination': _network, 'remote_ip_prefix': _network,
    'tap_name': _pattern(_IFNAME, 'an interface name'),
    'protocol': _pattern(_PROTOCOL, 'a protocol'),
    'port_range_min': _integer, 'port_range_max': _integer, 'mtu': _integer,
    'segmentation_id': _integer, 'ip_version': _integer,
    'max_kbps': _integer, 'max_burst_kbps': _integer, 'dscp_mark': _integer,
    # A bad extra DHCP option is left out alone (an element of extra_dhcp_opts); a bad
    # dns_name leaves its port out.
    'opt_name': _dhcp_option_name, 'opt_value': validators.dhcp_option_value,
    'dns_name': _dns_name,
    # port forwardings and metering rules (the L3 agent)
    'internal_ip_address': _address, 'internal_port': _integer, 'external_port': _integer,
    'source_ip_prefix': _network, 'destination_ip_prefix': _network,
}
# Lists of plain strings, each element parsed (a bad one is left out alone).
ELEMENT_CHECKS = {'dns_nameservers': _address, 'remote_ips': validators.ip_address_or_network}


def _clean(value, key):
    """``value`` with bad list elements left out; raises _Bad when ``value`` itself (or a
    value inside it that is not in a list) cannot be rendered."""
    if isinstance(value, dict):
        return {k: _clean_entry(k, v) for k, v in value.items()}
    if isinstance(value, list):
        kept = []
        for index, item in enumerate(value):
            try:
                if key in ELEMENT_CHECKS:
                    kept.append(ELEMENT_CHECKS[key](item, key))
                else:
                    kept.append(_clean(item, key))
            except _Bad as exc:
                LOG.error('refusing to render %s[%d] (%s): %s', key, index, _describe(item),
                          exc)
            except validators.InvalidValue as exc:
                LOG.error('refusing to render %s[%d]: %s', key, index, exc.problem)
        return kept
    if isinstance(value, str) and validators.has_control(value):
        raise _Bad(key, '%s contains a control character' % validators.quote(value))
    return value


def _clean_entry(key, value):
    check = CHECKS.get(key)
    if check is None or value is None:
        return _clean(value, key)
    try:
        return check(value, key)
    except validators.InvalidValue as exc:
        raise _Bad(key, exc.problem) from None


def _describe(item):
    if isinstance(item, dict) and isinstance(item.get('id'), str):
        return 'id %s' % validators.quote(item['id'])
    return validators.quote(item)


def screen_state(state):
    """A copy of an agent's desired ``state`` holding only values that parse strictly, in
    their canonical form. The host's own ports that are left out are listed in
    ``skipped_ports`` (by id, when that is good) so the bridge agent can keep their taps
    down rather than leave them unfiltered."""
    cleaned, skipped = {}, []
    for key, value in (state or {}).items():
        if key != 'ports' or not isinstance(value, list):
            cleaned[key] = _clean_entry(key, value)
            continue
        cleaned[key] = []
        for port in value:
            try:
                cleaned[key].append(_clean(port, 'port'))
            except _Bad as exc:
                LOG.error('refusing to render port (%s): %s', _describe(port), exc)
                port_id = port.get('id') if isinstance(port, dict) else None
                try:
                    skipped.append(validators.uuid(port_id))
                except validators.InvalidValue:
                    pass
    if skipped:
        cleaned['skipped_ports'] = skipped
    return cleaned


def safe_lines(lines, where):
    """``lines`` without those holding a control character (a newline would start another
    rule or option); each one left out is logged."""
    kept = []
    for line in lines:
        if validators.has_control(line):
            LOG.error('refusing to write a line with a control character to %s: %s',
                      where, validators.quote(line))
        else:
            kept.append(line)
    return kept
