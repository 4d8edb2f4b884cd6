"""Console-script mains of the storage node daemons.

    objectstore-object-server | -container-server | -account-server  [--config-file F]
    objectstore-replicator | -auditor | -updater | -expirer  [--config-file F] [--once]

Also runnable as ``python -m objectstore.cmd <daemon> [options]``.
"""
import argparse
import logging
import sys
import warnings

warnings.filterwarnings('ignore', message='(?s).*Eventlet is deprecated')
import eventlet  # noqa: E402

LOG = logging.getLogger(__name__)

SERVERS = ('object-server', 'container-server', 'account-server')
DAEMONS = ('replicator', 'auditor', 'updater', 'expirer')


def _prepare(name, argv):
    # Patch before the rest of the code imports socket/threading users, so backend
    # requests and sleeps yield to the other green threads.
    eventlet.monkey_patch()
    warnings.filterwarnings('ignore', category=DeprecationWarning)
    from common import daemon
    from objectstore import logsafe
    from objectstore.conf import CONF
    from objectstore.ring import utils as ring_utils
    logsafe.install()
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('--once', action='store_true')
    known, rest = parser.parse_known_args(argv)
    daemon.prepare(CONF, 'objectstore', 'objectstore-' + name, rest)
    try:
        ring_utils.set_hash_path_secret(CONF.objectstore.hash_path_prefix,
                                        CONF.objectstore.hash_path_suffix)
    except ValueError as exc:
        sys.stderr.write('configuration error: [objectstore] %s\n' % exc)
        sys.exit(2)
    return CONF, known.once


def _server(name, argv=None):
    conf, _ = _prepare(name, argv)
    from common import daemon
    from common.wsgi import middleware
    if name == 'object-server':
        from objectstore.obj.server import ObjectServer as app_cls
    elif name == 'container-server':
        from objectstore.container.server import ContainerServer as app_cls
    else:
        from objectstore.account.server import AccountServer as app_cls
    app = middleware.RequestId(app_cls(conf))
    daemon.run_services(conf, [daemon.wsgi_service(conf, name, app, group=name)])


def _daemon(name, argv=None):
    conf, once = _prepare(name, argv)
    from common import daemon
    if name == 'replicator':
        from objectstore.replicator.daemon import Replicator as cls
    elif name == 'auditor':
        from objectstore.obj.auditor import Auditor as cls
    elif name == 'updater':
        from objectstore.obj.updater import Updater as cls
    else:
        from objectstore.obj.expirer import Expirer as cls
    worker = cls(conf)
    if once:
        worker.run_once()
        return 0
    daemon.run_services(conf, [worker])


def object_server_main(argv=None):
    return _server('object-server', argv)


def container_server_main(argv=None):
    return _server('container-server', argv)


def account_server_main(argv=None):
    return _server('account-server', argv)


def replicator_main(argv=None):
    return _daemon('replicator', argv)


def auditor_main(argv=None):
    return _daemon('auditor', argv)


def updater_main(argv=None):
    return _daemon('updater', argv)


def expirer_main(argv=None):
    return _daemon('expirer', argv)


def ring_builder_main(argv=None):
    from objectstore.ring import cli
    return cli.main(argv)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    names = SERVERS + DAEMONS + ('ring-builder',)
    if not argv or argv[0] not in names:
        sys.stderr.write('usage: python -m objectstore.cmd {%s} [options]\n' % '|'.join(names))
        return 2
    name, rest = argv[0], argv[1:]
    if name == 'ring-builder':
        return ring_builder_main(rest)
    if name in SERVERS:
        return _server(name, rest)
    return _daemon(name, rest)


if __name__ == '__main__':
    sys.exit(main())
