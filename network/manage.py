"""``network-manage``: db-sync (the only place network migrations run), db-version and
metering-report (the packets and bytes each metering label counted, as the L3 agents
reported them)."""
import json
import sys

from common import manage
from network.conf import CONF
from network.state import NetworkState


def metering_report(state, args):
    from network.plugin import Core
    # A Core without notifier: a report reads the database only, no message bus.
    rows = Core(state.conf, state.db).metering.report()
    if args.format == 'json':
        print(json.dumps(rows, indent=2, sort_keys=True))
        return
    print('%-36s  %-20s  %-32s  %7s  %12s  %14s' % ('label', 'name', 'project', 'routers',
                                                   'packets', 'bytes'))
    for row in rows:
        print('%-36s  %-20s  %-32s  %7d  %12d  %14d' % (
            row['id'], row['name'][:20], row['project_id'][:32], row['routers'],
            row['packets'], row['bytes']))


def _configure_report(parser):
    parser.add_argument('--format', choices=('table', 'json'), default='table')


main = manage.build(NetworkState, CONF, commands=[
    manage.Command('metering-report', 'print the packets and bytes each metering label '
                   'counted (summed over routers)', metering_report, _configure_report)])

if __name__ == '__main__':
    sys.exit(main())
