"""One strict validator per kind of value that can reach a host, a header or a terminal.

Every API checks such values here before it stores them, and the network agents and the
compute drivers check them again before they render them into a rule, a config file, a
libvirt document or a command line, so a gap in one API cannot reach the host. Each validator returns the canonical form of a good value (the one that is
stored and compared, so one address has exactly one spelling) or raises ``InvalidValue``,
whose message names the field and quotes at most a short prefix of the value.
"""
import ipaddress
import re

# Longest quote of a bad value in an error message or a log line.
QUOTE_MAX = 40

# C0 and C1 controls, DEL, the Unicode line and paragraph separators, and lone surrogates
# (a JSON "\ud800" escape decodes to one; they cannot be encoded, stored or rendered).
_CONTROL = re.compile('[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]')
# Multi-line text may keep tab, line feed and carriage return.
_CONTROL_MULTILINE = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]')
_SURROGATE = re.compile('[\ud800-\udfff]')
_UUID = re.compile(r'\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-'
                   r'[0-9a-fA-F]{12}\Z')
# The MAC spellings Neutron accepts (netaddr's EUI-48 dialects), each matched whole:
# six groups of 1-2 hex digits (":" or "-"), three of 1-4 (":", "-" or "."), two of six
# (":" or "-"), or twelve digits.
_MAC_FORMATS = [re.compile(r'\A%s\Z' % re.escape(sep).join([group] * count), re.IGNORECASE)
                for group, count, seps in (('([0-9a-f]{1,2})', 6, ':-'),
                                           ('([0-9a-f]{1,4})', 3, ':-.'),
                                           ('([0-9a-f]{6})', 2, ':-'),
                                           ('([0-9a-f]{12})', 1, ' '))
                for sep in seps]
_INVALID_MACS = ('00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff')
# Characters an IP address or CIDR may be written with (no scope suffix: no '%').
_IP_CHARS = re.compile(r'\A[0-9a-fA-F.:/]+\Z')
_IDENTIFIER = re.compile(r'\A[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z')
_IFNAME = re.compile(r'\A[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}\Z')
# RFC 3720 iSCSI qualified names (iqn.) and EUI names; no spaces, quotes or slashes.
_IQN = re.compile(r'\A(iqn\.\d{4}-\d{2}\.[a-z0-9.-]+(:[A-Za-z0-9.:_-]{1,200})?|'
                  r'eui\.[0-9A-Fa-f]{16})\Z')
_HOSTLABEL = re.compile(r'\A(?!-)[A-Za-z0-9-]{1,63}(?<!-)\Z')
_CHAP = re.compile(r'\A[\x21-\x7e]{1,255}\Z')


# The DHCP option names dnsmasq knows (``dnsmasq --help dhcp`` / ``--help dhcp6``): a
# port's extra DHCP option is one of these or a number, nothing dnsmasq would read as a tag,
# a keyword or a second option.
DHCP_OPTION_NAMES = {4: frozenset((
    'netmask', 'time-offset', 'router', 'dns-server', 'log-server', 'lpr-server',
    'boot-file-size', 'domain-name', 'swap-server', 'root-path', 'extension-path',
    'ip-forward-enable', 'non-local-source-routing', 'policy-filter',
    'max-datagram-reassembly', 'default-ttl', 'mtu', 'all-subnets-local',
    'router-discovery', 'router-solicitation', 'static-route', 'trailer-encapsulation',
    'arp-timeout', 'ethernet-encap', 'tcp-ttl', 'tcp-keepalive', 'nis-domain', 'nis-server',
    'ntp-server', 'netbios-ns', 'netbios-dd', 'netbios-nodetype', 'netbios-scope',
    'x-windows-fs', 'x-windows-dm', 't1', 't2', 'vendor-class', 'nis+-domain', 'nis+-server',
    'tftp-server', 'bootfile-name', 'mobile-ip-home', 'smtp-server', 'pop3-server',
    'nntp-server', 'irc-server', 'user-class', 'rapid-commit', 'client-arch',
    'client-interface-id', 'client-machine-id', 'posix-timezone', 'tzdb-timezone',
    'ipv6-only', 'domain-search', 'sip-server', 'classless-static-route', 'vendor-id-encap',
    'tftp-server-address', 'server-ip-address')),
    6: frozenset((
        'sip-server-domain', 'sip-server', 'dns-server', 'domain-search', 'nis-server',
        'nis+-server', 'nis-domain', 'nis+-domain', 'sntp-server', 'information-refresh-time',
        'posix-timezone', 'tzdb-timezone', 'ntp-server', 'bootfile-url', 'bootfile-param'))}
