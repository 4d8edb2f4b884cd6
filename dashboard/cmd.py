"""Entry point of the dashboard daemon (port 8000)."""
import eventlet

eventlet.monkey_patch()

from common import daemon  # noqa: E402
from dashboard.conf import CONF  # noqa: E402

DEFAULT_PORT = 8000


def main(argv=None):
    """dashboard: the web dashboard on port 8000 (no database of its own)."""
    daemon.run(CONF, 'dashboard', 'dashboard',
               lambda: [daemon.build_api_service(CONF, 'dashboard', DEFAULT_PORT,
                                                 daemon='dashboard')], argv)


if __name__ == '__main__':
    main()
