"""Converge the qdhcp namespaces and their dnsmasq processes to the server's state."""
import ipaddress
import logging
import os
import shutil
import signal

from common.execute import CommandError
from common.execute import execute
from network.agents.common import bridge
from network.agents.common import ip_lib
from network.agents.common import namespace
from network.agents.common import plug
from network.agents.common import process
from network.agents.dhcp import dnsmasq_config
from network.agents.dhcp import leases

LOG = logging.getLogger(__name__)
NS_PREFIX = 'qdhcp-'


def ns_name(network_id):
    return NS_PREFIX + network_id


# dnsmasq drops to an unprivileged user (nobody) and rereads its hosts and options files
# as that user on SIGHUP, so they are readable by all whatever the agent's umask (they hold
# addresses and DHCP options, no secret), and the directories up to them can be traversed.
FILE_MODE = 0o644
DIR_MODE = 0o711


def _ensure_dir(path):
    os.makedirs(path, exist_ok=True)
    os.chmod(path, DIR_MODE)


def have_tool(binary):
    """True if ``binary`` (dhcp_release, dhcp_release6 of dnsmasq-utils) is installed."""
    return shutil.which(binary) is not None


def _read(path):
    """The text of ``path``, empty if it does not exist yet."""
    try:
        with open(path) as handle:
            return handle.read()
    except FileNotFoundError:
        return ''


def _write_if_changed(path, text):
    try:
        with open(path) as handle:
            if handle.read() == text:
                os.chmod(path, FILE_MODE)
                return False
    except FileNotFoundError:
        pass
    fd = os.open(path + '.tmp', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, 'w') as handle:
        os.fchmod(handle.fileno(), FILE_MODE)
        handle.write(text)
    os.rename(path + '.tmp', path)
    return True


