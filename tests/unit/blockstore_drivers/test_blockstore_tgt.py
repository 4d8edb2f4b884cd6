"""The tgt helper: tgtadm output parsing, command lines, rollback, tid races, refusals."""
import pytest

from blockstore.drivers import tgt as tgt_mod
from common import validators
from common.execute import CommandError
from common.testing.fake_tgtadm import FakeTgtadm

# Real `tgtadm --lld iscsi --mode target --op show` output (tgt 1.0.85) with a session.
SHOW = """Target 1: iqn.2010-10.org.cirrostack:volume-a1
    System information:
        Driver: iscsi
        State: ready
    I_T nexus information:
        I_T nexus: 2
            Initiator: iqn.2024-01.org.cirrostack:host1 alias: none
            Connection: 0
                IP Address: 127.0.0.1
    LUN information:
        LUN: 0
            Type: controller
            SCSI ID: IET     00010000
            SCSI SN: beaf10
            Size: 0 MB, Block size: 1
            Online: Yes
            Backing store type: null
            Backing store path: None
            Backing store flags: 
        LUN: 1
            Type: disk
            SCSI ID: IET     00010001
            SCSI SN: beaf11
            Size: 1074 MB, Block size: 512
            Online: Yes
            Backing store type: rdwr
            Backing store path: /var/lib/cirrostack/blockstore/volumes/volume-a1
            Backing store flags: 
    Account information:
        u1
    ACL information:
        127.0.0.1
        iqn.2024-01.org.cirrostack:host1
Target 3: iqn.2010-10.org.cirrostack:volume-b2
    System information:
        Driver: iscsi
        State: ready
    I_T nexus information:
    LUN information:
        LUN: 0
            Type: controller
            Backing store path: None
    Account information:
    ACL information:
"""


def test_show_output_is_parsed():
    one, three = tgt_mod.parse_show(SHOW)
    assert (one.tid, one.iqn) == (1, 'iqn.2010-10.org.cirrostack:volume-a1')
    assert one.luns == {1: '/var/lib/cirrostack/blockstore/volumes/volume-a1'}
    assert one.lun_sizes == {0: 0, 1: 1074}
    assert one.accounts == ['u1']
    assert one.acl == ['127.0.0.1', 'iqn.2024-01.org.cirrostack:host1']
    assert one.sessions == ['iqn.2024-01.org.cirrostack:host1']
    assert (three.tid, three.luns, three.accounts, three.acl) == (3, {}, [], [])
    assert tgt_mod.parse_show('') == []
    assert tgt_mod.parse_accounts('Account list:\n    u1\n    u2\n') == ['u1', 'u2']


def test_create_target_commands(tmp_path):
    fake = FakeTgtadm()
    backing = tmp_path / 'volume-a1'
    backing.write_bytes(b'')
    adm = tgt_mod.TgtAdm(runner=fake, control_port=7)
    adm.create_target('iqn.2010-10.org.cirrostack:volume-a1', str(backing), 'user1', 'pw' * 8,
                      [('name', 'iqn.2024-01.org.cirrostack:h1'), ('address', '10.0.0.5')])
    writes = [c for c in fake.calls if '--op' in c and c[c.index('--op') + 1] != 'show']
    assert all(c[:5] == ['tgtadm', '--lld', 'iscsi', '--control-port', '7'] for c in writes)
    assert [c[5:] for c in writes] == [
        ['--mode', 'target', '--op', 'new', '--tid', '1', '--targetname',
         'iqn.2010-10.org.cirrostack:volume-a1'],
        ['--mode', 'target', '--op', 'update', '--tid', '1', '--name',
         'MaxRecvDataSegmentLength', '--value', '262144'],
        ['--mode', 'target', '--op', 'update', '--tid', '1', '--name',
         'MaxXmitDataSegmentLength', '--value', '262144'],
        ['--mode', 'logicalunit', '--op', 'new', '--tid', '1', '--lun', '1',
         '--backing-store', str(backing)],
        ['--mode', 'account', '--op', 'new', '--user', 'user1', '--password', 'pw' * 8],
        ['--mode', 'account', '--op', 'bind', '--tid', '1', '--user', 'user1'],
        ['--mode', 'target', '--op', 'bind', '--tid', '1', '--initiator-name',
         'iqn.2024-01.org.cirrostack:h1'],
        ['--mode', 'target', '--op', 'bind', '--tid', '1', '--initiator-address',
         '10.0.0.5']]


