"""Network namespaces: create, list, delete."""
import os

from common.execute import execute

NETNS_DIR = '/var/run/netns'


def exists(name):
    return os.path.exists(os.path.join(NETNS_DIR, name))


def list_namespaces(prefix=''):
    try:
        names = os.listdir(NETNS_DIR)
    except FileNotFoundError:
        return []
    return sorted(n for n in names if n.startswith(prefix))


def ensure(name):
    """Create ``name`` (with loopback up) unless it exists."""
    if not exists(name):
        execute(['ip', 'netns', 'add', name])
    execute(['ip', 'link', 'set', 'lo', 'up'], namespace=name)


def pids(name):
    out = execute(['ip', 'netns', 'pids', name], check=False)
    return [int(p) for p in out.split()]


def delete(name):
    """Delete ``name``; its veth ends vanish with it (their peers too)."""
    if exists(name):
        execute(['ip', 'netns', 'delete', name])
