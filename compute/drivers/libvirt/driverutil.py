"""What the libvirt driver's modules share: libvirt errors turned into VirtError, and the
driver's arguments accepted as dataclasses, their dicts or (where enough) a UUID."""
import functools
import os

import libvirt

from compute.drivers import base
from compute.drivers.libvirt import host as host_mod

POLL_INTERVAL = 0.25


def translate_errors(func):
    """libvirt errors leave the driver as VirtError (HypervisorUnavailable when the
    connection broke), with libvirt's message."""
    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        try:
            return func(self, *args, **kwargs)
        except libvirt.libvirtError as exc:
            if host_mod.is_connection_error(exc):
                self.host.mark_stale()
                raise base.HypervisorUnavailable('libvirt connection lost: %s'
                                                 % exc.get_error_message()) from None
            raise base.VirtError(exc.get_error_message()) from None
    return wrapper


def instance_arg(value):
    return base.Instance.from_dict(value)


def uuid_arg(value):
    """The server's UUID from an Instance, its dict, or the UUID itself (operations that
    need nothing else accept any of them, e.g. destroying an orphan domain)."""
    return base.uuid_of(value)


def vifs_arg(network_info):
    return [base.VIF.from_dict(v) for v in network_info or []]


def bdi_arg(block_device_info):
    if block_device_info is None:
        return base.BlockDeviceInfo()
    return base.BlockDeviceInfo.from_dict(block_device_info)


def write_private(path, text):
    """Write ``text`` to a file only root can read (saved domain definitions)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        f.write(text)
