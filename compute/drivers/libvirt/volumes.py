"""iSCSI volumes as libvirt network disks: connection info checked, CHAP in libvirt secrets.

Block storage returns connection info for this host's connector; QEMU's own initiator
(libiscsi) logs in to the target, so the host needs no open-iscsi session or device node.
"""
import logging
import socket

import libvirt

from common import validators
from compute.drivers import base
from compute.drivers.libvirt import config

LOG = logging.getLogger(__name__)


class IscsiTarget:
    """A volume's iSCSI export, from checked connection info."""

    def __init__(self, volume_id, target_iqn, portal_host, portal_port, target_lun,
                 auth_username=None, auth_password=None):
        self.volume_id = volume_id
        self.target_iqn = target_iqn
        self.portal_host = portal_host
        self.portal_port = portal_port
        self.target_lun = target_lun
        self.auth_username = auth_username
        self.auth_password = auth_password

    @classmethod
    def from_attachment(cls, attachment):
        info = attachment.connection_info
        if not isinstance(info, dict) or info.get('driver_volume_type') != 'iscsi':
            raise base.InvalidInput('volume %s: only iscsi connections are supported'
                                    % attachment.volume_id)
        data = info.get('data')
        if not isinstance(data, dict):
            raise base.InvalidInput('volume %s: connection info has no data'
                                    % attachment.volume_id)
        try:
            iqn = validators.iscsi_name(data.get('target_iqn'), 'target_iqn')
            host, port = _portal(data.get('target_portal'))
            lun = validators.integer(data.get('target_lun', 0), 'target_lun', 0, 16383)
            method = data.get('auth_method')
            user = password = None
            if method:
                if str(method).upper() != 'CHAP':
                    raise base.InvalidInput('volume %s: auth_method %r is not supported (CHAP)'
                                            % (attachment.volume_id, method))
                user = validators.chap_credential(data.get('auth_username'), 'auth_username')
                password = validators.chap_credential(data.get('auth_password'), 'auth_password',
                                                      secret=True)
        except validators.InvalidValue as exc:
            raise base.InvalidInput('volume %s: %s' % (attachment.volume_id, exc)) from None
        return cls(attachment.volume_id, iqn, host, port, lun, user, password)


def _portal(value):
    """'host:port' or '[v6]:port' -> (host, port)."""
    if not isinstance(value, str) or ':' not in value:
        raise validators.InvalidValue('target_portal', value, 'is not host:port')
    host, _, port = value.rpartition(':')
    host = host[1:-1] if host.startswith('[') and host.endswith(']') else host
    try:
        port = int(port)
    except ValueError:
        raise validators.InvalidValue('target_portal', value, 'has no numeric port') from None
    validators.integer(port, 'target_portal port', 1, 65535)
    return validators.hostname(host, 'target_portal host'), port


def default_initiator_iqn():
    """This host's initiator name: open-iscsi's when configured, else one from the host name."""
    try:
        with open('/etc/iscsi/initiatorname.iscsi') as f:
            for line in f:
                if line.startswith('InitiatorName='):
                    return validators.iscsi_name(line.split('=', 1)[1].strip(),
                                                 'InitiatorName')
    except (OSError, validators.InvalidValue):
        pass
    host = ''.join(c for c in socket.gethostname().lower() if c.isalnum() or c in '.-')
    return 'iqn.2024-01.org.cirrostack:%s' % (host or 'compute')


def ensure_secret(conn, target):
    """Define (or update) the libvirt secret holding ``target``'s CHAP password."""
    if not target.auth_username:
        return None
    usage = config.secret_usage(target.volume_id)
    try:
        secret = conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_ISCSI, usage)
    except libvirt.libvirtError as exc:
        if exc.get_error_code() != libvirt.VIR_ERR_NO_SECRET:
            raise
        secret = conn.secretDefineXML(config.secret_xml(target.volume_id))
    secret.setValue(target.auth_password.encode('ascii'))
    return usage


def delete_secret(conn, usage):
    """Remove the secret with usage id ``usage``; a missing one is fine."""
    try:
        conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_ISCSI, usage).undefine()
        LOG.info('deleted libvirt secret %s', usage)
    except libvirt.libvirtError as exc:
        if exc.get_error_code() != libvirt.VIR_ERR_NO_SECRET:
            raise
