"""The libvirt driver with real libvirt and QEMU: one server goes through its life.

Run as root under the heavy lock (it boots guests, makes taps, a bridge, a namespace and
maybe a tgt target):
    flock /tmp/cirrostack-heavy.lock .venv/bin/python -m pytest -q tests/integration/compute_virt

The guest image of this checkout is built, a bridge with a namespace behind it plays the
network (dnsmasq hands out fixed leases there; the test enslaves taps into the bridge as the
network bridge agent would), and a server is spawned paused, resumed, rebooted, powered
off and on, paused, suspended, snapshotted, resized, rescued, given a NIC and an iSCSI volume
and destroyed.  Every step checks what a user would see: the serial console, the guest
answering pings from the namespace, the disks, the domain.  The tests run in file order on
the one server; each leaves it running.
"""
import os
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import libvirt
import pytest

import compute_virt_helpers as helpers
from compute.drivers import base
from compute.drivers import power_state as ps
from compute.drivers.libvirt import config
from compute.drivers.libvirt import disks
from compute.drivers.libvirt.driver import LibvirtDriver
from compute.drivers.libvirt.settings import LibvirtSettings

pytestmark = [pytest.mark.integration]
SKIP = helpers.skip_reason()
GiB = 1024 ** 3
USER_DATA = b'#!/bin/sh\necho "USERDATA-RAN $(hostname)"\n'