# Highest option code of each protocol (DHCPv4 codes are one octet, 0 and 255 reserved).
_DHCP_OPTION_MAX = {4: 254, 6: 65535}
# One element of an option value: no quote, backslash, space or control character (dnsmasq
# would unquote or split them), no comma (elements are joined with single commas).
_DHCP_VALUE_ITEM = re.compile(r'\A[A-Za-z0-9._:/@+=~\[\]-]{1,255}\Z')
# Words dnsmasq reads as tags or option selectors (``net:`` is the old spelling of
# ``tag:``), refused at the start of an element.
_DHCP_KEYWORDS = ('tag:', 'net:', 'set:', 'encap:', 'vi-encap:', 'vendor:', 'option:',
                  'option6:')
# A DNS label (RFC 1123): letters, digits and inner hyphens, not all digits.
_DNS_LABEL = re.compile(r'\A(?!-)(?![0-9]+\Z)[A-Za-z0-9-]{1,63}(?<!-)\Z')


class InvalidValue(ValueError):
    """A value failed its validator; ``message`` is safe to show and to log."""

    def __init__(self, field, value, what):
        self.field = field
        self.problem = '%s %s' % (quote(value), what)
        self.message = 'Invalid input for %s: %s.' % (field, self.problem)
        super().__init__(self.message)


