"""The tgt (Linux SCSI target framework, userspace) iSCSI target helper, through tgtadm.

One target per exported volume: LUN 1 is the volume's backing file or block device, one
CHAP account is bound to it, and the initiators allowed to log in are bound by name or
address.  tgtd keeps nothing across a restart; the volume drivers re-create what they need
(``ensure_export``).  tgtd's access rules are an OR: an initiator whose name OR address is
bound may log in, so binding both would widen access, never narrow it.

Every value is checked before it reaches tgtadm: tgtadm packs its options into one
``key=value,key=value`` string that tgtd splits again, so a ``,`` or ``=`` in a name,
password or path would inject parameters.  CHAP passwords do pass on tgtadm's command line
(tgtadm has no other way in); they are per-volume random secrets, visible only for the
milliseconds the command runs.
"""
import dataclasses
import logging
import re
import threading

from common import validators
from common.execute import CommandError
from common.execute import execute

LOG = logging.getLogger(__name__)

LUN = 1                       # LUN 0 is tgt's controller
# tgtadm's own parameter string separators, refused in every value passed to it.
_TGT_SPECIAL = re.compile(r'[,=\s"\'\\]')
_PATH = re.compile(r'\A/[A-Za-z0-9_./+-]{1,1000}\Z')
_TARGET_LINE = re.compile(r'\ATarget (\d+): (\S+)\Z')
_MAX_TID_TRIES = 20
# iSCSI session parameters of every target.  tgt's default 8 KiB data segments make every
# large write a train of small PDUs; with 256 KiB ones, sequential 1 MiB writes of QEMU's
# initiator over loopback were faster in every paired run here (by 20 % to 4x; the
# machine is shared, so the figures are noisy).
SESSION_PARAMS = (('MaxRecvDataSegmentLength', 262144),
                  ('MaxXmitDataSegmentLength', 262144))
_UNREACHABLE = re.compile(r"can't connect|failed to send request|Connection refused|"
                          r"No such file or directory")


class TgtError(Exception):
    """A tgtadm command failed; the message is fit for a volume's error."""


class TgtUnavailable(TgtError):
    """tgtd does not answer (not running, or another control port)."""


@dataclasses.dataclass
class Target:
    """A target as ``tgtadm --op show`` lists it."""
    tid: int
    iqn: str
    luns: dict = dataclasses.field(default_factory=dict)       # lun -> backing path
    lun_sizes: dict = dataclasses.field(default_factory=dict)  # lun -> size in MB (tgt's)
    accounts: list = dataclasses.field(default_factory=list)
    acl: list = dataclasses.field(default_factory=list)        # addresses and names
    sessions: list = dataclasses.field(default_factory=list)   # logged-in initiator names

    @property
    def backing_path(self):
        return self.luns.get(LUN)


def parse_show(text):
    """Targets of ``tgtadm --lld iscsi --mode target --op show`` output."""
    targets, target, section, lun = [], None, None, None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        indent = len(raw) - len(raw.lstrip())
        match = _TARGET_LINE.match(line) if indent == 0 else None
        if match:
            target = Target(int(match.group(1)), match.group(2))
            targets.append(target)
            section = lun = None
            continue
        if target is None:
            continue
        if indent == 4:
            section = line.rstrip(':')
            continue
        if section == 'LUN information':
            if line.startswith('LUN: '):
                lun = int(line[5:])
            elif lun is not None and line.startswith('Backing store path: '):
                path = line[len('Backing store path: '):]
                if path != 'None':
                    target.luns[lun] = path
            elif lun is not None and line.startswith('Size: '):
                size = line[len('Size: '):].split(',')[0].split()
                if len(size) == 2 and size[0].isdigit():
                    target.lun_sizes[lun] = int(size[0])
        elif section == 'Account information' and indent == 8:
            target.accounts.append(line.split()[0])
        elif section == 'ACL information' and indent == 8:
            target.acl.append(line)
        elif section == 'I_T nexus information' and line.startswith('Initiator: '):
            target.sessions.append(line[len('Initiator: '):].split()[0])
    return targets


def parse_accounts(text):
    """User names of ``tgtadm --lld iscsi --mode account --op show`` output."""
    lines = [line.strip() for line in text.splitlines()]
    return [line for line in lines if line and line != 'Account list:']


def checked_iqn(value, field='target_iqn'):
    validators.iscsi_name(value, field)
    if _TGT_SPECIAL.search(value):
        raise validators.InvalidValue(field, value, 'holds a character tgtadm cannot take')
    return value


