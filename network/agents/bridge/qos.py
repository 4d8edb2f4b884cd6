"""QoS on a port's tap, as the bridge agent applies it: bandwidth limits with tc, DSCP
marks with iptables' mangle table.

Directions are the guest's: ``ingress`` (toward the guest) leaves the host through the
tap, so a ``tbf`` qdisc at the tap's root shapes it; ``egress`` (from the guest) enters
the host through the tap and is policed on the tap's ingress qdisc (tc ``police``, which
needs the act_police module: where it does not load, the error is logged once per port
and the rest of the port's QoS still applies). DSCP marking sets the field of the
guest's packets as they leave the bridge (mangle POSTROUTING, matched by the tap)."""
import logging

from common.execute import CommandError
from common.execute import execute

LOG = logging.getLogger(__name__)

# A bucket smaller than a full frame would stall the queue; tbf also needs one.
MIN_BURST_BYTES = 3000
LATENCY = '50ms'
UNKNOWN = object()


def burst_bytes(limit):
    """The bucket size: the rule's max_burst_kbps, or 80% of a second at the rate (as
    Neutron's default), in bytes, never below a few frames."""
    kbits = limit.get('max_burst_kbps') or int(limit['max_kbps'] * 0.8)
    return max(kbits * 1000 // 8, MIN_BURST_BYTES)


def shape_commands(tap, limit):
    """tc commands putting the toward-the-guest limit on ``tap`` (None: remove it)."""
    if limit is None:
        return [['tc', 'qdisc', 'del', 'dev', tap, 'root']]
    return [['tc', 'qdisc', 'replace', 'dev', tap, 'root', 'tbf',
             'rate', '%dkbit' % limit['max_kbps'], 'burst', '%db' % burst_bytes(limit),
             'latency', LATENCY]]


def police_commands(tap, limit):
    """tc commands policing what the guest sends through ``tap`` (None: remove it)."""
    if limit is None:
        return [['tc', 'qdisc', 'del', 'dev', tap, 'ingress']]
    return [['tc', 'qdisc', 'replace', 'dev', tap, 'ingress'],
            ['tc', 'filter', 'replace', 'dev', tap, 'parent', 'ffff:', 'protocol', 'all',
             'prio', '1', 'u32', 'match', 'u32', '0', '0', 'police',
             'rate', '%dkbit' % limit['max_kbps'], 'burst', '%db' % burst_bytes(limit),
             'drop', 'flowid', ':1']]


def dscp_chains(ports, prefix):
    """The mangle chain marking each port's packets, and its jump ([] when none)."""
    chain = '%s-qos' % prefix
    rules = []
    for port in ports:
        mark = (port.get('qos') or {}).get('dscp_mark')
        if mark is not None:
            rules.append('-m physdev --physdev-in %s --physdev-is-bridged -j DSCP '
                         '--set-dscp %d' % (port['tap_name'], mark))
    if not rules:
        return {}, []
    return {chain: rules}, [('POSTROUTING', '-j %s' % chain)]


def _limits(port):
    bw = (port.get('qos') or {}).get('bandwidth_limit') or {}
    return bw.get('ingress'), bw.get('egress')


class QosDriver:
    """Applies each port's limits when they change (per tap), and the DSCP chain."""

    def __init__(self, prefix, iptables):
        self.prefix = prefix
        self.iptables = iptables        # {family: IptablesManager}
        self.applied = {}               # tap -> (ingress limit, egress limit)
        self.dscp = None                # the chains last applied

    def apply(self, ports):
        """Converge the taps of ``ports`` (plugged ones); returns False on an error."""
        ok = True
        seen = set()
        for port in ports:
            tap = port['tap_name']
            seen.add(tap)
            wanted = _limits(port)
            before = self.applied.get(tap)
            # Unchanged, unless the shaping qdisc vanished (the tap was made anew).
            if before == wanted and (wanted[0] is None or self._tbf_present(tap)):
                continue
            # A tap first seen (agent restart) may carry limits from before: clear both.
            ok = self._set(tap, wanted, before or (UNKNOWN, UNKNOWN)) and ok
            self.applied[tap] = wanted
        for tap in set(self.applied) - seen:
            del self.applied[tap]      # unplugged: the tap (and its qdiscs) went with it
        chains, jumps = dscp_chains(ports, self.prefix)
        if (chains, jumps) != self.dscp:
            for family in (4, 6):
                self.iptables[family].apply('mangle', chains, jumps)
            self.dscp = (chains, jumps)
        return ok

    @staticmethod
    def _tbf_present(tap):
        out = execute(['tc', 'qdisc', 'show', 'dev', tap], check=False)
        return ' tbf ' in out and ' root ' in out

    @staticmethod
    def _set(tap, wanted, before):
        ok = True
        for limit, old, build, what in ((wanted[0], before[0], shape_commands, 'shape'),
                                        (wanted[1], before[1], police_commands, 'police')):
            if limit is None and old is None and what == 'police':
                continue
            try:
                for cmd in build(tap, limit):
                    execute(cmd, check=limit is not None)
            except CommandError as exc:
                LOG.error('%s: cannot %s traffic (%s): %s', tap, what,
                          'toward the guest' if what == 'shape' else 'from the guest', exc)
                ok = ok and what == 'police'   # no police action here: known, not retried
        return ok
