"""Helpers of the libvirt driver's integration tests: the guest image, a private test
network (bridge + namespace + dnsmasq), a tgt iSCSI target, console waits and timings.
(A module of its own: test files cannot import from conftest.py.)

Everything made here is named with a random suffix and recorded, so teardown removes it
whatever failed.  Traffic stays on the test bridge and in the test namespace.
"""
import hashlib
import os
import random
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

from common.testing.netns import delete_namespace
from common.testing.netns import sh

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
BUILD_SCRIPT = os.path.join(REPO, 'image', 'guest', 'build-guest-image.sh')
LIBVIRT_SCRIPT = os.path.join(REPO, 'tools', 'libvirt.sh')
REQUIRED = ('ip', 'dnsmasq', 'qemu-img', 'qemu-system-x86_64', 'virsh', 'genisoimage')
BOOT_MARKER = 'guest: boot complete'

TIMINGS = {}       # name -> seconds (or MiB), printed at the end of the run


def skip_reason():
    if os.geteuid() != 0:
        return 'needs root (libvirt, taps, bridges, namespaces)'
    missing = [t for t in REQUIRED if shutil.which(t) is None]
    if missing:
        return 'missing tools: %s' % ', '.join(missing)
    try:
        import libvirt  # noqa: F401
    except ImportError:
        return 'libvirt-python is not installed'
    return None


def record(name, value):
    TIMINGS[name] = value


def start_libvirt():
    sh(LIBVIRT_SCRIPT, 'start', timeout=180)


def build_guest_image(workdir):
    """Build the guest image of this checkout; return (path, ImageMeta kwargs)."""
    out = os.path.join(workdir, 'guest.qcow2')
    started = time.monotonic()
    sh('bash', BUILD_SCRIPT, out, timeout=900)
    record('guest image build (s)', time.monotonic() - started)
    return out


def image_meta_for(path, image_id=None):
    """ImageMeta kwargs of a local qcow2 file and a fetcher that streams it."""
    data = open(path, 'rb').read()
    meta = dict(id=image_id or str(uuid.uuid4()), name=os.path.basename(path),
                disk_format='qcow2', size=len(data),
                os_hash_algo='sha512', os_hash_value=hashlib.sha512(data).hexdigest(),
                checksum=hashlib.md5(data).hexdigest())

    def fetcher(image_id):
        for i in range(0, len(data), 1 << 20):
            yield data[i:i + (1 << 20)]
    return meta, fetcher


def random_mac():
    return 'fa:16:3e:%02x:%02x:%02x' % tuple(random.randrange(256) for _ in range(3))