def checked_credential(value, field, secret=False):
    """A CHAP user name or password tgtadm can take: common's CHAP rule without , = quotes
    or backslash."""
    validators.chap_credential(value, field, secret=secret)
    if _TGT_SPECIAL.search(value):
        raise validators.InvalidValue(field, '***' if secret else value,
                                      'holds a character tgtadm cannot take (, = quotes '
                                      'or backslash)')
    return value


def checked_path(value, field='backing_path'):
    """An absolute, normalised path of letters, digits and ``_./+-`` (no ``..``)."""
    if (not isinstance(value, str) or not _PATH.match(value) or '/../' in value + '/'
            or '/./' in value + '/' or '//' in value):
        raise validators.InvalidValue(field, value, 'is not an absolute normalised path of '
                                                    'letters, digits and _./+-')
    return value


def checked_initiator_address(value, field='initiator_address'):
    return str(validators.ip_address(value, field))


class TgtAdm:
    """tgtadm calls against one tgtd (``control_port`` None: tgtd's default, 0).

    ``runner(cmd_list, ...)`` runs a command and returns its stdout, raising
    common.execute.CommandError on failure (common.execute.execute; a fake in unit tests).
    """

    def __init__(self, runner=execute, control_port=None, timeout=30):
        self.runner = runner
        self.control_port = control_port
        self.timeout = timeout
        # tid allocation: one create at a time in this process; other processes sharing
        # tgtd are handled by retrying on "already exists".
        self._lock = threading.Lock()

    def _adm(self, *args):
        cmd = ['tgtadm', '--lld', 'iscsi']
        if self.control_port is not None:
            cmd += ['--control-port', str(validators.integer(self.control_port,
                                                            'tgt control_port', 0, 65535))]
        cmd += [str(a) for a in args]
        try:
            return self.runner(cmd, timeout=self.timeout, secret_options=('--password',))
        except CommandError as exc:
            message = (exc.stderr or '').strip().replace('tgtadm: ', '') or str(exc)
            if _UNREACHABLE.search(message):
                raise TgtUnavailable('the iSCSI target daemon (tgtd) does not answer: %s'
                                     % message) from None
            what = ' '.join(a for a in args[:4] if not str(a).startswith('--'))
            raise TgtError('tgtadm %s: %s' % (what, message)) from None

    # reading -------------------------------------------------------------------------
    def show(self):
        """Every target tgtd serves."""
        return parse_show(self._adm('--mode', 'target', '--op', 'show'))

    def find(self, iqn):
        for target in self.show():
            if target.iqn == iqn:
                return target
        return None

    def accounts(self):
        return parse_accounts(self._adm('--mode', 'account', '--op', 'show'))

    def alive(self):
        try:
            self.show()
            return True
        except TgtUnavailable:
            return False

    # writing -------------------------------------------------------------------------
    def create_target(self, iqn, backing_path, user, password, initiators=()):
        """A new target ``iqn`` with LUN 1 on ``backing_path``, CHAP account ``user``
        (re-made with ``password`` when it exists) and the ``initiators`` bound (each
        ``('name', iqn)`` or ``('address', ip)``).  Returns the Target.  On failure
        nothing of it stays."""
        checked_iqn(iqn)
        checked_path(backing_path)
        checked_credential(user, 'auth_username')
        checked_credential(password, 'auth_password', secret=True)
        rules = [_checked_rule(rule) for rule in initiators]
        with self._lock:
            tid = self._new_target(iqn)
            try:
                for name, value in SESSION_PARAMS:
                    self._adm('--mode', 'target', '--op', 'update', '--tid', tid,
                              '--name', name, '--value', value)
                self._adm('--mode', 'logicalunit', '--op', 'new', '--tid', tid, '--lun', LUN,
                          '--backing-store', backing_path)
                self._replace_account(user, password)
                self._adm('--mode', 'account', '--op', 'bind', '--tid', tid, '--user', user)
                for kind, value in rules:
                    self._bind(tid, kind, value)
            except TgtError:
                self._quietly(self.delete_target, tid)
                self._quietly(self.delete_account, user)
                raise
        LOG.info('tgt: target %s (tid %d) serves %s', iqn, tid, backing_path)
        return Target(tid, iqn, {LUN: backing_path}, accounts=[user],
                      acl=[value for _, value in rules])

    def _new_target(self, iqn):
        """Create target ``iqn`` under the first free tid (another process may take a tid
        between our look and our create: then try the next)."""
        for _ in range(_MAX_TID_TRIES):
            targets = self.show()
            if any(t.iqn == iqn for t in targets):
                raise TgtError('target %s already exists' % iqn)
            used = {t.tid for t in targets}
            tid = next(n for n in range(1, len(used) + 2) if n not in used)
            try:
                self._adm('--mode', 'target', '--op', 'new', '--tid', tid,
                          '--targetname', iqn)
                return tid
            except TgtError as exc:
                if 'already exists' not in str(exc):
                    raise
        raise TgtError('no free target id for %s after %d tries' % (iqn, _MAX_TID_TRIES))

    def _replace_account(self, user, password):
        try:
            self._adm('--mode', 'account', '--op', 'new', '--user', user,
                      '--password', password)
        except TgtError as exc:
            if 'already exists' not in str(exc):
                raise
            # A left-over account of the same volume: its password may differ.
            self._adm('--mode', 'account', '--op', 'delete', '--user', user)
            self._adm('--mode', 'account', '--op', 'new', '--user', user,
                      '--password', password)

    def ensure_account(self, tid, user, password):
        """Make ``user`` (with ``password``) the only account bound to target ``tid``."""
        checked_credential(user, 'auth_username')
        checked_credential(password, 'auth_password', secret=True)
        self._replace_account(user, password)
        self._adm('--mode', 'account', '--op', 'bind', '--tid', tid, '--user', user)

    def _bind(self, tid, kind, value):
        option = '--initiator-name' if kind == 'name' else '--initiator-address'
        try:
            self._adm('--mode', 'target', '--op', 'bind', '--tid', tid, option, value)
        except TgtError as exc:
            if 'already exists' not in str(exc):
                raise

    def bind_initiator(self, tid, rule):
        """Allow ``rule`` (``('name', iqn)`` or ``('address', ip)``) to log in to ``tid``."""
        kind, value = _checked_rule(rule)
        self._bind(tid, kind, value)

    def unbind_initiator(self, tid, rule):
        kind, value = _checked_rule(rule)
        option = '--initiator-name' if kind == 'name' else '--initiator-address'
        try:
            self._adm('--mode', 'target', '--op', 'unbind', '--tid', tid, option, value)
        except TgtError as exc:
            if "can't find" not in str(exc) and 'not found' not in str(exc):
                raise

    def refresh_lun_size(self, tid, backing_path, lun=LUN):
        """Make tgt read the size of ``backing_path`` again (after it grew).

        tgt re-opens the backing store when its path is set; it refuses that while the LU
        is online, so the LU goes offline for the few milliseconds between the calls (I/O
        in flight meanwhile is retried by the initiator).  The initiator then sees the new
        capacity when it reads it again (QEMU: a block resize to the new size)."""
        checked_path(backing_path)
        self._adm('--mode', 'logicalunit', '--op', 'update', '--tid', tid, '--lun', lun,
                  '--params', 'online=0')
        try:
            self._adm('--mode', 'logicalunit', '--op', 'update', '--tid', tid, '--lun', lun,
                      '--params', 'path=%s' % backing_path)
        finally:
            self._adm('--mode', 'logicalunit', '--op', 'update', '--tid', tid, '--lun', lun,
                      '--params', 'online=1')

    def delete_target(self, tid):
        """Delete target ``tid`` with its sessions (--force); a missing one is fine."""
        try:
            self._adm('--mode', 'target', '--op', 'delete', '--force', '--tid', tid)
        except TgtError as exc:
            if "can't find" not in str(exc):
                raise

    def delete_account(self, user):
        try:
            self._adm('--mode', 'account', '--op', 'delete', '--user', user)
        except TgtError as exc:
            if "can't find" not in str(exc):
                raise

    @staticmethod
    def _quietly(func, *args):
        try:
            func(*args)
        except TgtError as exc:
            LOG.warning('tgt: cleanup step failed: %s', exc)


def _checked_rule(rule):
    try:
        kind, value = rule
    except (TypeError, ValueError):
        raise validators.InvalidValue('initiator', rule, 'is not (kind, value)') from None
    if kind == 'name':
        return kind, checked_iqn(value, 'initiator')
    if kind == 'address':
        return kind, checked_initiator_address(value)
    raise validators.InvalidValue('initiator kind', kind, 'is not name or address')

