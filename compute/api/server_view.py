"""How a server dict (CONTRACT.md) is shown at each microversion."""
import hashlib
import ipaddress

from compute import states
from compute.api import base


# Nova shows ``progress`` only while a server is in one of these.
PROGRESS_STATUSES = ('ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING')


def host_id(server):
    """Nova's opaque hostId: the same for two servers of one project on one host."""
    if not server.get('host'):
        return ''
    return hashlib.sha224((server['project_id'] + server['host']).encode()).hexdigest()


def _usec(value):
    return base.iso(value, z=False) if value is not None else None


def _flavor(ctrl, req, server):
    flavor = server.get('flavor') or {}
    if not base.at_least(req, '2.47'):
        return {'id': server['flavor_id'],
                'links': [{'rel': 'bookmark',
                           'href': ctrl.url(req, 'flavors', server['flavor_id'],
                                            bookmark=True)}]}
    out = {'vcpus': flavor.get('vcpus'), 'ram': flavor.get('memory_mb'),
           'disk': flavor.get('root_gb'), 'ephemeral': flavor.get('ephemeral_gb'),
           'swap': flavor.get('swap_mb', flavor.get('swap', 0)),
           'original_name': flavor.get('name')}
    if ctrl.allowed(req, 'os-flavor-extra-specs:index', {'project_id': server['project_id']}):
        out['extra_specs'] = flavor.get('extra_specs') or {}
    return out


def _image(ctrl, req, server):
    if not server.get('image_ref'):
        return ''
    out = {'id': server['image_ref'],
           'links': [{'rel': 'bookmark',
                      'href': ctrl.url(req, 'images', server['image_ref'], bookmark=True)}]}
    if base.at_least(req, '2.98'):
        meta = server.get('image_meta') or {}
        out['properties'] = dict(meta.get('properties') or {})
    return out


def _address(value):
    """An access address in its canonical text (Nova answers '::babe:dc0c:1602' for
    '0:0:0:0:0:babe:220.12.22.2'); '' when unset."""
    if not value:
        return ''
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value


def _fault(server, admin):
    fault = server.get('fault')
    if not fault or server['vm_state'] not in (states.ERROR, states.DELETED):
        return None
    out = {'code': fault['code'], 'message': fault['message'],
           'created': base.iso(fault['created'])}
    if admin or fault['code'] != 500:
        out['details'] = fault.get('details') or ''
    return out


def basic(ctrl, req, server):
    out = {'id': server['uuid'], 'name': server['display_name'],
           'links': ctrl.links(req, 'servers', server['uuid'])}
    return out


def detail(ctrl, req, server, extended=True):
    """The full server document of show/detail (and of update/rebuild from 2.75; before,
    those answer without the extension attributes: ``extended=False``)."""
    target = {'project_id': server['project_id']}
    admin_attrs = ctrl.allowed(req, 'os-extended-server-attributes', target)
    out = basic(ctrl, req, server)
    status = server.get('status') or states.status(server['vm_state'], server['task_state'])
    out.update({
        'status': status, 'tenant_id': server['project_id'], 'user_id': server['user_id'],
        'metadata': server.get('metadata') or {}, 'hostId': host_id(server),
        'image': _image(ctrl, req, server), 'flavor': _flavor(ctrl, req, server),
        'created': base.iso(server['created_at']),
        'updated': base.iso(server['updated_at'] or server['created_at']),
        'addresses': states.addresses(server.get('network_info')),
        'accessIPv4': _address(server.get('access_ip_v4')),
        'accessIPv6': _address(server.get('access_ip_v6')),
        'OS-DCF:diskConfig': 'AUTO' if server.get('auto_disk_config') else 'MANUAL'})
    if status in PROGRESS_STATUSES:
        out['progress'] = server.get('progress') or 0
    extended = extended or base.at_least(req, '2.75')
    if not extended:
        # Update and rebuild before 2.75 show addresses without the OS-EXT-IPS keys.
        out['addresses'] = {net: [{'addr': a['addr'], 'version': a['version']} for a in addrs]
                            for net, addrs in out['addresses'].items()}
    if extended:
        _extend(req, out, server, admin_attrs)
    fault = _fault(server, admin_attrs)
    if fault:
        out['fault'] = fault
    if base.at_least(req, '2.9'):
        out['locked'] = bool(server.get('locked'))
    if extended and base.at_least(req, '2.16') and ctrl.allowed(
            req, 'servers:show:host_status', target):
        out['host_status'] = 'UP' if server.get('host') else ''
    if base.at_least(req, '2.19'):
        out['description'] = server.get('display_description')
    if base.at_least(req, '2.26'):
        out['tags'] = list(server.get('tags') or [])
    if base.at_least(req, '2.63'):
        out['trusted_image_certificates'] = None
    if base.at_least(req, '2.73'):
        out['locked_reason'] = server.get('locked_reason')
    if base.at_least(req, '2.96'):
        out['pinned_availability_zone'] = server.get('requested_availability_zone')
    if base.at_least(req, '2.100'):
        out['scheduler_hints'] = server.get('scheduler_hints') or {}
    return out


def _extend(req, out, server, admin_attrs):
    """The attributes of Nova's API extensions (AZ, states, usage, volumes, ...)."""
    out.update({
        'OS-EXT-AZ:availability_zone': server.get('availability_zone') or '',
        'config_drive': 'True' if server.get('config_drive') else '',
        'key_name': server.get('key_name'),
        'OS-SRV-USG:launched_at': _usec(server.get('launched_at')),
        'OS-SRV-USG:terminated_at': _usec(server.get('terminated_at')),
        'OS-EXT-STS:task_state': server.get('task_state'),
        'OS-EXT-STS:vm_state': server['vm_state'],
        'OS-EXT-STS:power_state': server.get('power_state') or 0,
        'os-extended-volumes:volumes_attached': [
            dict({'id': v['id']}, **({'delete_on_termination': v.get(
                'delete_on_termination', False)} if base.at_least(req, '2.3') else {}))
            for v in server.get('volumes_attached') or []],
    })
    if server.get('security_groups'):
        out['security_groups'] = [{'name': n} for n in server['security_groups']]
    if admin_attrs:
        out.update({'OS-EXT-SRV-ATTR:host': server.get('host'),
                    'OS-EXT-SRV-ATTR:instance_name': server['name'],
                    'OS-EXT-SRV-ATTR:hypervisor_hostname': server.get('node')})
        if base.at_least(req, '2.3'):
            out.update({'OS-EXT-SRV-ATTR:reservation_id': server.get('reservation_id'),
                        'OS-EXT-SRV-ATTR:launch_index': server.get('launch_index', 0),
                        'OS-EXT-SRV-ATTR:kernel_id': '', 'OS-EXT-SRV-ATTR:ramdisk_id': '',
                        'OS-EXT-SRV-ATTR:root_device_name': '/dev/vda',
                        'OS-EXT-SRV-ATTR:user_data': server.get('user_data'),
                        'OS-EXT-SRV-ATTR:hostname': server.get('hostname')})
    if base.at_least(req, '2.90'):
        out['OS-EXT-SRV-ATTR:hostname'] = server.get('hostname')
