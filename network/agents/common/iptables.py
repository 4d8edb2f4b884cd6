"""Own a set of iptables chains (by name prefix) and replace them atomically per table.

Callers describe the whole desired content of their chains; ``apply`` rewrites them in a
single ``iptables-restore --noflush`` per table (declaring a chain there flushes it), deletes
chains with the prefix that are no longer wanted, and keeps one jump from each built-in
chain into the owner's entry chains.
"""
import logging

from network.agents.common import screen
from common.execute import CommandError
from common.execute import execute

LOG = logging.getLogger(__name__)

BUILTIN = {'filter': ('INPUT', 'FORWARD', 'OUTPUT'),
           'nat': ('PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'),
           'mangle': ('PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'),
           'raw': ('PREROUTING', 'OUTPUT')}


def _tool(family, suffix=''):
    return ('iptables' if family == 4 else 'ip6tables') + suffix


def list_chains(table, prefix, namespace=None, family=4):
    """Names of user chains in ``table`` starting with ``prefix``."""
    out = execute([_tool(family, '-save'), '-t', table], namespace=namespace)
    return [line[1:].split()[0] for line in out.splitlines()
            if line.startswith(':') and line[1:].startswith(prefix)]


def list_rules(table, chain, namespace=None, family=4):
    """``-A chain ...`` lines of ``chain`` as iptables prints them."""
    out = execute([_tool(family), '-t', table, '-S', chain], namespace=namespace, check=False)
    return [line for line in out.splitlines() if line.startswith('-A ')]


def render(table, chains, stale):
    """The iptables-restore text rewriting ``chains`` ({name: [rule args]}) and dropping ``stale``."""
    lines = ['*%s' % table]
    lines += [':%s - [0:0]' % name for name in list(chains) + list(stale)]
    for name, rules in chains.items():
        lines += screen.safe_lines(['-A %s %s' % (name, rule) for rule in rules],
                                   'iptables table %s' % table)
    lines += ['-X %s' % name for name in stale]
    lines.append('COMMIT')
    return '\n'.join(lines) + '\n'


class IptablesManager:
    """Chains named ``prefix``* in one namespace (None: the root namespace) for one family."""

    def __init__(self, prefix, namespace=None, family=4):
        self.prefix = prefix
        self.namespace = namespace
        self.family = family

    def apply(self, table, chains, jumps):
        """Make ``table`` hold exactly ``chains``, entered by ``jumps`` [(builtin, rule args)].

        A jump is placed first in its built-in chain, so other software's rules there do not
        bypass ours. With no chains and no jumps, everything we own in the table is removed.
        """
        existing = list_chains(table, self.prefix, self.namespace, self.family)
        wanted_jumps = set(jumps)
        # Jumps out of built-in chains into chains about to vanish must go first.
        for builtin in BUILTIN[table]:
            for line in list_rules(table, builtin, self.namespace, self.family):
                args = line.split(' ', 2)[2] if line.count(' ') >= 2 else ''
                target = args.rsplit('-j ', 1)[-1].split()[0] if '-j ' in args else ''
                if target.startswith(self.prefix) and (builtin, args) not in wanted_jumps:
                    execute([_tool(self.family), '-t', table, '-D', builtin] + args.split(),
                            namespace=self.namespace, check=False)
        stale = [c for c in existing if c not in chains]
        if chains or stale:
            execute([_tool(self.family, '-restore'), '--noflush'], namespace=self.namespace,
                    input=render(table, chains, stale))
        for builtin, args in jumps:
            try:
                execute([_tool(self.family), '-t', table, '-C', builtin] + args.split(),
                        namespace=self.namespace)
            except CommandError:
                execute([_tool(self.family), '-t', table, '-I', builtin, '1'] + args.split(),
                        namespace=self.namespace)

    def clear(self, table):
        self.apply(table, {}, [])
