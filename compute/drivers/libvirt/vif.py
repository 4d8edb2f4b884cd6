"""The taps of a server's ports.

The driver makes each port's tap (``tap`` + port id[:11]) as a persistent device before
the guest starts and hands it to libvirt with managed='no'.  So the tap outlives guest
restarts (reboot, power off/on, suspend/resume) and stays where the network bridge agent
plugged it; only ``delete_tap`` (destroy, detach) removes it.
"""
import logging
import os

from common import validators
from common.execute import execute
from compute.drivers import base

LOG = logging.getLogger(__name__)


def _checked(name):
    try:
        validators.interface_name(name, 'tap name')
    except validators.InvalidValue as exc:
        raise base.InvalidInput(str(exc)) from None
    if not name.startswith('tap'):
        raise base.InvalidInput('tap name %r does not start with "tap"' % name)
    return name


def tap_exists(name):
    return os.path.exists('/sys/class/net/%s' % _checked(name))


def host_side_mac(guest_mac):
    """The tap's own MAC: the guest's with fe: in front, as libvirt does, so a bridge never
    takes the guest's address as its own."""
    return 'fe:' + guest_mac[3:]


def ensure_tap(vif):
    """Create (or fix up) the tap of ``vif``: persistent, MTU of the network, up."""
    name = _checked(vif.tap_name)
    if not tap_exists(name):
        execute(['ip', 'tuntap', 'add', 'dev', name, 'mode', 'tap', 'vnet_hdr'])
        LOG.info('created tap %s for port %s', name, vif.port_id)
    execute(['ip', 'link', 'set', 'dev', name, 'address', host_side_mac(vif.mac)])
    if vif.mtu:
        execute(['ip', 'link', 'set', 'dev', name, 'mtu', str(vif.mtu)])
    execute(['ip', 'link', 'set', 'dev', name, 'up'])


def delete_tap(name):
    """Remove a tap; a missing one is fine."""
    if tap_exists(name):
        execute(['ip', 'link', 'delete', 'dev', _checked(name)], check=False)
        LOG.info('deleted tap %s', name)