def test_failed_create_leaves_nothing(tmp_path):
    fake = FakeTgtadm()
    adm = tgt_mod.TgtAdm(runner=fake)
    with pytest.raises(tgt_mod.TgtError, match='logicalunit new'):
        adm.create_target('iqn.2010-10.org.cirrostack:volume-a1', str(tmp_path / 'missing'),
                          'user1', 'password123')
    assert fake.targets == {} and fake.passwords == {}


def test_tid_taken_by_another_process_is_retried(tmp_path):
    fake = FakeTgtadm()
    (tmp_path / 'v').write_bytes(b'')
    real_call = fake.__call__
    raced = []

    def racing(cmd, **kw):
        # Another process creates tid 1 between our show and our new.
        if '--targetname' in cmd and not raced:
            raced.append(True)
            fake.targets[1] = {'iqn': 'iqn.2010-10.org.other:x', 'luns': {}, 'accounts': [],
                               'acl': []}
        return real_call(cmd, **kw)

    adm = tgt_mod.TgtAdm(runner=racing)
    target = adm.create_target('iqn.2010-10.org.cirrostack:volume-a1', str(tmp_path / 'v'),
                               'user1', 'password123')
    assert target.tid == 2 and fake.targets[2]['iqn'].endswith('volume-a1')


def test_password_never_appears_in_errors(tmp_path):
    def failing(cmd, timeout=None, secret_options=()):
        assert secret_options == ('--password',)
        raise CommandError(['tgtadm', '***'], 22, '', 'tgtadm: out of memory\n')

    adm = tgt_mod.TgtAdm(runner=failing)
    with pytest.raises(tgt_mod.TgtError) as err:
        adm._replace_account('user1', 'verysecretpw')
    assert 'verysecretpw' not in str(err.value) and 'out of memory' in str(err.value)


def test_execute_hides_secret_options():
    with pytest.raises(CommandError) as err:
        from common.execute import execute
        execute(['false', '--password', 'hunter2hunter2'], secret_options=('--password',))
    assert 'hunter2' not in str(err.value) and '***' in str(err.value)


@pytest.mark.parametrize('call', [
    lambda a: a.create_target('iqn.bad name', '/x/v', 'u', 'p' * 12),
    lambda a: a.create_target('iqn.2010-10.org.x:v', 'relative/path', 'u', 'p' * 12),
    lambda a: a.create_target('iqn.2010-10.org.x:v', '/x/../etc/shadow', 'u', 'p' * 12),
    lambda a: a.create_target('iqn.2010-10.org.x:v', '/x/v,online=0', 'u', 'p' * 12),
    lambda a: a.create_target('iqn.2010-10.org.x:v', '/x/v', 'u=x', 'p' * 12),
    lambda a: a.create_target('iqn.2010-10.org.x:v', '/x/v', 'u', 'p,q' * 4),
    lambda a: a.bind_initiator(1, ('address', '10.0.0.1/8')),
    lambda a: a.bind_initiator(1, ('group', 'x')),
    lambda a: a.refresh_lun_size(1, '/x/v w'),
])
def test_values_are_refused_before_tgtadm(call):
    fake = FakeTgtadm()
    with pytest.raises(validators.InvalidValue):
        call(tgt_mod.TgtAdm(runner=fake))
    assert fake.calls == []


def test_tgtd_not_running_is_unavailable():
    fake = FakeTgtadm()
    fake.running = False
    adm = tgt_mod.TgtAdm(runner=fake)
    assert not adm.alive()
    with pytest.raises(tgt_mod.TgtUnavailable):
        adm.show()
