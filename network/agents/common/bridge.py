"""Linux bridges: create, enslave, list, delete."""
import os

from network.agents.common import ip_lib
from common.execute import CommandError


def exists(name):
    return os.path.isdir('/sys/class/net/%s/bridge' % name)


def ensure(name, mtu=None):
    """Create bridge ``name`` (STP off, so ports forward at once) and bring it up."""
    if not exists(name):
        try:
            ip_lib._ip(['link', 'add', name, 'type', 'bridge', 'stp_state', '0',
                        'forward_delay', '0'])
        except CommandError:
            # Another agent on this host may have created it a moment ago.
            if not exists(name):
                raise
    ip_lib.set_mtu(name, mtu)
    ip_lib.set_up(name)


def interfaces(name):
    try:
        return sorted(os.listdir('/sys/class/net/%s/brif' % name))
    except FileNotFoundError:
        return []


def list_bridges(prefix=''):
    return sorted(n for n in os.listdir('/sys/class/net')
                  if n.startswith(prefix) and exists(n))


def enslave(name, dev):
    """Put ``dev`` on bridge ``name`` (moving it from any other bridge) and bring it up."""
    if ip_lib.master_of(dev) != name:
        ip_lib.set_master(dev, name)
    ip_lib.set_up(dev)


def delete(name):
    """Remove bridge ``name``; one that another agent removed meanwhile is not an error."""
    if not exists(name):
        return
    try:
        ip_lib.set_down(name)
    except Exception:
        if exists(name):
            raise
        return
    ip_lib.delete_link(name)