class GuestNetwork:
    """A bridge with a namespace behind a veth, where dnsmasq serves DHCP with fixed leases.

    The bridge plays the network's brq bridge; ``plug`` does what the network bridge agent
    does with a server's tap.
    """

    def __init__(self):
        self.suffix = '%05x' % random.randrange(0x100000)
        self.bridge = 'csvbr%s' % self.suffix
        self.ns = 'csvirt-%s' % self.suffix
        self.veth = 'csvve%s' % self.suffix
        third = random.randrange(1, 250)
        self.prefix = '10.252.%d' % third
        self.gateway = self.prefix + '.1'
        self.tmp = tempfile.mkdtemp(prefix='cs-virt-net-')
        os.chmod(self.tmp, 0o755)      # dnsmasq drops privileges and reads its hosts file
        self.hosts_file = os.path.join(self.tmp, 'hosts')
        open(self.hosts_file, 'w').close()
        self.dnsmasq = None
        self.made = []

    def up(self):
        # Bridged frames skip the host's iptables: security-group chains of a cloud running
        # on this host must not filter the test's DHCP.
        sh('ip', 'link', 'add', self.bridge, 'type', 'bridge', 'nf_call_iptables', '0',
           'nf_call_ip6tables', '0', 'nf_call_arptables', '0')
        self.made.append(('link', self.bridge))
        sh('ip', 'link', 'set', self.bridge, 'up')
        sh('ip', 'netns', 'add', self.ns)
        self.made.append(('ns', self.ns))
        sh('ip', 'link', 'set', 'lo', 'up', ns=self.ns)
        sh('ip', 'link', 'add', self.veth, 'type', 'veth', 'peer', 'name', 'eth0',
           'netns', self.ns)
        self.made.append(('link', self.veth))
        sh('ip', 'link', 'set', self.veth, 'master', self.bridge)
        sh('ip', 'link', 'set', self.veth, 'up')
        sh('ip', 'addr', 'add', self.gateway + '/24', 'dev', 'eth0', ns=self.ns)
        sh('ip', 'link', 'set', 'eth0', 'up', ns=self.ns)
        self.dnsmasq = subprocess.Popen(
            ['ip', 'netns', 'exec', self.ns, 'dnsmasq', '--keep-in-foreground', '--no-resolv',
             '--no-hosts', '--port=0', '--bind-interfaces', '--interface=eth0',
             '--except-interface=lo', '--dhcp-range=%s.0,static,255.255.255.0,1h' % self.prefix,
             '--dhcp-hostsfile=' + self.hosts_file,
             '--dhcp-leasefile=' + os.path.join(self.tmp, 'leases'),
             '--pid-file=', '--log-dhcp'],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Until dnsmasq listens it has no SIGHUP handler either (add_host would kill it).
        deadline = time.monotonic() + 15
        while not sh('ss', '-Hlun', 'sport = :67', ns=self.ns).stdout.strip():
            if self.dnsmasq.poll() is not None or time.monotonic() > deadline:
                raise AssertionError('dnsmasq did not start in %s' % self.ns)
            time.sleep(0.1)
        return self

    def add_host(self, mac, index):
        """A fixed lease for ``mac``; returns its address.  dnsmasq rereads on SIGHUP."""
        ip = '%s.%d' % (self.prefix, 10 + index)
        with open(self.hosts_file, 'a') as f:
            f.write('%s,%s\n' % (mac, ip))
        # 'ip netns exec' execs dnsmasq: the child's pid is dnsmasq's.
        assert self.dnsmasq.poll() is None, 'dnsmasq died'
        os.kill(self.dnsmasq.pid, 1)
        return ip

    def plug(self, tap):
        """What the bridge agent does once the tap exists."""
        sh('ip', 'link', 'set', tap, 'master', self.bridge)

    def ping(self, ip, count=1, wait=2):
        return sh('ping', '-c', count, '-W', wait, ip, ns=self.ns, check=False).returncode == 0

    def wait_ping(self, ip, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ping(ip, wait=1):
                return True
        return False

    def teardown(self):
        if self.dnsmasq is not None and self.dnsmasq.poll() is None:
            self.dnsmasq.terminate()
            try:
                self.dnsmasq.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.dnsmasq.kill()
        for kind, name in reversed(self.made):
            if kind == 'ns':
                delete_namespace(name)
            else:
                sh('ip', 'link', 'delete', name, check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)


class IscsiTarget:
    """A file-backed tgt target with CHAP on 127.0.0.1, torn down afterwards.

    Uses a running tgtd when there is one (and leaves it running), else starts one that
    listens on 127.0.0.1 only and stops it at the end.
    """

    def __init__(self, size_mb=16):
        self.tid = random.randrange(1000, 9000)
        self.iqn = 'iqn.2010-10.org.cirrostack.test:virt-%d' % self.tid
        self.user = 'u%d' % self.tid
        self.password = 'pw%016x' % random.getrandbits(64)
        self.tmp = tempfile.mkdtemp(prefix='cs-virt-tgt-')
        self.backing = os.path.join(self.tmp, 'lun1.img')
        with open(self.backing, 'wb') as f:
            f.truncate(size_mb * 1024 * 1024)
        self.started_tgtd = None
        self.created = False

    @staticmethod
    def available():
        return shutil.which('tgtd') is not None and shutil.which('tgtadm') is not None

    def _adm(self, *args, check=True):
        return sh('tgtadm', '--lld', 'iscsi', *args, check=check)

    def start(self):
        if self._adm('--mode', 'target', '--op', 'show', check=False).returncode != 0:
            self.started_tgtd = subprocess.Popen(
                ['tgtd', '-f', '--iscsi', 'portal=127.0.0.1:3260'],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 15
            while self._adm('--mode', 'target', '--op', 'show', check=False).returncode:
                if time.monotonic() > deadline or self.started_tgtd.poll() is not None:
                    raise AssertionError('tgtd did not start')
                time.sleep(0.2)
        self._adm('--mode', 'target', '--op', 'new', '--tid', self.tid, '--targetname', self.iqn)
        self.created = True
        self._adm('--mode', 'logicalunit', '--op', 'new', '--tid', self.tid, '--lun', 1,
                  '--backing-store', self.backing)
        self._adm('--mode', 'account', '--op', 'new', '--user', self.user,
                  '--password', self.password)
        self._adm('--mode', 'account', '--op', 'bind', '--tid', self.tid, '--user', self.user)
        self._adm('--mode', 'target', '--op', 'bind', '--tid', self.tid,
                  '--initiator-address', '127.0.0.1')
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(('127.0.0.1', 3260), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        return self

    def connection_info(self, password=None):
        return {'driver_volume_type': 'iscsi', 'data': {
            'target_iqn': self.iqn, 'target_portal': '127.0.0.1:3260', 'target_lun': 1,
            'auth_method': 'CHAP', 'auth_username': self.user,
            'auth_password': password or self.password, 'volume_id': 'vol-%d' % self.tid}}

    def teardown(self):
        if self.created:
            self._adm('--mode', 'target', '--op', 'delete', '--force', '--tid', self.tid,
                      check=False)
        self._adm('--mode', 'account', '--op', 'delete', '--user', self.user, check=False)
        if self.started_tgtd is not None:
            sh('tgtadm', '--op', 'update', '--mode', 'sys', '--name', 'State',
               '--value', 'offline', check=False)
            self.started_tgtd.terminate()
            try:
                self.started_tgtd.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.started_tgtd.kill()
                self.started_tgtd.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def wait_console(driver, instance, pattern, count=1, timeout=120):
    """Wait until ``pattern`` (regex) occurs ``count`` times in the console log; return the
    log.  Fails with the log's tail."""
    deadline = time.monotonic() + timeout
    text = ''
    while time.monotonic() < deadline:
        text = driver.get_console_output(instance, max_bytes=1024 * 1024)
        if len(re.findall(pattern, text)) >= count:
            return text
        time.sleep(0.25)
    raise AssertionError('console never showed %r x%d within %ss; tail:\n%s'
                         % (pattern, count, timeout, text[-3000:]))


def boots(text):
    return text.count(BOOT_MARKER)


def qemu_rss_mib(uuid_):
    """Resident memory of the guest's QEMU process in MiB."""
    pid = open('/run/libvirt/qemu/instance-%s.pid' % uuid_).read().strip()
    for line in open('/proc/%s/status' % pid):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024.0
    return None
