"""Integration tests of the default guest image (image/guest/build-guest-image.sh).

The image is built once per module, then booted with QEMU (TCG, no KVM) on
QEMU user-mode networking that is restricted: the guest can reach nothing but
the forwards set up here, and those only reach 127.0.0.1:

* 169.254.169.254:80 in the guest -> a tiny metadata HTTP server of this test
  on 127.0.0.1 (guestfwd with `cmd:busybox nc 127.0.0.1 PORT`, one nc per
  guest connection; a plain `tcp:` chardev forward carries one connection only);
* 127.0.0.1:SSHPORT on the host -> port 22 of the guest (hostfwd), so that the
  SSH server and the injected key can be tried with dropbear's client.

The serial console (ttyS0) goes to a file, where the boot markers are read.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration]

REPO = Path(__file__).resolve().parents[3]
BUILD_SCRIPT = REPO / "image" / "guest" / "build-guest-image.sh"

BOOT_TIMEOUT = 120  # seconds from qemu start to "guest: boot complete"
MAX_IMAGE_BYTES = 40 * 1024 * 1024
INSTANCE_ID = "6f1c1f5e-2a0e-4c1b-9a57-0d5c3b0e7a11"
HOSTNAME = "test-guest-01.novalocal"
GUEST_IP = "169.254.0.15"
USER_DATA = (
    "#!/bin/sh\n"
    'echo "USERDATA-KEYS: $(cat /root/.ssh/authorized_keys)"\n'
    'echo "USERDATA-GUESTKEYS: $(cat /home/guest/.ssh/authorized_keys)"\n'
    'echo "USERDATA-ID: $(id -u)"\n'
)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def built_image(tmp_path_factory):
    """Build the image once; yields (path, build stdout)."""
    if os.geteuid() != 0:
        pytest.skip("building the guest image needs root (it installs Debian packages)")
    if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
        pytest.skip("building the guest image needs a Debian system (apt-get, dpkg-deb)")
    workdir = tmp_path_factory.mktemp("guest-image")
    out = workdir / "guest.qcow2"
    try:
        started = time.monotonic()
        # Built under umask 077, as devstack builds it: the image's modes must not follow.
        proc = subprocess.run(
            ["bash", "-c", 'umask 077 && exec bash "$0" "$1"', str(BUILD_SCRIPT), str(out)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=900,
        )
        elapsed = time.monotonic() - started
        if proc.returncode != 0:
            pytest.fail("build-guest-image.sh failed (rc=%d)\nstdout:\n%s\nstderr:\n%s"
                        % (proc.returncode, proc.stdout[-4000:], proc.stderr[-4000:]))
        print("\n[guest image] built in %.1fs:\n%s" % (elapsed, proc.stdout))
        for tool in ("qemu-system-x86_64", "qemu-img"):
            if not shutil.which(tool):
                pytest.skip("%s missing (the build script should have installed it)" % tool)
        yield out, proc.stdout
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def image_tree(built_image, tmp_path_factory):
    """The image converted to raw, plus its initramfs unpacked (for static checks)."""
    image, _ = built_image
    workdir = tmp_path_factory.mktemp("guest-image-tree")
    try:
        raw = workdir / "disk.raw"
        subprocess.run(["qemu-img", "convert", "-f", "qcow2", "-O", "raw", str(image), str(raw)],
                       check=True)
        initrd = workdir / "initrd.gz"
        subprocess.run(["mcopy", "-n", "-i", "%s@@1M" % raw, "::initrd.gz", str(initrd)],
                       check=True)
        root = workdir / "root"
        root.mkdir()
        subprocess.run("gzip -dc %s | cpio -id --quiet" % initrd, shell=True, cwd=root,
                       check=True)
        yield raw, root
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


class MetadataServer:
    """A tiny metadata service on 127.0.0.1 serving OpenStack and/or EC2 paths."""

    def __init__(self, public_key, openstack=True, user_data=USER_DATA):
        meta = {
            "uuid": INSTANCE_ID,
            "name": "test-guest-01",
            "hostname": HOSTNAME,
            "availability_zone": "nova",
            "launch_index": 0,
            "project_id": "b0b5e2d6d1e84c4cbd0c7a2d1f0f9a3e",
            "public_keys": {"testkey": public_key + "\n"},
            "keys": [{"name": "testkey", "type": "ssh", "data": public_key + "\n"}],
        }
        self.routes = {
            "/latest/meta-data/instance-id": INSTANCE_ID.encode(),
            "/latest/meta-data/hostname": HOSTNAME.encode(),
            "/latest/meta-data/public-keys/": b"0=testkey",
            "/latest/meta-data/public-keys/0/openssh-key": (public_key + "\n").encode(),
            "/latest/user-data": user_data.encode(),
        }
        if openstack:
            self.routes["/openstack/latest/meta_data.json"] = json.dumps(meta).encode()
            self.routes["/openstack/latest/user_data"] = user_data.encode()
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self):
                server.requests.append(self.path)
                body = server.routes.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class Guest:
    """One QEMU (TCG) run of a disk, serial console in a file."""

    def __init__(self, disk, workdir, md_port, ssh_port=None, name="guest"):
        self.disk = disk
        self.console = workdir / ("%s-console.log" % name)
        self.qmp_path = workdir / ("%s-qmp.sock" % name)
        self.md_port = md_port
        self.ssh_port = ssh_port
        self.proc = None
        self.started = None

    def start(self):
        netdev = ("user,id=n0,restrict=on,net=169.254.0.0/16,host=169.254.0.2,"
                  "dhcpstart=169.254.0.15,"
                  "guestfwd=tcp:169.254.169.254:80-cmd:busybox nc 127.0.0.1 %d" % self.md_port)
        if self.ssh_port:
            netdev += ",hostfwd=tcp:127.0.0.1:%d-:22" % self.ssh_port
        cmd = [
            "qemu-system-x86_64", "-machine", "accel=tcg", "-m", "256", "-smp", "1",
            "-display", "none", "-monitor", "none", "-no-reboot",
            "-serial", "file:%s" % self.console,
            "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
            "-drive", "file=%s,if=virtio,format=qcow2" % self.disk,
            "-netdev", netdev, "-device", "virtio-net-pci,netdev=n0",
        ]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        return self

    def output(self):
        try:
            return self.console.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_for(self, pattern, timeout):
        """Wait until regex `pattern` shows on the console; return the match."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.output())
            if m:
                return m
            if self.proc.poll() is not None:
                out = self.proc.stdout.read().decode(errors="replace")
                pytest.fail("qemu exited (rc=%s) before %r\nqemu: %s\nconsole:\n%s"
                            % (self.proc.returncode, pattern, out, self.output()[-6000:]))
            if time.monotonic() > deadline:
                pytest.fail("no %r on the console within %ss\nconsole:\n%s"
                            % (pattern, timeout, self.output()[-6000:]))
            time.sleep(0.2)

    def powerdown(self, timeout=60):
        """ACPI power button through QMP; returns True if the guest powered off."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(10)
            s.connect(str(self.qmp_path))
            f = s.makefile("rwb")
            f.readline()  # greeting
            for command in ({"execute": "qmp_capabilities"}, {"execute": "system_powerdown"}):
                f.write(json.dumps(command).encode() + b"\n")
                f.flush()
                f.readline()
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()


def _ssh(key, port, user, command, home):
    """Run `command` in the guest with dropbear's client; returns CompletedProcess."""
    cmd = ["dbclient", "-y", "-y", "-i", str(key), "-p", str(port),
           "%s@127.0.0.1" % user, command]
    env = dict(os.environ, HOME=str(home))
    last = None
    for _ in range(10):
        last = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=60, env=env,
                              start_new_session=True)
        if last.returncode == 0:
            return last
        time.sleep(2)
    return last