def quote(value, limit=QUOTE_MAX):
    """A short, printable quotation of ``value`` for messages and logs: controls escaped,
    at most ``limit`` characters of it, and the full length when it was cut."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return repr(text) if isinstance(value, str) else text
    shown = repr(text[:limit]) if isinstance(value, str) else text[:limit]
    return '%s... (%d characters)' % (shown, len(text))


def has_control(text, multiline=False):
    """Does ``text`` hold a control character (tab/newline allowed when ``multiline``)?"""
    return bool((_CONTROL_MULTILINE if multiline else _CONTROL).search(text))


def _string(value, field, what):
    if not isinstance(value, str):
        raise InvalidValue(field, value, 'is not a string (%s)' % what)
    return value


def ip_address(value, field='ip_address', version=None):
    """An IPv4 or IPv6 address without scope suffix or whitespace, as an ``ipaddress``
    object (``str()`` of it is the canonical spelling)."""
    _string(value, field, 'an IP address is expected')
    if '%' in value:
        raise InvalidValue(field, value, 'is not a valid IP address: scoped addresses '
                                         '(with %) are not accepted')
    if not _IP_CHARS.match(value) or '/' in value:
        raise InvalidValue(field, value, 'is not a valid IP address')
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise InvalidValue(field, value, 'is not a valid IP address') from None
    if version is not None and address.version != version:
        raise InvalidValue(field, value, 'is not an IPv%d address' % version)
    return address


def ip_network(value, field='cidr', strict=False, version=None):
    """An IPv4 or IPv6 network (a bare address is a /32 or /128), as an ``ipaddress``
    network. ``strict``: host bits must be zero (the message names the network meant)."""
    _string(value, field, 'a CIDR is expected')
    if '%' in value:
        raise InvalidValue(field, value, 'is not a valid CIDR: scoped addresses (with %) are '
                                         'not accepted')
    if not _IP_CHARS.match(value) or value.count('/') > 1:
        raise InvalidValue(field, value, 'is not a valid CIDR')
    try:
        net = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise InvalidValue(field, value, 'is not a valid CIDR') from None
    if strict and net.network_address != ipaddress.ip_interface(value).ip:
        raise InvalidValue(field, value, "isn't a recognized IP subnet cidr, '%s' is "
                                         "recommended" % net)
    if version is not None and net.version != version:
        raise InvalidValue(field, value, 'is not an IPv%d CIDR' % version)
    return net


def ip_address_or_network(value, field='ip_address'):
    """An address (canonical string) or, when written with a prefix, a network (canonical
    string with host bits cleared): allowed address pairs and the like."""
    if isinstance(value, str) and '/' in value:
        return str(ip_network(value, field))
    return str(ip_address(value, field))


def mac_address(value, field='mac_address', unicast=False):
    """A MAC address in any spelling Neutron accepts, as lower-case ``aa:bb:cc:dd:ee:ff``.

    As in Neutron, the all-zero and broadcast addresses are refused, multicast ones are not
    (unless ``unicast``: a guest NIC's own address).
    """
    _string(value, field, 'a MAC address is expected')
    for pattern in _MAC_FORMATS:
        match = pattern.match(value)
        if match:
            groups = match.groups()
            width = 12 // len(groups)
            digits = ''.join(g.rjust(width, '0') for g in groups).lower()
            mac = ':'.join(digits[i:i + 2] for i in range(0, 12, 2))
            if mac in _INVALID_MACS:
                raise InvalidValue(field, value, 'is not a valid MAC address (all zeros or '
                                                 'broadcast)')
            if unicast and int(mac[:2], 16) & 1:
                raise InvalidValue(field, value, 'is not a unicast MAC address')
            return mac
    raise InvalidValue(field, value, 'is not a valid MAC address')


def uuid(value, field='id', canonical=False):
    """A UUID in its 36-character hyphenated form, matched whole (no trailing newline);
    lower-cased when ``canonical`` (the one spelling used in host names and paths)."""
    _string(value, field, 'a UUID is expected')
    if not _UUID.match(value):
        raise InvalidValue(field, value, 'is not a valid UUID')
    return value.lower() if canonical else value


def text(value, field='name', max_length=None, multiline=False):
    """Text that may be shown on a terminal or a page: no control characters (tab and
    newlines allowed when ``multiline``), no lone surrogates, at most ``max_length``."""
    _string(value, field, 'text is expected')
    if has_control(value, multiline):
        raise InvalidValue(field, value, 'contains a control character')
    if max_length is not None and len(value) > max_length:
        raise InvalidValue(field, value, 'is longer than %d characters' % max_length)
    return value


def header_value(value, field='header'):
    """A value that can be sent in an HTTP header: Latin-1 (WSGI's rule), no CR, LF, NUL or
    other control character but tab (a CR/LF would start a new header)."""
    _string(value, field, 'a header value is expected')
    if has_control(value.replace('\t', ' ')):
        raise InvalidValue(field, value, 'contains a control character')
    try:
        value.encode('latin-1')
    except UnicodeEncodeError:
        raise InvalidValue(field, value, 'is not Latin-1 text') from None
    return value


def identifier(value, field='id'):
    """An id safe as a file name: letters, digits, ``_.-``, 1-64 characters, not starting
    with ``.`` or ``-``."""
    if not _IDENTIFIER.match(_string(value, field, 'an identifier is expected')):
        raise InvalidValue(field, value, 'may only hold letters, digits, "_", "." and "-" '
                                         '(1-64 characters, not starting with "." or "-")')
    return value


def interface_name(value, field='interface'):
    """A Linux network interface name (at most 15 characters)."""
    if not _IFNAME.match(_string(value, field, 'an interface name is expected')):
        raise InvalidValue(field, value, 'is not a valid interface name (15 characters at '
                                         'most)')
    return value


def integer(value, field='value', minimum=None, maximum=None):
    """An int (not a bool) within [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(field, value, 'is not an integer')
    if minimum is not None and value < minimum:
        raise InvalidValue(field, value, 'is below %d' % minimum)
    if maximum is not None and value > maximum:
        raise InvalidValue(field, value, 'is above %d' % maximum)
    return value


def iscsi_name(value, field='iqn'):
    """An iSCSI qualified name (``iqn.YYYY-MM.reversed.domain[:suffix]``) or ``eui.`` name."""
    if not _IQN.match(_string(value, field, 'an iSCSI name is expected')):
        raise InvalidValue(field, value, 'is not an iSCSI qualified name')
    return value


def hostname(value, field='host'):
    """A DNS host name or an IP address literal (returned in its canonical spelling)."""
    _string(value, field, 'a host name is expected')
    if _IP_CHARS.match(value) and '/' not in value:
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            pass
    labels = value.rstrip('.').split('.')
    if len(value) > 253 or not all(_HOSTLABEL.match(label) for label in labels):
        raise InvalidValue(field, value, 'is not a host name or IP address')
    return value


def chap_credential(value, field='auth_username', secret=False):
    """A CHAP user name or secret: printable ASCII without spaces (a secret is never
    quoted in the message)."""
    if not isinstance(value, str) or not _CHAP.match(value):
        raise InvalidValue(field, '***' if secret else value,
                           'must be 1-255 printable ASCII characters without spaces')
    return value


def find_surrogate(data):
    """A path (list of keys) to the first string in decoded JSON ``data`` (keys included)
    holding a lone UTF-16 surrogate, or None."""
    stack = [(data, [])]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return path
        elif isinstance(item, dict):
            for key, value in item.items():
                if _SURROGATE.search(key):
                    return path + [key.encode('utf-8', 'backslashreplace').decode()]
                stack.append((value, path + [key]))
        elif isinstance(item, list):
            stack.extend((value, path + [index]) for index, value in enumerate(item))
    return None


def dhcp_option_name(value, field='opt_name', ip_version=4):
    """A DHCP option dnsmasq knows by name (returned lower-case) or an option code (returned
    as its decimal digits) for ``ip_version``."""
    _string(value, field, 'a DHCP option name is expected')
    if ip_version not in DHCP_OPTION_NAMES:
        raise InvalidValue('ip_version', ip_version, 'is not 4 or 6')
    if value.isascii() and value.isdigit() and len(value) <= 5:
        code = int(value)
        if not 1 <= code <= _DHCP_OPTION_MAX[ip_version]:
            raise InvalidValue(field, value, 'is not a DHCP%s option code (1-%d)'
                               % ('' if ip_version == 4 else '6', _DHCP_OPTION_MAX[ip_version]))
        return str(code)
    if value.lower() not in DHCP_OPTION_NAMES[ip_version]:
        raise InvalidValue(field, value, 'is not a DHCP option name dnsmasq knows for IPv%d '
                                         'nor an option code' % ip_version)
    return value.lower()


def dhcp_option_value(value, field='opt_value'):
    """A DHCP option value: one or more elements joined by single commas, each of letters,
    digits and ``._:/@+=~[]-`` (no space, quote, backslash or control character), none
    starting with a dnsmasq keyword such as ``tag:``; at most 255 characters."""
    _string(value, field, 'a DHCP option value is expected')
    if len(value) > 255:
        raise InvalidValue(field, value, 'is longer than 255 characters')
    for item in value.split(','):
        if not _DHCP_VALUE_ITEM.match(item):
            raise InvalidValue(field, value, 'may only hold letters, digits and ._:/@+=~[]- '
                                             'in elements joined by single commas')
        if item.lower().startswith(_DHCP_KEYWORDS):
            raise InvalidValue(field, value, 'holds a dnsmasq keyword (%s)'
                               % item.split(':')[0])
    return value


def dns_domain(value, field='dns_domain'):
    """A DNS domain (Neutron's network ``dns_domain``): labels as ``dns_label`` allows
    joined by dots, at least two, an optional final dot, a top-level label not all
    digits, 255 characters at most; returned lower-case."""
    _string(value, field, 'a DNS domain is expected')
    labels = value[:-1].split('.') if value.endswith('.') else value.split('.')
    if len(value) > 255 or len(labels) < 2 or not all(
            _HOSTLABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise InvalidValue(field, value, 'is not a valid DNS domain (labels of letters, '
                                         'digits and inner hyphens joined by dots)')
    return value.lower()


def dns_label(value, field='dns_name'):
    """A DNS label (RFC 1123 host name part): 1-63 letters, digits and inner hyphens, not
    all digits; returned lower-case (DNS names compare case-insensitively)."""
    _string(value, field, 'a DNS name is expected')
    if not _DNS_LABEL.match(value):
        raise InvalidValue(field, value, 'is not a valid DNS label (1-63 letters, digits '
                                         'and inner hyphens, not all digits)')
    return value.lower()