class Env:
    """Driver, network and the servers a test made (destroyed at the end, whatever)."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.net = helpers.GuestNetwork()
        self.instances = []
        self.driver = None
        self.image_path = None
        self.image_meta = None
        self.fetcher = None
        self.conn = None

    def instance(self, name, flavor=None, **kw):
        flavor = flavor or base.Flavor('f-nano', 'm1.nano', 1, 128, 1)
        inst = base.Instance(uuid=str(uuid.uuid4()), name=name, hostname=name, flavor=flavor,
                             config_drive=True, user_data=USER_DATA,
                             public_keys={'k1': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 test'}, **kw)
        self.instances.append(inst)
        return inst

    def vif(self, index):
        mac = helpers.random_mac()
        ip = self.net.add_host(mac, index)
        return base.VIF(port_id=str(uuid.uuid4()), mac=mac, mtu=1500, fixed_ips=[
            base.FixedIP(address=ip, cidr=self.net.prefix + '.0/24',
                         gateway=self.net.gateway)]), ip


@pytest.fixture(scope='module')
def env():
    if SKIP:
        pytest.skip(SKIP)
    # Not under pytest's tmp (mode 0700): QEMU runs as another user and must reach its disks.
    tmp = tempfile.mkdtemp(prefix='cs-virt-', dir='/var/tmp')
    os.chmod(tmp, 0o711)
    e = Env(tmp)
    try:
        helpers.start_libvirt()
        e.image_path = helpers.build_guest_image(tmp)
        meta, e.fetcher = helpers.image_meta_for(e.image_path)
        e.image_meta = base.ImageMeta(**meta)
        settings = LibvirtSettings(instances_path=os.path.join(tmp, 'instances'),
                                   virt_type='auto', shutdown_timeout=30,
                                   device_detach_timeout=30)
        e.driver = LibvirtDriver(settings)
        started = time.monotonic()
        e.driver.init_host('virt-test')
        helpers.record('init_host incl. KVM probe (s)', time.monotonic() - started)
        e.conn = e.driver.host.get_connection()
        e.net.up()
        yield e
    finally:
        for inst in e.instances:
            if e.driver is not None:
                try:
                    e.driver.destroy(inst)
                except Exception as exc:   # keep cleaning
                    print('cleanup of %s failed: %s' % (inst.uuid, exc))
        e.net.teardown()
        shutil.rmtree(tmp, ignore_errors=True)


class Server:
    def __init__(self, inst, vif, ip):
        self.inst, self.vif, self.ip = inst, vif, ip


@pytest.fixture(scope='module')
def server(env):
    """Spawned paused, the tap plugged as the bridge agent would, then resumed."""
    inst = env.instance('vm1')
    vif, ip = env.vif(0)
    started = time.monotonic()
    env.driver.spawn(inst, env.image_meta, [vif], image_fetcher=env.fetcher, paused=True)
    helpers.record('spawn paused incl. first image download (s)', time.monotonic() - started)
    return Server(inst, vif, ip)


def _dom(env, inst):
    return env.conn.lookupByUUIDString(inst.uuid)


def _wait_boot(env, inst, count, timeout=120, label=None):
    started = time.monotonic()
    text = helpers.wait_console(env.driver, inst, helpers.BOOT_MARKER, count, timeout)
    if label:
        helpers.record(label, time.monotonic() - started)
    return text


def test_virt_type_detected_by_trying(env):
    drv = env.driver
    assert drv.virt_type in ('kvm', 'qemu')
    if drv.virt_type == 'qemu':
        assert 'KVM unusable' in drv.virt_type_reason
    dom_xml = config.parse(_dom(env, env.instances[0]).XMLDesc(0)) if env.instances else None
    assert dom_xml is None or dom_xml.get('type') == drv.virt_type


def test_spawn_paused_waits_then_boots_with_dhcp_and_config_drive(env, server):
    drv, inst = env.driver, server.inst
    assert drv.get_info(inst).state == ps.PAUSED
    tap = server.vif.tap_name
    assert os.path.exists('/sys/class/net/%s' % tap)
    time.sleep(1)
    assert helpers.boots(drv.get_console_output(inst)) == 0     # nothing ran yet
    env.net.plug(tap)
    started = time.monotonic()
    drv.resume_spawned(inst)
    text = _wait_boot(env, inst, 1, label='resume -> "boot complete" under %s (s)'
                      % drv.virt_type)
    helpers.record('guest uptime at "boot complete" (s)', float(
        re.search(r'boot complete .* uptime=([\d.]+)s', text).group(1)))
    assert 'guest: config drive /dev/sr0' in text
    assert re.search(r'metadata ok hostname=vm1\.novalocal instance-id=%s source=configdrive'
                     % inst.uuid, text)
    assert 'dhcp ok %s on eth0' % server.ip in text
    assert 'USERDATA-RAN vm1' in text
    assert re.search(r'boot complete hostname=vm1 ip=%s' % re.escape(server.ip), text)
    assert drv.get_info(inst).state == ps.RUNNING
    assert env.net.wait_ping(server.ip)
    helpers.record('QEMU resident memory of an idle guest, 128 MiB flavor (MiB)',
                   helpers.qemu_rss_mib(inst.uuid))
    helpers.record('resume -> guest answers ping (s)', time.monotonic() - started)
    # The host may run other guests (a devstack cloud beside the tests): ours are listed.
    ours = sorted(i.uuid for i in env.instances)
    assert [uuid for uuid in drv.list_instances() if uuid in ours] == ours
    # A spawn that re-uses the UUID is refused and leaves the server alone.
    with pytest.raises(base.InstanceExists):
        drv.spawn(inst, env.image_meta, [], image_fetcher=env.fetcher)
    assert drv.get_info(inst).state == ps.RUNNING


def test_console_output_is_bounded(env, server):
    out = env.driver.get_console_output(server.inst, max_bytes=300)
    assert 0 < len(out.encode()) <= 300
    helpers.wait_console(env.driver, server.inst, r'vm1 login:', 1, timeout=30)   # getty


def test_vnc_console_answers_rfb(env, server):
    endpoint = env.driver.get_vnc_console(server.inst)
    assert endpoint.host == '127.0.0.1' and endpoint.port >= 5900
    with socket.create_connection((endpoint.host, endpoint.port), timeout=5) as s:
        assert s.recv(12).startswith(b'RFB ')


def test_pause_unpause(env, server):
    drv = env.driver
    drv.pause(server.inst)
    assert drv.get_info(server.inst).state == ps.PAUSED
    assert not env.net.ping(server.ip, wait=1)
    drv.unpause(server.inst)
    with pytest.raises(base.InvalidState):
        drv.unpause(server.inst)                 # not paused any more
    assert drv.get_info(server.inst).state == ps.RUNNING
    assert env.net.wait_ping(server.ip)


def test_soft_reboot_goes_through_the_guest(env, server):
    drv = env.driver
    before = helpers.boots(drv.get_console_output(server.inst, 1024 * 1024))
    started = time.monotonic()
    assert drv.reboot(server.inst, [server.vif], 'SOFT') == 'SOFT'
    text = _wait_boot(env, server.inst, before + 1)
    helpers.record('soft reboot -> "boot complete" (s)', time.monotonic() - started)
    assert 'guest: shutting down' in text
    assert 'ssh host keys restored' in text.split('guest: shutting down')[-1]
    assert env.net.wait_ping(server.ip)      # the tap stayed on the bridge


def test_hard_reboot(env, server):
    drv = env.driver
    before = helpers.boots(drv.get_console_output(server.inst, 1024 * 1024))
    assert drv.reboot(server.inst, [server.vif], 'HARD') == 'HARD'
    _wait_boot(env, server.inst, before + 1, label='hard reboot -> "boot complete" (s)')
    assert env.net.wait_ping(server.ip)


def test_power_off_and_on(env, server):
    drv = env.driver
    before = helpers.boots(drv.get_console_output(server.inst, 1024 * 1024))
    started = time.monotonic()
    assert drv.power_off(server.inst, timeout=30) is True          # clean, through ACPI
    helpers.record('clean power off (s)', time.monotonic() - started)
    assert drv.get_info(server.inst).state == ps.SHUTDOWN
    assert drv.list_instance_power_states()[server.inst.uuid] == ps.SHUTDOWN
    assert ps.reconcile('active', None, ps.SHUTDOWN).action == ps.MARK_STOPPED
    assert not env.net.ping(server.ip, wait=1)
    with pytest.raises(base.ConsoleNotAvailable):
        drv.get_vnc_console(server.inst)
    drv.power_on(server.inst, [server.vif])
    _wait_boot(env, server.inst, before + 1, label='power on -> "boot complete" (s)')
    assert env.net.wait_ping(server.ip)


def test_suspend_resume_keeps_the_running_guest(env, server):
    drv = env.driver
    before = helpers.boots(drv.get_console_output(server.inst, 1024 * 1024))
    started = time.monotonic()
    drv.suspend(server.inst)
    helpers.record('suspend (managed save, 128 MiB) (s)', time.monotonic() - started)
    assert drv.get_info(server.inst).state == ps.SUSPENDED
    assert not os.path.exists('/run/libvirt/qemu/instance-%s.pid' % server.inst.uuid)
    started = time.monotonic()
    drv.resume(server.inst, [server.vif])
    helpers.record('resume from managed save (s)', time.monotonic() - started)
    assert drv.get_info(server.inst).state == ps.RUNNING
    assert env.net.wait_ping(server.ip)
    time.sleep(1)
    assert helpers.boots(drv.get_console_output(server.inst, 1024 * 1024)) == before
    with pytest.raises(base.InvalidState):
        drv.unpause(server.inst)                 # running, not paused


def test_snapshot_is_a_standalone_image_that_boots(env, server):
    drv = env.driver
    target = os.path.join(env.tmp, 'snap.qcow2')
    started = time.monotonic()
    snap = drv.snapshot(server.inst, target)
    helpers.record('snapshot of a running guest (s)', time.monotonic() - started)
    assert drv.get_info(server.inst).state == ps.RUNNING       # paused only meanwhile
    info = disks.info(target, 'qcow2')
    assert 'backing-filename' not in info and snap.disk_format == 'qcow2'
    assert snap.virtual_size == 1 * GiB and snap.size == os.path.getsize(target)
    meta, fetcher = helpers.image_meta_for(target)
    clone = env.instance('snapclone')
    vif, ip = env.vif(1)
    drv.spawn(clone, base.ImageMeta(**meta), [vif], image_fetcher=fetcher, paused=True)
    env.net.plug(vif.tap_name)
    drv.resume_spawned(clone)
    text = _wait_boot(env, clone, 1, label='snapshot clone spawn -> "boot complete" (s)')
    # A new instance id on the copied state: fresh host keys, user data runs again.
    assert 'new instance %s' % clone.uuid in text
    assert 'USERDATA-RAN snapclone' in text
    assert env.net.wait_ping(ip)
    drv.destroy(clone, [vif])
    assert not os.path.exists('/sys/class/net/' + vif.tap_name)


def test_resize_grows_disk_and_cpus_then_revert(env, server):
    drv = env.driver
    paths = drv._paths(server.inst.uuid)
    bigger = base.Flavor('f-small', 'm1.small', 2, 192, 2)
    before = helpers.boots(drv.get_console_output(server.inst, 1024 * 1024))
    started = time.monotonic()
    drv.resize(server.inst, bigger, [server.vif], env.image_meta)
    text = _wait_boot(env, server.inst, before + 1)
    helpers.record('resize (power off, grow, boot) -> "boot complete" (s)',
                   time.monotonic() - started)
    assert disks.virtual_size(paths.disk, 'qcow2') == 2 * GiB
    dom = config.parse(_dom(env, server.inst).XMLDesc(0))
    assert dom.findtext('vcpu') == '2' and dom.findtext('memory') == str(192 * 1024)
    last_boot = text.rsplit('guest: shutting down', 1)[-1]
    assert '[vda] 4194304 512-byte logical blocks' in last_boot      # the guest sees 2 GiB
    assert 'Brought up 1 node, 2 CPUs' in last_boot
    assert env.net.wait_ping(server.ip)
    with pytest.raises(base.InvalidState):                          # one resize at a time
        drv.resize(server.inst, bigger, [server.vif], env.image_meta)
    resized = base.Instance.from_dict(dict(server.inst.to_dict(), flavor=bigger.to_dict()))
    drv.revert_resize(resized, server.inst.flavor, [server.vif], env.image_meta)
    _wait_boot(env, server.inst, before + 2)
    assert disks.virtual_size(paths.disk, 'qcow2') == 1 * GiB
    assert config.parse(_dom(env, server.inst).XMLDesc(0)).findtext('vcpu') == '1'
    assert not os.path.exists(paths.resize_backup)
    smaller = base.Flavor('f-z', 'm1.z', 1, 128, 0, ephemeral_gb=0)
    tiny_root = base.Flavor('f-t', 'm1.t', 1, 128, 1)
    drv.resize(server.inst, base.Flavor('f-m', 'm1.m', 1, 128, 3), [server.vif],
               env.image_meta, power_on=False)
    grown = base.Instance.from_dict(dict(server.inst.to_dict(),
                                         flavor={'id': 'f-m', 'name': 'm1.m', 'vcpus': 1,
                                                 'memory_mb': 128, 'root_gb': 3}))
    drv.confirm_resize(grown)
    assert not os.path.exists(paths.resize_backup)
    with pytest.raises(base.InvalidInput, match='shrink'):
        drv.resize(grown, tiny_root, [server.vif], env.image_meta)
    drv.resize(grown, smaller, [server.vif], env.image_meta)     # root_gb 0: keep the size
    assert disks.virtual_size(paths.disk, 'qcow2') == 3 * GiB
    drv.confirm_resize(grown)
    _wait_boot(env, server.inst, before + 3)
    assert env.net.wait_ping(server.ip)


def test_rescue_boots_the_rescue_disk_with_the_server_disk_second(env, server):
    drv = env.driver
    paths = drv._paths(server.inst.uuid)
    before = helpers.boots(drv.get_console_output(server.inst, 1024 * 1024))
    started = time.monotonic()
    drv.rescue(server.inst, [server.vif], env.image_meta)
    text = _wait_boot(env, server.inst, before + 1)
    helpers.record('rescue -> "boot complete" (s)', time.monotonic() - started)
    dom = config.parse(_dom(env, server.inst).XMLDesc(0))
    targets = config.disk_targets(dom)
    assert targets['vda'] == paths.rescue_disk and targets['vdb'] == paths.disk
    assert '[vdb]' in text.rsplit('guest: shutting down', 1)[-1]
    assert env.net.wait_ping(server.ip)
    with pytest.raises(base.InvalidState, match='already in rescue'):
        drv.rescue(server.inst, [server.vif], env.image_meta)
    drv.unrescue(server.inst, [server.vif])
    _wait_boot(env, server.inst, before + 2, label='unrescue -> "boot complete" (s)')
    assert config.disk_targets(config.parse(_dom(env, server.inst).XMLDesc(0)))['vda'] == \
        paths.disk
    assert not os.path.exists(paths.rescue_disk) and not os.path.exists(paths.unrescue_xml)
    with pytest.raises(base.InvalidState, match='not in rescue'):
        drv.unrescue(server.inst)
    assert env.net.wait_ping(server.ip)


def test_rebuild_gives_a_fresh_root_disk_on_the_same_taps(env, server):
    drv = env.driver
    before = helpers.boots(drv.get_console_output(server.inst, 1024 * 1024))
    started = time.monotonic()
    drv.rebuild(server.inst, env.image_meta, [server.vif])
    text = _wait_boot(env, server.inst, before + 1)
    helpers.record('rebuild -> "boot complete" (s)', time.monotonic() - started)
    # The old disk's state (host keys) is gone: a fresh disk of the image booted.
    assert 'ssh host keys generated' in text.rsplit('guest: shutting down', 1)[-1]
    assert env.net.wait_ping(server.ip)          # no re-plug: the tap never went away


def test_interface_hotplug(env, server):
    drv = env.driver
    vif, ip = env.vif(5)
    drv.attach_interface(server.inst, vif)
    assert os.path.exists('/sys/class/net/' + vif.tap_name)
    live = config.parse(_dom(env, server.inst).XMLDesc(0))
    assert config.interface_by_mac(live, vif.mac) is not None
    persistent = config.parse(_dom(env, server.inst).XMLDesc(
        libvirt.VIR_DOMAIN_XML_INACTIVE))
    assert config.interface_by_mac(persistent, vif.mac) is not None
    env.net.plug(vif.tap_name)
    with pytest.raises(base.InvalidState):
        drv.attach_interface(server.inst, vif)
    drv.detach_interface(server.inst, vif)
    assert not os.path.exists('/sys/class/net/' + vif.tap_name)
    assert config.interface_by_mac(config.parse(_dom(env, server.inst).XMLDesc(0)),
                                   vif.mac) is None
    assert env.net.ping(server.ip)                     # the first NIC is untouched


def test_iscsi_volume_with_chap_hotplugs(env, server):
    if not helpers.IscsiTarget.available():
        pytest.skip('tgt is not installed')
    drv = env.driver
    target = helpers.IscsiTarget().start()
    try:
        att = base.VolumeAttachment(volume_id='vol-%d' % target.tid,
                                    connection_info=target.connection_info())
        # A wrong CHAP password: QEMU's initiator cannot log in; nothing is left behind.
        bad = base.VolumeAttachment(volume_id=att.volume_id,
                                    connection_info=target.connection_info('wrong-password'))
        with pytest.raises(base.VirtError):
            drv.attach_volume(server.inst, bad)
        with pytest.raises(libvirt.libvirtError):
            env.conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_ISCSI,
                                         config.secret_usage(att.volume_id))
        before = drv.get_console_output(server.inst, 1024 * 1024)
        dev = drv.attach_volume(server.inst, att)
        assert dev == 'vdb'
        secret = env.conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_ISCSI,
                                              config.secret_usage(att.volume_id))
        with pytest.raises(libvirt.libvirtError):
            secret.value()                            # private: never readable back
        # The guest's kernel found a 16 MiB disk: QEMU logged in to tgt with CHAP.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            new = drv.get_console_output(server.inst, 1024 * 1024)[len(before) - 200:]
            if '[vdb] 32768 512-byte logical blocks' in new:
                break
            time.sleep(0.5)
        assert '[vdb] 32768 512-byte logical blocks' in new
        live = config.parse(_dom(env, server.inst).XMLDesc(0))
        assert config.secret_usages(live) == [config.secret_usage(att.volume_id)]
        drv.detach_volume(server.inst, att)
        live = config.parse(_dom(env, server.inst).XMLDesc(0))
        assert 'vdb' not in config.disk_targets(live)
        with pytest.raises(libvirt.libvirtError):
            env.conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_ISCSI,
                                         config.secret_usage(att.volume_id))
        # Attached again for the destroy test: destroy must remove its secret too.
        drv.attach_volume(server.inst, att)
        server.volume_usage = config.secret_usage(att.volume_id)
    finally:
        server.iscsi = target          # torn down after destroy (the guest holds the LUN)


def _disconnect_this_process():
    """Make libvirtd drop this process's connection (as a libvirtd restart would)."""
    out = helpers.sh('virt-admin', 'srv-clients-list', 'libvirtd').stdout
    dropped = 0
    for line in out.splitlines()[2:]:
        if not line.split():
            continue
        cid = line.split()[0]
        info = helpers.sh('virt-admin', 'client-info', 'libvirtd', cid, check=False).stdout
        if re.search(r'unix_process_id\s*:\s*%d$' % os.getpid(), info, re.M):
            helpers.sh('virt-admin', 'client-disconnect', 'libvirtd', cid)
            dropped += 1
    return dropped