class DhcpDatapath:
    def __init__(self, state_dir, mappings, proxy_launcher=None, binary='dnsmasq',
                 lease=86400, domain='openstacklocal', dns_servers=()):
        self.state_dir = state_dir
        self.mappings = mappings
        self.proxies = proxy_launcher
        self.binary, self.lease, self.domain = binary, lease, domain
        self.dns_servers = list(dns_servers)
        # Networks whose leases were compared with their host list since the agent started.
        self.leases_checked = set()

    def _paths(self, network_id):
        base = os.path.join(self.state_dir, 'dhcp', network_id)
        return {k: os.path.join(base, k) for k in ('pid', 'hosts', 'addn_hosts', 'opts', 'leases')}

    def _dnsmasq(self, network_id):
        return process.ManagedProcess(network_id, self._paths(network_id)['pid'],
                                      namespace=ns_name(network_id))

    def converge(self, state):
        self.failed = False
        wanted = set()
        for net in state.get('networks', []):
            if not net.get('dhcp_port') or not dnsmasq_config.dhcp_subnets(net):
                continue
            wanted.add(net['id'])
            try:
                self.enable(net)
            except Exception:
                self.failed = True
                LOG.exception('network %s: DHCP setup failed', net['id'])
        # Only networks this agent set up (their state directories) count as stale, so
        # namespaces of another agent instance on the host are never touched.
        for network_id in self.owned() - wanted:
            self.disable(network_id)

    def owned(self):
        try:
            return set(os.listdir(os.path.join(self.state_dir, 'dhcp')))
        except FileNotFoundError:
            return set()

    def _ensure_dirs(self, network_id):
        for path in (self.state_dir, os.path.join(self.state_dir, 'dhcp'),
                     os.path.dirname(self._paths(network_id)['pid'])):
            _ensure_dir(path)

    def enable(self, net):
        ns = ns_name(net['id'])
        self._ensure_dirs(net['id'])
        namespace.ensure(ns)
        port = net['dhcp_port']
        host_dev, ns_dev = 'tap' + port['id'][:11], 'ns-' + port['id'][:11]
        for link in ip_lib.list_links(ns):
            # The DHCP port may have been replaced; its old interface must go.
            if link['ifname'].startswith('ns-') and link['ifname'] != ns_dev:
                ip_lib.delete_link(link['ifname'], ns)
        ip_lib.ensure_veth(host_dev, ns_dev, ns, mac=port['mac_address'], mtu=net.get('mtu'))
        plug.attach(net, self.mappings, host_dev)
        subnets = {s['id']: s for s in net['subnets']}
        cidrs = ['%s/%d' % (ip['ip_address'], ipaddress.ip_network(
            subnets[ip['subnet_id']]['cidr']).prefixlen)
            for ip in port['fixed_ips'] if ip['subnet_id'] in subnets]
        has_v4 = any(ipaddress.ip_address(ip['ip_address']).version == 4
                     for ip in port['fixed_ips'])
        if self.proxies and has_v4:
            cidrs.append(dnsmasq_config.METADATA_IP + '/32')
        ip_lib.sync_addresses(ns_dev, cidrs, ns)
        self._dnsmasq_converge(net, ns_dev)
        if self.proxies and has_v4:
            self.proxies.ensure(ns, [net['id']])

    def _dnsmasq_converge(self, net, ns_dev):
        paths = self._paths(net['id'])
        self._ensure_dirs(net['id'])
        # The host list before this change, read before the hosts file is rewritten.
        old_hosts = _read(paths['hosts'])
        changed = False
        for key, text in (('hosts', dnsmasq_config.hosts_file(net)),
                          ('addn_hosts', dnsmasq_config.addn_hosts_file(net, self.domain)),
                          ('opts', dnsmasq_config.opts_file(net, self.proxies is not None))):
            changed |= _write_if_changed(paths[key], text)
        cmd = dnsmasq_config.command(net, paths, ns_dev, self.binary, self.lease, self.domain,
                                     self.dns_servers)
        proc = self._dnsmasq(net['id'])
        # dnsmasq leases only to the hosts of its hosts file, so a lease goes stale only when
        # that list changes: checked then, when dnsmasq starts, and once per network after
        # the agent starts (its last run may have stopped between rewrite and release).
        stale, commands = [], []
        if changed or not proc.pid or net['id'] not in self.leases_checked:
            lease_text = _read(paths['leases'])
            lease_file = leases.parse(lease_text)
            stale = leases.stale(lease_file, leases.parse_hosts(old_hosts),
                                 dnsmasq_config.host_bindings(net))
            commands = [leases.release_command(lease, ns_dev, lease_file.server_duid)
                        for lease in stale]
        self.leases_checked.add(net['id'])
        if stale and proc.pid and not all(c and have_tool(c[0]) for c in commands):
            # dnsmasq reads its lease file only when it starts (SIGHUP rereads the hosts
            # and options files, not the leases), so without dnsmasq-utils (or for a lease
            # whose values do not parse) the stale leases can only go with a restart.
            LOG.warning('network %s: restarting dnsmasq to drop %d stale leases (no '
                        'dhcp_release for them)', net['id'], len(stale))
            proc.stop()
        if stale and not proc.pid:
            _write_if_changed(paths['leases'], leases.without(lease_text, stale))
            stale = commands = []
        started = proc.ensure(cmd)
        if changed and not started:
            # dnsmasq rereads its hosts and opts files on SIGHUP.
            proc.signal(signal.SIGHUP)
        # Released after the new hosts file is in force, so the old MAC cannot renew its
        # address in between; the new MAC's next request gets it.
        for lease, release in zip(stale, commands):
            try:
                execute(release, namespace=ns_name(net['id']))
                LOG.info('network %s: released the lease of %s (%s)', net['id'], lease.ip,
                         lease.mac or lease.client_id)
            except (OSError, CommandError) as exc:
                LOG.warning('network %s: releasing %s failed: %s', net['id'], lease.ip, exc)
                self.leases_checked.discard(net['id'])  # tried again at the next converge

    def disable(self, network_id):
        ns = ns_name(network_id)
        self._dnsmasq(network_id).stop()
        if self.proxies:
            self.proxies.stop(ns)
        for link in ip_lib.list_links(ns) if namespace.exists(ns) else []:
            if link['ifname'] != 'lo':
                ip_lib.delete_link(link['ifname'], ns)
        namespace.delete(ns)
        self.leases_checked.discard(network_id)
        shutil.rmtree(os.path.join(self.state_dir, 'dhcp', network_id), ignore_errors=True)
        br = plug.bridge_name(network_id)
        if bridge.exists(br):
            plug.delete_network_bridge(br, self.mappings)
