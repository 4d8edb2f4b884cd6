"""Hashing of account/container/object paths onto the ring.

The prefix and suffix are cluster secrets: every node must use the same values, and
an outsider who does not know them cannot aim many names at one partition.
"""
import hashlib
import struct

_SECRET = {'prefix': b'', 'suffix': b''}


def set_hash_path_secret(prefix, suffix):
    """Set the cluster's hash path prefix/suffix (from ``[objectstore]``)."""
    if not (prefix or suffix):
        raise ValueError('hash_path_prefix or hash_path_suffix must be set')
    _SECRET['prefix'] = (prefix or '').encode('utf-8')
    _SECRET['suffix'] = (suffix or '').encode('utf-8')


def _encode(value):
    return value.encode('utf-8') if isinstance(value, str) else value


def hash_path(account, container=None, obj=None, raw_digest=False):
    """md5 of prefix + '/a[/c[/o]]' + suffix, hex (or raw bytes)."""
    if obj is not None and container is None:
        raise ValueError('an object needs a container')
    parts = [account] + [p for p in (container, obj) if p is not None]
    path = b'/' + b'/'.join(_encode(p) for p in parts)
    digest = hashlib.md5(_SECRET['prefix'] + path + _SECRET['suffix'])
    return digest.digest() if raw_digest else digest.hexdigest()


def part_of_hash(hex_hash, part_power):
    """The partition a path hash falls in: its top ``part_power`` bits."""
    top = struct.unpack_from('>I', bytes.fromhex(hex_hash[:8]))[0]
    return top >> (32 - part_power)


def parse_device_spec(text):
    """``r<region>z<zone>-<ip>:<port>[R<repl_ip>:<repl_port>]/<device>`` -> dict.

    Raises ValueError naming what is malformed."""
    import re
    match = re.fullmatch(
        r'r(\d+)z(\d+)-(\[[0-9a-fA-F:.]+\]|[^:/\[\]]+):(\d+)'
        r'(?:R(\[[0-9a-fA-F:.]+\]|[^:/\[\]]+):(\d+))?/([A-Za-z0-9_.-]+)', text)
    if not match:
        raise ValueError('device %r is not r<region>z<zone>-<ip>:<port>/<device>' % text)
    region, zone, ip, port, rip, rport, device = match.groups()
    ip = ip.strip('[]')
    port = int(port)
    if not 0 < port < 65536:
        raise ValueError('port %d of %r is out of range' % (port, text))
    rport = int(rport) if rport else port
    if not 0 < rport < 65536:
        raise ValueError('replication port %d of %r is out of range' % (rport, text))
    return {'region': int(region), 'zone': int(zone), 'ip': ip, 'port': port,
            'replication_ip': (rip or ip).strip('[]'), 'replication_port': rport,
            'device': device}