@pytest.fixture
def workdir(tmp_path):
    yield tmp_path
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.fixture
def client_key(workdir):
    """A dropbear key pair for the test; returns (private key path, public key line)."""
    key = workdir / "id_ed25519"
    out = subprocess.run(["dropbearkey", "-t", "ed25519", "-f", str(key)],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         check=True).stdout
    pub = next(line for line in out.splitlines() if line.startswith("ssh-ed25519 "))
    pub = pub.rsplit(" ", 1)[0] + " guest-image-test"
    return key, pub


def _overlay(image, workdir, name):
    """A qcow2 overlay on the image, as the compute service makes for an instance."""
    disk = workdir / ("%s.qcow2" % name)
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                    str(image), str(disk)], check=True)
    return disk


# ---------------------------------------------------------------- tests


def test_image_file(built_image, image_tree):
    image, build_out = built_image
    raw, root = image_tree
    assert "md5:" in build_out and str(image) in build_out
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", str(image)],
                                     stdout=subprocess.PIPE, check=True, text=True).stdout)
    assert info["format"] == "qcow2"
    size = image.stat().st_size
    print("\n[guest image] %d bytes (%.1f MiB), virtual %d bytes"
          % (size, size / 2**20, info["virtual-size"]))
    assert size < MAX_IMAGE_BYTES

    # MBR: boot signature, one bootable FAT partition at 1 MiB.
    mbr = raw.read_bytes()[:512]
    assert mbr[510:512] == b"\x55\xaa"
    assert mbr[446] == 0x80 and mbr[446 + 4] == 0x0C
    assert int.from_bytes(mbr[446 + 8:446 + 12], "little") == 2048
    listing = subprocess.run(["mdir", "-a", "-b", "-i", "%s@@1M" % raw, "::/"],
                             stdout=subprocess.PIPE, text=True, check=True).stdout
    for name in ("VMLINUZ", "INITRD.GZ", "SYSLINUX.CFG", "LDLINUX.SYS"):
        assert name.lower() in listing.lower(), listing

    # initramfs: busybox init, dropbear with its libraries, virtio drivers, scripts.
    for rel in ("init", "bin/busybox", "sbin/init", "usr/sbin/dropbear", "usr/bin/dropbearkey",
                "usr/share/udhcpc/default.script", "usr/sbin/guest-metadata",
                "etc/init.d/rcS", "etc/inittab", "lib64/ld-linux-x86-64.so.2"):
        assert (root / rel).exists() or (root / rel).is_symlink(), rel
    modules = (root / "etc/guest/modules").read_text().split()
    for mod in ("virtio_pci.ko", "virtio_blk.ko", "virtio_net.ko", "virtio.ko",
                "virtio_ring.ko", "failover.ko", "net_failover.ko", "vfat.ko"):
        assert any(m.endswith("/" + mod) for m in modules), mod
    for m in modules:
        assert (root / m.lstrip("/")).is_file(), m
    # virtio_ring/virtio before virtio_pci, and virtio_pci before the device drivers.
    order = [m.rsplit("/", 1)[1] for m in modules]
    assert order.index("virtio_ring.ko") < order.index("virtio_pci.ko") < order.index("virtio_net.ko")
    assert "ttyS0" in (root / "etc/inittab").read_text()
    shadow = (root / "etc/shadow").read_text()
    assert re.search(r"^guest:\$6\$", shadow, re.M) and re.search(r"^root:\*:", shadow, re.M)

    # Modes as the archive holds them (built under umask 077): what 'guest' needs to log
    # in is readable and searchable by all; only root's home and the shadow file are not.
    listing = subprocess.run("gzip -dc %s | cpio -tv --quiet" % (raw.parent / "initrd.gz"),
                             shell=True, stdout=subprocess.PIPE, text=True, check=True).stdout
    modes = {line.split()[-1]: line.split()[0] for line in listing.splitlines()}
    for rel in ("bin", "bin/busybox", "etc", "etc/passwd", "etc/group", "home", "usr",
                "usr/sbin", "usr/sbin/dropbear", "lib", "etc/profile", "etc/init.d/rcS"):
        assert modes[rel][7] == "r", (rel, modes[rel])
        if modes[rel].startswith("d") or rel in ("bin/busybox", "usr/sbin/dropbear"):
            assert modes[rel][9] == "x", (rel, modes[rel])
    assert modes["etc/shadow"] == "-rw-------" and modes["root"] == "drwx------"


