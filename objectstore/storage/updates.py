"""Delivering object changes to container servers (object server, updater, expirer)."""
import logging

from objectstore.storage import http

LOG = logging.getLogger(__name__)


# System metadata of a symlink that its container row carries, as parameters of the
# row's content type (the proxy turns them into ``symlink_path`` in listings).
SYMLINK_ROW_PARAMS = (('X-Object-Sysmeta-Symlink-Target', 'swift_symlink_target'),
                      ('X-Object-Sysmeta-Symlink-Target-Account',
                       'swift_symlink_target_account'))


def listed_content_type(metadata):
    """The content type an object's container row records."""
    ctype = metadata['Content-Type']
    for key, param in SYMLINK_ROW_PARAMS:
        value = metadata.get(key)
        # the proxy stores these URL-quoted: no ';', quote or control character
        if value and all(c not in value for c in ';"\r\n'):
            ctype += ';%s=%s' % (param, value)
    return ctype


def container_update_headers(op, metadata, ts):
    headers = {'X-Timestamp': ts}
    if op == 'PUT':
        headers.update({'X-Size': str(metadata['Content-Length']),
                        'X-Content-Type': listed_content_type(metadata),
                        'X-Etag': metadata['ETag']})
    return headers


def send(node, part, op, account, container, obj, headers, conn_timeout, node_timeout):
    """Send one object row update to one container node; True when it was stored."""
    path = http.quote_path(node['device'], part, account, container, obj)
    try:
        status, _, _ = http.request(node, op, path, headers=headers,
                                    conn_timeout=conn_timeout, node_timeout=node_timeout)
    except http.NodeError as exc:
        LOG.warning('container update failed: %s', exc)
        return False
    if 200 <= status < 300:
        return True
    LOG.warning('container update %s %s answered %s', op, path, status)
    return False


def node_key(node):
    return '%s:%s/%s' % (node['ip'], node['port'], node['device'])


def hosts_from_headers(headers, kind='Container'):
    """Nodes named by X-<kind>-Host/-Device/-Partition (comma lists allowed): (part, nodes)."""
    hosts = [h.strip() for h in headers.get('X-%s-Host' % kind, '').split(',') if h.strip()]
    devices = [d.strip() for d in headers.get('X-%s-Device' % kind, '').split(',')
               if d.strip()]
    part = headers.get('X-%s-Partition' % kind, '').strip()
    if not hosts:
        return None, []
    if len(hosts) != len(devices) or not part.isdigit():
        raise ValueError('X-{0}-Host, X-{0}-Device and X-{0}-Partition must name the same '
                         'number of nodes and a numeric partition'.format(kind))
    nodes = []
    for host, device in zip(hosts, devices):
        ip, _, port = host.rpartition(':')
        if not ip or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError('invalid X-%s-Host %r (want ip:port)' % (kind, host))
        ip = ip.strip('[]')
        nodes.append({'ip': ip, 'port': int(port), 'device': device,
                      'replication_ip': ip, 'replication_port': int(port)})
    return part, nodes