def test_reconnects_after_libvirtd_drops_the_connection(env, server):
    drv = env.driver
    old = drv.host._conn
    reconnects = drv.host.reconnects
    assert _disconnect_this_process() >= 1
    deadline = time.monotonic() + 10
    while not drv.host._stale and time.monotonic() < deadline:
        time.sleep(0.1)                  # the event thread's close callback notices
    assert drv.get_info(server.inst).state == ps.RUNNING
    assert drv.host._conn is not old and drv.host.reconnects == reconnects + 1
    env.conn = drv.host.get_connection()


EVENTLET_SCRIPT = r"""
import eventlet
eventlet.monkey_patch()
import json, sys, time, uuid
from compute.drivers import base
from compute.drivers.libvirt.driver import LibvirtDriver
from compute.drivers.libvirt.settings import LibvirtSettings

instances, image, virt_type = sys.argv[1:4]
data = open(image, 'rb').read()
import hashlib
meta = base.ImageMeta(id=str(uuid.uuid4()), size=len(data),
                      checksum=hashlib.md5(data).hexdigest())
drv = LibvirtDriver(LibvirtSettings(instances_path=instances, virt_type=virt_type))
drv.init_host('eventlet-test')
ticks = [0]

def ticker():
    while True:
        ticks[0] += 1
        eventlet.sleep(0.01)

eventlet.spawn(ticker)
inst = base.Instance(uuid=str(uuid.uuid4()), name='green', flavor=base.Flavor(
    'f', 'm1.nano', 1, 128, 1))
out = {}
try:
    drv.spawn(inst, meta, [], image_fetcher=lambda i: [data])
    eventlet.sleep(2)
    before, started = ticks[0], time.monotonic()
    drv.suspend(inst)                       # managed save: seconds inside libvirt's C code
    out['suspend_s'] = time.monotonic() - started
    out['ticks'] = ticks[0] - before
    out['state'] = drv.get_info(inst).state
finally:
    drv.destroy(inst)
print(json.dumps(out))
"""


