"""FakeTgtadm: a TEST FAKE of tgtadm + tgtd for unit tests of the volume drivers.

It is a command runner (``runner(cmd, timeout=..., secret_options=...)``, like
common.execute.execute) that answers ``tgtadm`` commands from state kept in memory, with
tgtadm's exit codes and messages, and prints ``--op show`` in tgtadm's layout so the real
parser reads it.  Every other command goes to ``other`` (by default: refused).  ``calls``
lists every command, ``passwords`` the CHAP secrets tgtd would hold.  ``running = False``
makes it answer like a tgtd that is not running; ``delay`` slows every command (races show);
``check_paths=False`` accepts backing
stores that do not exist (the LVM driver's /dev paths in unit tests); ``restart()`` forgets every target and
account, as a tgtd restart does.
"""
import os
import time

from common.execute import CommandError


class FakeTgtadm:
    def __init__(self, other=None, check_paths=True):
        self.targets = {}        # tid -> {'iqn', 'luns': {lun: path}, 'accounts', 'acl'}
        self.passwords = {}      # user -> password
        self.calls = []
        self.running = True
        self.other = other
        self.check_paths = check_paths      # False: backing paths need not exist (LVM)
        self.delay = 0                      # seconds per command (to let races show)

    def restart(self):
        self.targets, self.passwords = {}, {}

    def __call__(self, cmd, timeout=None, secret_options=(), **_kw):
        cmd = [str(c) for c in cmd]
        self.calls.append(cmd)
        if self.delay:
            time.sleep(self.delay)
        if cmd[0] != 'tgtadm':
            if self.other is None:
                raise AssertionError('FakeTgtadm: unexpected command %s' % cmd)
            return self.other(cmd, timeout=timeout)
        if not self.running:
            self._fail(cmd, 107, 'failed to send request hdr to tgt daemon, Transport '
                                 'endpoint is not connected')
        opts = _options(cmd[1:])
        handler = getattr(self, '_%s_%s' % (opts.get('mode'), opts.get('op')), None)
        if handler is None:
            self._fail(cmd, 22, 'invalid request')
        return handler(cmd, opts) or ''

    @staticmethod
    def _fail(cmd, code, message):
        raise CommandError(cmd, code, '', 'tgtadm: %s\n' % message)

    def _target(self, cmd, opts):
        tid = int(opts['tid'])
        if tid not in self.targets:
            self._fail(cmd, 22, "can't find the target")
        return self.targets[tid]

    # targets
    def _target_new(self, cmd, opts):
        tid, iqn = int(opts['tid']), opts['targetname']
        if tid in self.targets or any(t['iqn'] == iqn for t in self.targets.values()):
            self._fail(cmd, 22, 'this target already exists')
        self.targets[tid] = {'iqn': iqn, 'luns': {}, 'accounts': [], 'acl': []}

    def _target_delete(self, cmd, opts):
        self._target(cmd, opts)
        del self.targets[int(opts['tid'])]

    def _target_update(self, cmd, opts):
        target = self._target(cmd, opts)
        if opts.get('name') not in ('MaxRecvDataSegmentLength', 'MaxXmitDataSegmentLength',
                                    'FirstBurstLength', 'MaxBurstLength', 'InitialR2T',
                                    'ImmediateData'):
            self._fail(cmd, 22, 'invalid request')
        target.setdefault('params', {})[opts['name']] = opts['value']

    def _target_bind(self, cmd, opts):
        target = self._target(cmd, opts)
        value = opts.get('initiator-address') or opts.get('initiator-name')
        if value in target['acl']:
            self._fail(cmd, 22, 'this access control rule already exists')
        target['acl'].append(value)

    def _target_unbind(self, cmd, opts):
        target = self._target(cmd, opts)
        value = opts.get('initiator-address') or opts.get('initiator-name')
        if value not in target['acl']:
            self._fail(cmd, 22, "can't find the access control rule")
        target['acl'].remove(value)

    def _target_show(self, cmd, opts):
        out = []
        for tid in sorted(self.targets):
            target = self.targets[tid]
            out += ['Target %d: %s' % (tid, target['iqn']), '    System information:',
                    '        Driver: iscsi', '        State: ready',
                    '    I_T nexus information:', '    LUN information:',
                    '        LUN: 0', '            Type: controller',
                    '            Size: 0 MB, Block size: 1',
                    '            Backing store path: None']
            for lun, path in sorted(target['luns'].items()):
                size = os.path.getsize(path) // 1000000 if os.path.exists(path) else 0
                out += ['        LUN: %d' % lun, '            Type: disk',
                        '            Size: %d MB, Block size: 512' % size,
                        '            Backing store type: rdwr',
                        '            Backing store path: %s' % path]
            out.append('    Account information:')
            out += ['        %s' % user for user in target['accounts']]
            out.append('    ACL information:')
            out += ['        %s' % rule for rule in target['acl']]
        return '\n'.join(out) + '\n'

    # logical units
    def _logicalunit_new(self, cmd, opts):
        target = self._target(cmd, opts)
        lun, path = int(opts['lun']), opts['backing-store']
        if lun in target['luns']:
            self._fail(cmd, 22, 'this logical unit number already exists')
        if self.check_paths and not os.path.exists(path):
            self._fail(cmd, 22, 'invalid request')
        target['luns'][lun] = path

    def _logicalunit_update(self, cmd, opts):
        target = self._target(cmd, opts)
        if int(opts['lun']) not in target['luns']:
            self._fail(cmd, 22, "can't find the logical unit")

    # accounts
    def _account_new(self, cmd, opts):
        if opts['user'] in self.passwords:
            self._fail(cmd, 22, 'this account already exists')
        self.passwords[opts['user']] = opts['password']

    def _account_delete(self, cmd, opts):
        user = opts['user']
        if user not in self.passwords:
            self._fail(cmd, 22, "can't find the account")
        del self.passwords[user]
        for target in self.targets.values():
            if user in target['accounts']:
                target['accounts'].remove(user)

    def _account_bind(self, cmd, opts):
        target = self._target(cmd, opts)
        if opts['user'] not in self.passwords:
            self._fail(cmd, 22, "can't find the account")
        if opts['user'] not in target['accounts']:
            target['accounts'].append(opts['user'])

    def _account_show(self, cmd, opts):
        return 'Account list:\n' + ''.join('    %s\n' % u for u in sorted(self.passwords))


def _options(args):
    opts, key = {}, None
    for arg in args:
        if arg.startswith('--'):
            key = arg[2:]
            opts[key] = True
        elif key is not None:
            opts[key] = arg
            key = None
    return opts
