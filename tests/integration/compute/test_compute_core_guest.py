"""Real guests on a running devstack cloud (real libvirt/QEMU, bridge and DHCP agents):
a server boots, takes its address by DHCP (the guest's console says so), survives
stop/start, hard reboot, pause and suspend, and its delete leaves no domain, tap or port.

Runs against the cloud whose openrc is in $COMPUTE_TEST_OPENRC (skipped without it), as
its demo user ($COMPUTE_TEST_USER to change), touching only the servers it creates.  Run it under the heavy lock:
    COMPUTE_TEST_OPENRC=/path/openrc flock -o /tmp/cirrostack-heavy.lock \\
        .venv/bin/python -m pytest tests/integration/compute
"""
import json
import os
import re
import subprocess
import time
import uuid

import pytest

OPENRC = os.environ.get('COMPUTE_TEST_OPENRC')
USER = os.environ.get('COMPUTE_TEST_USER', 'demo')     # whose servers the test makes
pytestmark = [pytest.mark.timeout(900),
              pytest.mark.skipif(not OPENRC, reason='COMPUTE_TEST_OPENRC names no cloud')]


def osc(user, *args, check=True):
    cmd = 'source "$1" "$2" >/dev/null && shift 2 && openstack "$@"'
    proc = subprocess.run(['bash', '-c', cmd, 'osc', OPENRC, user] + list(args),
                          capture_output=True, text=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError('openstack %s: %s' % (' '.join(args), proc.stderr[-2000:]))
    return proc.stdout


def show(server_id):
    return json.loads(osc(USER, 'server', 'show', server_id, '-f', 'json'))


def wait_status(server_id, status, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = show(server_id)
        if server['status'] == status and not server.get('OS-EXT-STS:task_state'):
            return server
        if server['status'] == 'ERROR' and status != 'ERROR':
            raise AssertionError('server went ERROR: %s' % server.get('fault'))
        time.sleep(2)
    raise AssertionError('server %s never reached %s (is %s)' % (server_id, status,
                                                                server['status']))


def act(server_id, status, *action):
    """``openstack server <action...> <id>`` then wait for ``status``."""
    osc(USER, 'server', *action, server_id)
    return wait_status(server_id, status)


def console(server_id):
    return osc(USER, 'console', 'log', 'show', server_id)


def wait_dhcp(server_id, address, boots=1, timeout=180):
    """Wait until the console shows the ``boots``-th 'dhcp ok <address>' of the guest."""
    deadline = time.monotonic() + timeout
    log = ''
    while time.monotonic() < deadline:
        log = console(server_id)
        if len(re.findall(r'guest: dhcp ok %s ' % re.escape(address), log)) >= boots:
            return log
        time.sleep(3)
    raise AssertionError('no "dhcp ok %s" (#%d) on the console:\n%s'
                         % (address, boots, log[-3000:]))


def domain_exists(server_id):
    out = subprocess.run(['virsh', '-c', 'qemu:///system', 'list', '--all', '--uuid'],
                         capture_output=True, text=True).stdout
    return server_id in out


def test_guest_boots_gets_dhcp_survives_actions_and_is_deleted_cleanly():
    name = 'core-it-%s' % uuid.uuid4().hex[:6]
    started = time.monotonic()
    created = json.loads(osc(USER, 'server', 'create', '--image', 'guest', '--flavor',
                             'm1.nano', '--network', 'private', '--wait', name, '-f', 'json'))
    server_id = created['id']
    try:
        assert created['status'] == 'ACTIVE', created
        boot_time = time.monotonic() - started
        [address] = re.findall(r'(\d+\.\d+\.\d+\.\d+)', json.dumps(created['addresses']))
        wait_dhcp(server_id, address)
        print('boot to ACTIVE %.1fs, DHCP by %.1fs' % (boot_time, time.monotonic() - started))
        ports = json.loads(osc('admin', 'port', 'list', '--device-id', server_id, '-f',
                               'json'))
        [port] = ports
        tap = 'tap' + port['ID'][:11]
        assert subprocess.run(['ip', 'link', 'show', tap], capture_output=True).returncode == 0

        act(server_id, 'SHUTOFF', 'stop')
        act(server_id, 'ACTIVE', 'start')
        wait_dhcp(server_id, address, boots=2)

        act(server_id, 'ACTIVE', 'reboot', '--hard')
        wait_dhcp(server_id, address, boots=3)

        act(server_id, 'PAUSED', 'pause')
        act(server_id, 'ACTIVE', 'unpause')

        act(server_id, 'SUSPENDED', 'suspend')
        act(server_id, 'ACTIVE', 'resume')
        events = json.loads(osc(USER, 'server', 'event', 'list', server_id, '-f', 'json'))
        assert {'create', 'stop', 'start', 'reboot', 'pause', 'unpause', 'suspend',
                'resume'} <= {e['Action'] for e in events}
    finally:
        osc(USER, 'server', 'delete', '--wait', server_id, check=False)
    assert not domain_exists(server_id)
    assert subprocess.run(['ip', 'link', 'show', tap], capture_output=True).returncode != 0
    assert osc('admin', 'port', 'list', '--device-id', server_id, '-f', 'value').strip() == ''


def flavor_name(server):
    flavor = server['flavor']
    if isinstance(flavor, dict):      # microversion 2.47+: the embedded flavor
        return flavor.get('original_name') or flavor.get('name')
    return flavor.split(' ')[0]


def _boot(name, image='guest', flavor='m1.nano'):
    created = json.loads(osc(USER, 'server', 'create', '--image', image, '--flavor', flavor,
                             '--network', 'private', '--wait', name, '-f', 'json'))
    assert created['status'] == 'ACTIVE', created
    [address] = re.findall(r'(\d+\.\d+\.\d+\.\d+)', json.dumps(created['addresses']))
    return created['id'], address


def test_rebuild_resize_snapshot_rescue_shelve_each_boot_the_guest_again():
    server_id, address = _boot('core-it2-%s' % uuid.uuid4().hex[:6])
    snapshot_server = image_id = None
    boots = 1
    try:
        wait_dhcp(server_id, address, boots)

        act(server_id, 'ACTIVE', 'rebuild', '--image', 'guest', '--wait')
        # A rebuild gives a fresh disk: the console log restarts with it.
        wait_dhcp(server_id, address, 1)
        boots = len(re.findall(r'guest: dhcp ok %s ' % re.escape(address),
                               console(server_id)))

        osc(USER, 'server', 'resize', '--flavor', 'm1.micro', '--wait', server_id)
        server = wait_status(server_id, 'VERIFY_RESIZE')
        assert flavor_name(server) == 'm1.micro'
        boots += 1
        wait_dhcp(server_id, address, boots)
        osc(USER, 'server', 'resize', 'revert', server_id)
        server = wait_status(server_id, 'ACTIVE')
        assert flavor_name(server) == 'm1.nano'
        boots += 1
        wait_dhcp(server_id, address, boots)
        act(server_id, 'VERIFY_RESIZE', 'resize', '--flavor', 'm1.micro', '--wait')
        osc(USER, 'server', 'resize', 'confirm', server_id)
        assert flavor_name(wait_status(server_id, 'ACTIVE')) == 'm1.micro'
        boots += 1
        wait_dhcp(server_id, address, boots)

        snap_name = 'core-it-snap-%s' % uuid.uuid4().hex[:6]
        osc(USER, 'server', 'image', 'create', '--name', snap_name, '--wait', server_id)
        image = json.loads(osc(USER, 'image', 'show', snap_name, '-f', 'json'))
        image_id = image['id']
        assert image['status'] == 'active'
        wait_status(server_id, 'ACTIVE')
        snapshot_server, snap_address = _boot('core-it-fromsnap-%s' % uuid.uuid4().hex[:6],
                                              image=image_id, flavor='m1.micro')
        wait_dhcp(snapshot_server, snap_address)

        act(server_id, 'RESCUE', 'rescue')
        act(server_id, 'ACTIVE', 'unrescue')

        act(server_id, 'SHELVED_OFFLOADED', 'shelve')
        assert not domain_exists(server_id)
        act(server_id, 'ACTIVE', 'unshelve')
        wait_dhcp(server_id, address, 1)
    finally:
        for sid in (server_id, snapshot_server):
            if sid:
                osc(USER, 'server', 'delete', '--wait', sid, check=False)
        if image_id:
            osc(USER, 'image', 'delete', image_id, check=False)
    assert not domain_exists(server_id)
    assert osc('admin', 'port', 'list', '--device-id', server_id, '-f', 'value').strip() == ''


# ---------------------------------------------------------------- volumes
TGT_CONTROL_PORT = os.environ.get('TGT_CONTROL_PORT', '0')

# User data: a watcher on the console that reports each virtio disk after vda as it comes
# and goes, and keeps a marker in its first 64 bytes (written once, read back when the
# disk comes again), so the test sees the guest's view of attach, detach and the data.
DISK_WATCHER = r'''#!/bin/sh
cat > /root/watch.sh <<'EOS'
#!/bin/sh
seen=""
while true; do
  now=""
  for d in /sys/block/vd[b-z]; do
    [ -e "$d" ] || continue
    n=${d##*/}; now="$now $n"
    case " $seen " in *" $n "*) continue;; esac
    [ -b /dev/$n ] || mknod /dev/$n b $(cut -d: -f1 $d/dev) $(cut -d: -f2 $d/dev)
    m=$(dd if=/dev/$n bs=64 count=1 2>/dev/null | tr -dc 'a-z0-9-')
    case "$m" in
      cirrostack-mark-*) echo "guest: disk $n found $m" ;;
      *) m="cirrostack-mark-$(cut -c1-8 /proc/sys/kernel/random/uuid)"
         printf '%-64s' "$m" | dd of=/dev/$n bs=64 count=1 conv=notrunc 2>/dev/null
         sync
         echo "guest: disk $n wrote $m" ;;
    esac
  done
  for n in $seen; do
    case " $now " in *" $n "*) ;; *) echo "guest: disk $n gone" ;; esac
  done
  seen="$now"
  sleep 1
done
EOS
chmod 700 /root/watch.sh
setsid /root/watch.sh </dev/null >/dev/console 2>&1 &
echo "guest: disk watcher started"
'''


def wait_console(server_id, pattern, count=1, timeout=180):
    """The console once ``pattern`` (a regex) matched ``count`` times; the last match."""
    deadline = time.monotonic() + timeout
    log = ''
    while time.monotonic() < deadline:
        log = console(server_id)
        found = re.findall(pattern, log)
        if len(found) >= count:
            return found[count - 1]
        time.sleep(2)
    raise AssertionError('no %r (#%d) on the console:\n%s' % (pattern, count, log[-3000:]))


def volume(name_or_id):
    return json.loads(osc(USER, 'volume', 'show', name_or_id, '-f', 'json'))


def wait_volume(name_or_id, status, timeout=180):
    deadline = time.monotonic() + timeout
    vol = volume(name_or_id)
    while vol['status'] != status:
        assert vol['status'] not in ('error', 'error_deleting'), vol
        assert time.monotonic() < deadline, 'volume %s is %s, not %s' % (
            name_or_id, vol['status'], status)
        time.sleep(2)
        vol = volume(name_or_id)
    return vol


def volumes_attached(server):
    value = server.get('volumes_attached') or []
    if isinstance(value, str):      # older clients print "id='...'" lines
        return re.findall(r"[0-9a-f-]{36}", value)
    return [v['id'] for v in value]


def iscsi_state(volume_id):
    """(tgt target of the volume present, its initiator sessions) as tgtd shows them."""
    out = subprocess.run(['tgtadm', '-C', TGT_CONTROL_PORT, '--lld', 'iscsi', '--mode',
                          'target', '--op', 'show'], capture_output=True, text=True).stdout
    blocks = re.split(r'(?m)^Target \d+: ', out)
    mine = [b for b in blocks if volume_id in b.split('\n', 1)[0]]
    if not mine:
        return False, 0
    return True, len(re.findall(r'I_T nexus: \d+', mine[0]))


def domain_xml(server_id):
    return subprocess.run(['virsh', '-c', 'qemu:///system', 'dumpxml', server_id],
                          capture_output=True, text=True).stdout


def test_volume_attach_detach_reattach_keeps_data_and_leaves_no_session(tmp_path):
    suffix = uuid.uuid4().hex[:6]
    vol_name, name = 'core-it-vol-%s' % suffix, 'core-it-vm-%s' % suffix
    user_data = tmp_path / 'watch.sh'
    user_data.write_text(DISK_WATCHER)
    osc(USER, 'volume', 'create', '--size', '1', vol_name)
    vol_id = wait_volume(vol_name, 'available')['id']
    server_id = None
    try:
        created = json.loads(osc(USER, 'server', 'create', '--image', 'guest', '--flavor',
                                 'm1.nano', '--network', 'private', '--user-data',
                                 str(user_data), '--wait', name, '-f', 'json'))
        server_id = created['id']
        wait_console(server_id, r'guest: disk watcher started')

        started = time.monotonic()
        osc(USER, 'server', 'add', 'volume', server_id, vol_id)
        vol = wait_volume(vol_id, 'in-use')
        assert [a['server_id'] for a in vol['attachments']] == [server_id]
        mark = wait_console(server_id, r'guest: disk vdb wrote (cirrostack-mark-[0-9a-f]+)')
        print('attach to the guest seeing vdb: %.1fs' % (time.monotonic() - started))
        assert volumes_attached(show(server_id)) == [vol_id]
        assert iscsi_state(vol_id)[1] == 1            # QEMU's initiator is logged in
        assert "protocol='iscsi'" in domain_xml(server_id)

        osc(USER, 'server', 'remove', 'volume', server_id, vol_id)
        wait_volume(vol_id, 'available')
        wait_console(server_id, r'guest: disk vdb gone')
        assert volumes_attached(show(server_id)) == []
        assert iscsi_state(vol_id) == (False, 0)      # no session, no target left
        assert "protocol='iscsi'" not in domain_xml(server_id)

        osc(USER, 'server', 'add', 'volume', server_id, vol_id)
        wait_volume(vol_id, 'in-use')
        assert wait_console(server_id, r'guest: disk vdb found (cirrostack-mark-[0-9a-f]+)'
                            ) == mark
        events = json.loads(osc(USER, 'server', 'event', 'list', server_id, '-f', 'json'))
        actions = [e['Action'] for e in events]
        assert actions.count('attach_volume') == 2 and actions.count('detach_volume') == 1

        # deleting the server detaches the volume (kept: delete_on_termination false)
        osc(USER, 'server', 'delete', '--wait', server_id)
        wait_volume(vol_id, 'available')
        assert iscsi_state(vol_id) == (False, 0)
    finally:
        if server_id:
            osc(USER, 'server', 'delete', '--wait', server_id, check=False)
        osc(USER, 'volume', 'delete', vol_id, check=False)
    assert not domain_exists(server_id)


def test_servers_boot_from_a_volume_and_from_an_image_made_volume():
    suffix = uuid.uuid4().hex[:6]
    vol_name = 'core-it-bootvol-%s' % suffix
    osc(USER, 'volume', 'create', '--image', 'guest', '--size', '1', vol_name)
    vol_id = wait_volume(vol_name, 'available', timeout=300)['id']
    servers = []
    made = blank = None
    try:
        # --volume: an existing volume boots the server (no image, no local root disk)
        created = json.loads(osc(USER, 'server', 'create', '--volume', vol_id, '--flavor',
                                 'm1.nano', '--network', 'private', '--wait',
                                 'core-it-bfv-%s' % suffix, '-f', 'json'))
        servers.append(created['id'])
        assert created['status'] == 'ACTIVE', created
        # The guest's kernel and init came from the volume: its only disk is vda.
        wait_console(created['id'], r'guest: state disk /dev/vda1')
        wait_console(created['id'], r'guest: boot complete')
        assert volumes_attached(show(created['id'])) == [vol_id]
        assert wait_volume(vol_id, 'in-use')['attachments'][0]['server_id'] == created['id']
        xml = domain_xml(created['id'])
        assert "%s/disk'" % created['id'] not in xml          # no local root disk
        assert re.search(r"protocol='iscsi'[\s\S]*?<target dev='vda'[\s\S]*?<boot order='1'",
                         xml), xml

        # --boot-from-volume: block storage makes the root volume from the image; and
        # --block-device: a blank data volume deleted with the server
        created = json.loads(osc(USER, 'server', 'create', '--image', 'guest',
                                 '--boot-from-volume', '1', '--block-device',
                                 'source_type=blank,destination_type=volume,volume_size=1,'
                                 'delete_on_termination=true', '--flavor', 'm1.nano',
                                 '--network', 'private', '--wait',
                                 'core-it-bfi-%s' % suffix, '-f', 'json'))
        servers.append(created['id'])
        assert created['status'] == 'ACTIVE', created
        wait_console(created['id'], r'guest: state disk /dev/vda1')
        wait_console(created['id'], r'guest: boot complete')
        assert re.search(r'\[vdb\] 2097152 512-byte', console(created['id']))
        made, blank = volumes_attached(show(created['id']))
        assert wait_volume(made, 'in-use')['size'] == 1
        assert wait_volume(blank, 'in-use')['size'] == 1
        for sid in servers:
            osc(USER, 'server', 'delete', '--wait', sid)
        # the roots did not ask delete_on_termination: they stay, detached, no session
        for vid in (vol_id, made):
            wait_volume(vid, 'available')
            assert iscsi_state(vid) == (False, 0)
        deadline = time.monotonic() + 60          # delete_on_termination: it goes
        while osc(USER, 'volume', 'show', blank, '-f', 'value', '-c', 'status',
                  check=False).strip():
            assert time.monotonic() < deadline, 'volume %s was not deleted' % blank
            time.sleep(2)
        assert iscsi_state(blank) == (False, 0)
    finally:
        for sid in servers:
            osc(USER, 'server', 'delete', '--wait', sid, check=False)
        for vid in (vol_id, made, blank):
            if vid:
                osc(USER, 'volume', 'delete', vid, check=False)
    for sid in servers:
        assert not domain_exists(sid)