def test_driver_calls_do_not_freeze_an_eventlet_process(env):
    """In a monkey-patched process libvirt calls run through tpool: other green threads
    keep running while QEMU saves a guest's memory."""
    script = os.path.join(env.tmp, 'green.py')
    with open(script, 'w') as f:
        f.write(EVENTLET_SCRIPT)
    instances = os.path.join(env.tmp, 'green-instances')
    proc = subprocess.run([sys.executable, script, instances, env.image_path,
                           env.driver.virt_type], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out['state'] == ps.SUSPENDED
    # A frozen hub would tick once at most; a free one every ~10 ms of the save.
    assert out['ticks'] >= max(5, out['suspend_s'] / 0.01 * 0.3), out
    assert not os.path.exists(os.path.join(instances, '_base')) or \
        [n for n in os.listdir(instances) if not n.startswith(('_', '.'))] == []


def _our_secrets(conn):
    return {s.usageID() for s in conn.listAllSecrets(0)
            if (s.usageID() or '').startswith(config.SECRET_USAGE_PREFIX)}


def test_destroy_leaves_nothing(env, server):
    drv = env.driver
    # Secrets of other guests the host may run (a devstack cloud beside the tests) stay.
    secrets_before = _our_secrets(env.conn)
    paths = drv._paths(server.inst.uuid)
    pid_file = '/run/libvirt/qemu/instance-%s.pid' % server.inst.uuid
    assert os.path.exists(paths.console_log)
    try:
        started = time.monotonic()
        drv.destroy(server.inst, [server.vif])
        helpers.record('destroy of a running guest (s)', time.monotonic() - started)
    finally:
        target = getattr(server, 'iscsi', None)
        if target is not None:
            target.teardown()
    with pytest.raises(libvirt.libvirtError):
        env.conn.lookupByUUIDString(server.inst.uuid)
    assert server.inst.uuid not in drv.list_instances()
    assert not os.path.exists(paths.dir)                # disks, config drive, console log
    assert not os.path.exists('/sys/class/net/' + server.vif.tap_name)
    assert not os.path.exists(pid_file)
    usage = getattr(server, 'volume_usage', None)
    if usage:
        with pytest.raises(libvirt.libvirtError):
            env.conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_ISCSI, usage)
    secrets_after = _our_secrets(env.conn)
    assert secrets_after <= secrets_before and usage not in secrets_after
    with pytest.raises(base.InstanceNotFound):
        drv.get_info(server.inst)
    drv.destroy(server.inst, [server.vif])               # again: nothing to do, no error
    # The image cache keeps the image for the next server; prune takes it once unused.
    assert drv.image_cache.path_of(env.image_meta.id)[0] is not None
    removed = drv.prune_image_cache(min_age=0)
    assert any(env.image_meta.id in p for p in removed)
    assert subprocess.run(['ip', 'link', 'show', 'type', 'tun'], capture_output=True,
                          text=True).stdout.count(server.vif.tap_name) == 0