def test_dhcp_script_routes(image_tree):
    """The udhcpc script applies option 121 (classless static routes) over the router option."""
    _, root = image_tree
    if not shutil.which("unshare"):
        pytest.skip("unshare missing")
    script = r"""
set -e
mount -t sysfs sysfs /sys
mkdir -p /run/guest
ip link add eth9 type veth peer name eth8
ip link set lo up
export interface=eth9 ip=10.9.0.5 mask=24 router=10.9.0.254 dns="10.9.0.3 10.9.0.4" \
       search=example.org mtu=1450 \
       staticroutes="169.254.169.254/32 10.9.0.2 0.0.0.0/0 10.9.0.1 192.168.50.0/24 0.0.0.0 172.16.0.0/12 10.20.0.1"
/usr/share/udhcpc/default.script deconfig
/usr/share/udhcpc/default.script bound
echo ==routes121; ip -4 route show
echo ==addr; ip -4 addr show dev eth9; ip link show eth9
echo ==resolv; cat /etc/resolv.conf
staticroutes= /usr/share/udhcpc/default.script renew
echo ==routes3; ip -4 route show
/usr/share/udhcpc/default.script deconfig
echo ==deconfig; ip -4 route show
"""
    proc = subprocess.run(["unshare", "--net", "--mount", "chroot", str(root), "/bin/sh", "-c",
                           script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=60)
    if proc.returncode != 0 and "unshare failed" in proc.stdout:
        pytest.skip("cannot create namespaces here: %s" % proc.stdout)
    assert proc.returncode == 0, proc.stdout
    sections = dict(part.split("\n", 1) for part in proc.stdout.split("==")[1:])
    r121 = sections["routes121"]
    assert re.search(r"^default via 10\.9\.0\.1 dev eth9", r121, re.M), r121
    assert re.search(r"^169\.254\.169\.254 via 10\.9\.0\.2 dev eth9", r121, re.M), r121
    assert re.search(r"^192\.168\.50\.0/24 dev eth9", r121, re.M), r121
    assert re.search(r"^172\.16\.0\.0/12 via 10\.20\.0\.1 dev eth9 .*onlink", r121, re.M), r121
    assert "10.9.0.254" not in r121  # RFC 3442: router option ignored when 121 is present
    assert "inet 10.9.0.5/24" in sections["addr"] and "mtu 1450" in sections["addr"]
    assert sections["resolv"].split("\n")[:3] == [
        "search example.org", "nameserver 10.9.0.3", "nameserver 10.9.0.4"]
    r3 = sections["routes3"]
    assert re.search(r"^default via 10\.9\.0\.254 dev eth9", r3, re.M), r3
    assert "169.254.169.254" not in r3 and "172.16.0.0" not in r3
    assert "via" not in sections["deconfig"]


def test_boot_openstack_metadata_ssh_and_reboot(built_image, workdir, client_key):
    image, _ = built_image
    key, pub = client_key
    disk = _overlay(image, workdir, "instance")
    ssh_port = _free_port()
    guest = reboot = None
    with MetadataServer(pub) as md:
        try:
            guest = Guest(disk, workdir, md.port, ssh_port=ssh_port, name="boot1").start()
            done = guest.wait_for(r"guest: boot complete[^\n]*", BOOT_TIMEOUT)
            boot_time = time.monotonic() - guest.started
            uptime = re.search(r"uptime=([\d.]+)s", done.group(0)).group(1)
            print("\n[guest image] boot to 'boot complete': %.1fs wall (guest uptime %ss)"
                  % (boot_time, uptime))
            out = guest.output()
            assert re.search(r"guest: dhcp ok %s\b" % re.escape(GUEST_IP), out), out
            assert "guest: metadata ok hostname=%s " % HOSTNAME in out, out
            assert "source=openstack" in out
            assert "guest: ssh keys installed count=1" in out
            # the user-data script ran as root and saw the key from the metadata service
            assert "USERDATA-KEYS: %s" % pub in out, out
            assert "USERDATA-GUESTKEYS: %s" % pub in out, out
            assert "USERDATA-ID: 0" in out
            assert "guest: user-data script done rc=0" in out
            assert "guest: ssh host keys generated" in out
            assert "-----BEGIN SSH HOST KEY FINGERPRINTS-----" in out
            assert "guest: sshd started port=22" in out
            assert "/openstack/latest/meta_data.json" in md.requests
            assert "/openstack/latest/user_data" in md.requests
            guest.wait_for(r"test-guest-01 login:", 60)

            # SSH with the injected key, as root and as guest.
            res = _ssh(key, ssh_port, "root", "hostname; id -u; cat /etc/os-release", workdir)
            assert res.returncode == 0, res.stderr
            assert res.stdout.split("\n")[:2] == ["test-guest-01", "0"], res.stdout
            res = _ssh(key, ssh_port, "guest", "id -un; cat ~/.ssh/authorized_keys", workdir)
            assert res.returncode == 0, res.stderr
            assert res.stdout.split("\n")[:2] == ["guest", pub], res.stdout

            # ACPI power button -> clean poweroff (what `virsh shutdown` does).
            assert guest.powerdown(timeout=60), guest.output()[-3000:]
            assert "guest: shutting down" in guest.output()
            guest.kill()

            # Second boot of the same disk: host keys kept, user data not run again.
            md.requests.clear()
            reboot = Guest(disk, workdir, md.port, name="boot2").start()
            reboot.wait_for(r"guest: boot complete", BOOT_TIMEOUT)
            out2 = reboot.output()
            assert "guest: ssh host keys restored" in out2, out2
            assert "guest: user-data already processed for instance %s" % INSTANCE_ID in out2
            assert "USERDATA-KEYS" not in out2

            def keys(text):
                block = text.split("-----BEGIN SSH HOST KEY KEYS-----")[1]
                return block.split("-----END SSH HOST KEY KEYS-----")[0].split()
            assert keys(out) == keys(out2)
        finally:
            for g in (guest, reboot):
                if g:
                    g.kill()


def test_boot_ec2_metadata_fallback(built_image, workdir, client_key):
    image, _ = built_image
    _, pub = client_key
    disk = _overlay(image, workdir, "ec2")
    guest = None
    with MetadataServer(pub, openstack=False) as md:
        try:
            guest = Guest(disk, workdir, md.port, name="ec2").start()
            guest.wait_for(r"guest: boot complete", BOOT_TIMEOUT)
            out = guest.output()
            assert re.search(r"guest: dhcp ok %s\b" % re.escape(GUEST_IP), out), out
            assert "guest: metadata ok hostname=%s " % HOSTNAME in out, out
            assert "source=ec2" in out
            assert "guest: ssh keys installed count=1" in out
            assert "USERDATA-KEYS: %s" % pub in out, out
            assert "/latest/meta-data/public-keys/0/openssh-key" in md.requests
            assert "/latest/user-data" in md.requests
        finally:
            if guest:
                guest.kill()
