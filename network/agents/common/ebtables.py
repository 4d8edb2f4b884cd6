"""Own ebtables chains (filter table) by name prefix: rewrite them, drop stale ones."""
from network.agents.common import screen
from common.execute import execute


def list_chains(prefix):
    out = execute(['ebtables', '-t', 'filter', '-L'])
    return [line.split(':')[1].split(',')[0].strip() for line in out.splitlines()
            if line.startswith('Bridge chain:')
            and line.split(':')[1].strip().startswith(prefix)]


class EbtablesManager:
    def __init__(self, prefix):
        self.prefix = prefix

    def apply(self, chains, jumps):
        """Make our chains exactly ``chains`` ({name: [rule args]}), entered by ``jumps``."""
        existing = set(list_chains(self.prefix))
        for name in chains:
            if name not in existing:
                execute(['ebtables', '-N', name, '-P', 'RETURN'])
        # Fill the referenced (per-port) chains before the chains that jump to them.
        for name in sorted(chains, key=lambda n: (n.count('-') < 2, n)):
            execute(['ebtables', '-F', name])
            for rule in screen.safe_lines(chains[name], 'ebtables chain %s' % name):
                execute(['ebtables', '-A', name] + rule.split())
        for builtin in ('INPUT', 'FORWARD', 'OUTPUT'):
            wanted = [a for b, a in jumps if b == builtin]
            for args in ['-j %s' % c for c in existing | set(chains)]:
                present = self._has(builtin, args)
                if present and args not in wanted:
                    execute(['ebtables', '-D', builtin] + args.split(), check=False)
                elif not present and args in wanted:
                    execute(['ebtables', '-I', builtin, '1'] + args.split())
        stale = existing - set(chains)
        for name in stale:
            execute(['ebtables', '-F', name], check=False)
        for name in stale:
            execute(['ebtables', '-X', name], check=False)

    @staticmethod
    def _has(builtin, args):
        # ``ebtables -C`` is unreliable in the nft flavour; compare the listing instead.
        out = execute(['ebtables', '-t', 'filter', '-L', builtin])
        return any(line.strip() == args for line in out.splitlines())
