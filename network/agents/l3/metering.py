"""Metering in one router namespace: iptables accounting chains per label (filter table).

``cs-meter`` (entered from FORWARD) jumps to one ``cs-mr-<label>`` chain per label, which
returns early for the traffic of its ``excluded`` rules and sends the traffic of its other
rules to ``cs-ml-<label>``: that chain's one rule (commented with the label id) counts
packets and bytes. Counters are read and zeroed in one ``iptables -L -v -x -n -Z`` before
the chains are rewritten and whenever the agent reports, so a rewrite loses nothing; the
agent sends the deltas to network-api.
"""
import logging
import re

from common import validators
from common.execute import execute

LOG = logging.getLogger(__name__)
ENTRY = 'cs-meter'
DIRECTIONS = ('ingress', 'egress')
# One rule line of ``iptables -L -v -x -n``: pkts bytes ... /* <label id> */
_COUNT = re.compile(r'\A\s*(\d+)\s+(\d+)\s+RETURN\b.*/\*\s*([0-9a-f-]{36})\s*\*/')


def chain_names(label_id):
    short = label_id.replace('-', '')[:20]
    return 'cs-mr-' + short, 'cs-ml-' + short


def _prefix(value, field):
    if value is None:
        return None
    return str(validators.ip_network(value, field, version=4))


def rule_args(rule, gw_dev):
    """The match of one label rule at the gateway device, every value parsed again."""
    direction = rule.get('direction')
    if direction not in DIRECTIONS:
        raise validators.InvalidValue('direction', direction, 'is not ingress or egress')
    args = ['-i' if direction == 'ingress' else '-o', gw_dev]
    remote = _prefix(rule.get('remote_ip_prefix'), 'remote_ip_prefix')
    source = _prefix(rule.get('source_ip_prefix'), 'source_ip_prefix')
    dest = _prefix(rule.get('destination_ip_prefix'), 'destination_ip_prefix')
    if remote:
        # The far end: where ingress traffic comes from, where egress traffic goes.
        args += ['-s' if direction == 'ingress' else '-d', remote]
    if source:
        args += ['-s', source]
    if dest:
        args += ['-d', dest]
    return ' '.join(args)


def build(router, gw_dev):
    """(chains, jumps) for ``IptablesManager.apply('filter', ...)``; nothing without a
    gateway or labels."""
    labels = router.get('metering_labels') or []
    if not router.get('gw_port') or not labels:
        return {}, []
    chains = {ENTRY: []}
    for label in labels:
        try:
            label_id = str(validators.uuid(label.get('id'), 'id'))
        except validators.InvalidValue as exc:
            LOG.error('refusing to render metering label: %s', exc.problem)
            continue
        rules_chain, count_chain = chain_names(label_id)
        excluded, counted = [], []
        for rule in label.get('rules') or []:
            try:
                args = rule_args(rule, gw_dev)
            except validators.InvalidValue as exc:
                LOG.error('refusing to render metering rule %s: %s',
                          validators.quote(rule.get('id')), exc.problem)
                continue
            if rule.get('excluded'):
                excluded.append('%s -j RETURN' % args)
            else:
                counted.append('%s -j %s' % (args, count_chain))
        chains[rules_chain] = excluded + counted
        chains[count_chain] = ['-m comment --comment %s -j RETURN' % label_id]
        chains[ENTRY].append('-j %s' % rules_chain)
    return chains, [('FORWARD', '-j %s' % ENTRY)]


def parse_counts(output):
    """{label_id: (packets, bytes)} of ``iptables -L -v -x -n`` output."""
    counts = {}
    for line in output.splitlines():
        match = _COUNT.match(line)
        if match:
            packets, nbytes = counts.get(match.group(3), (0, 0))
            counts[match.group(3)] = (packets + int(match.group(1)),
                                      nbytes + int(match.group(2)))
    return counts


def read_and_zero(namespace):
    """The label counters of a router namespace since the last read; zeroes them."""
    out = execute(['iptables', '-t', 'filter', '-L', '-v', '-x', '-n', '-Z'],
                  namespace=namespace, check=False)
    return parse_counts(out or '')


class Counters:
    """Deltas not yet reported: {(label_id, router_id): [packets, bytes]}."""

    def __init__(self):
        self.pending = {}

    def add(self, router_id, counts):
        for label_id, (packets, nbytes) in counts.items():
            if packets or nbytes:
                total = self.pending.setdefault((label_id, router_id), [0, 0])
                total[0] += packets
                total[1] += nbytes

    def take(self):
        """The pending deltas as report items; they are forgotten (``restore`` on failure)."""
        items = [{'label_id': label, 'router_id': router, 'packets': p, 'bytes': b}
                 for (label, router), (p, b) in sorted(self.pending.items())]
        self.pending = {}
        return items

    def restore(self, items):
        for item in items:
            self.add(item['router_id'], {item['label_id']: (item['packets'], item['bytes'])})
