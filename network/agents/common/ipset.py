"""IP sets holding the member addresses of remote security groups."""
from network.agents.common import screen
from common.execute import execute


def list_sets(prefix):
    out = execute(['ipset', 'list', '-n'], check=False)
    return [n for n in out.split() if n.startswith(prefix)]


def sync(name, members, family=4):
    """Make set ``name`` hold exactly ``members``, swapping in a fresh copy atomically."""
    fam = 'inet' if family == 4 else 'inet6'
    tmp = name[:27] + '-new'
    lines = ['create %s hash:net family %s -exist' % (name, fam),
             'create %s hash:net family %s -exist' % (tmp, fam),
             'flush %s' % tmp]
    lines += screen.safe_lines(['add %s %s -exist' % (tmp, m) for m in sorted(members)],
                               'ipset %s' % name)
    lines += ['swap %s %s' % (tmp, name), 'destroy %s' % tmp]
    execute(['ipset', 'restore'], input='\n'.join(lines) + '\n')


def destroy(name):
    execute(['ipset', 'destroy', name], check=False)
