"""Entry-point plumbing shared by every daemon: arguments, config, logging, launch.

A daemon's console script calls ``run_api`` (API servers) or ``run_services``
(workers/agents) with its service name and ConfigOpts; both stop cleanly on SIGTERM and
reload the config on SIGHUP through ``common.service.Launcher``.
"""
import argparse
import logging
import os
import sys

from common import config
from common import log as log_mod
from common import service as service_mod

LOG = logging.getLogger(__name__)


def register_api_opts(conf):
    """Options every API service declares: host/state/transport, [api], [database],
    [keystone_authtoken] and [oslo_policy]."""
    from common.auth import middleware as auth_middleware
    from common.db import api as db_api
    from common.policy import opts as policy_opts
    from common.wsgi import server
    service_mod.register_opts(conf)
    server.register_opts(conf)
    db_api.register_opts(conf)
    auth_middleware.register_opts(conf)
    policy_opts.register_opts(conf)


def parse_args(service, daemon, argv=None):
    parser = argparse.ArgumentParser(prog=daemon, description='%s daemon of the %s service'
                                     % (daemon, service))
    parser.add_argument('--config-file', action='append', default=[],
                        help='ini file to load (repeatable; later files win). Default: '
                             '$%s_CONFIG_DIR/%s.conf or etc/%s/%s.conf'
                             % (service.upper(), service, service, service))
    parser.add_argument('--debug', action='store_true', help='log at DEBUG level')
    return parser.parse_args(argv)


def load_config(conf, service, files, config_name=None):
    """Load ``files`` (or the service's default file, ``config_name`` or ``<service>.conf``);
    exit 2 with the error on bad config."""
    if not files:
        default = config.find_config_file(service, config_name or '%s.conf' % service)
        files = [default] if default else []
    try:
        conf.load(files)
    except config.ConfigError as exc:
        sys.stderr.write('configuration error: %s\n' % exc)
        sys.exit(2)
    return files


def prepare(conf, service, daemon, argv=None, config_name=None):
    """Parse arguments, load and validate config, set up logging; return the parsed args."""
    args = parse_args(service, daemon, argv)
    files = load_config(conf, service, args.config_file, config_name)
    log_mod.setup(conf, debug=args.debug or None)
    LOG.info('%s starting with config %s', daemon, ', '.join(files) or '(defaults)')
    return args


def paste_path(conf, service, paste_name='api-paste.ini'):
    """``[api] paste_config`` (relative to the config file), else the service's default."""
    path = conf.api.paste_config
    if not path:
        path = config.find_config_file(service, paste_name)
    elif not os.path.isabs(path) and conf.config_files:
        path = os.path.join(os.path.dirname(conf.config_files[0]), path)
    return path


def wsgi_service(conf, daemon, app, group='api', default_port=None, **options):
    """A WSGIService for ``app`` on the bind address, port and limits of ``[group]``;
    ``options`` go to the server (objectstore's header handling)."""
    from common.wsgi import server
    port = conf.get('bind_port', group)
    if not port and default_port is not None:
        port = default_port
    return server.WSGIService(daemon, app, conf.get('bind_host', group), port,
                              max_connections=conf.get('max_connections', group),
                              socket_timeout=conf.get('client_socket_timeout', group),
                              **options)


def build_api_service(conf, service, default_port, name='main', paste_name='api-paste.ini',
                      daemon=None, **options):
    """A WSGIService serving the service's paste pipeline ``name`` on its configured port."""
    from common.wsgi import server
    app = server.load_paste_app(paste_path(conf, service, paste_name), name=name, conf=conf)
    return wsgi_service(conf, daemon or '%s-api' % service, app, 'api', default_port,
                        **options)


def check_schema(conf, state_cls):
    """Exit 2 with the message (naming ``<svc>-manage db-sync``) unless the schema is current."""
    if state_cls is None:
        return
    from common import state as state_mod
    try:
        state_cls.get(conf).check_schema()
    except state_mod.SchemaOutdated as exc:
        LOG.error('%s', exc)
        sys.stderr.write('refusing to start: %s\n' % exc)
        sys.exit(2)


def run_services(conf, services):
    """Run ``services`` until SIGTERM; exit with the launcher's status."""
    sys.exit(_serve(conf, lambda: services))


def run(conf, service, daemon, build_services, argv=None, state=None, config_name=None,
        api_port=None):
    """Main of any daemon: arguments, config, logging, the schema check when the daemon
    has a database (``state``: the service's ServiceState class), then run
    ``build_services()`` (called after the config is loaded) until SIGTERM.

    An API daemon passes ``api_port`` (its default port): with ``[api] workers`` above 1
    the socket is bound here and that many processes each run ``build_services()``."""
    prepare(conf, service, daemon, argv, config_name)
    check_schema(conf, state)
    workers = conf.api.workers if api_port is not None else 1
    if workers > 1:
        from common import workers as workers_mod
        from common.wsgi import server
        server.bind_for_workers(conf.api.bind_host, conf.api.bind_port or api_port)
        LOG.info('%s: %d workers', daemon, workers)
        workers_mod.run(daemon, lambda: _serve(conf, build_services), workers, conf.reload)
    run_services(conf, list(build_services()))


def _serve(conf, build_services):
    launcher = service_mod.Launcher(conf)
    for svc in build_services():
        launcher.add(svc)
    return launcher.run()


def run_api(conf, service, default_port, argv=None, extra_services=(), state=None):
    """Main of an API daemon: serve the paste app (plus any extra services) until SIGTERM."""
    run(conf, service, '%s-api' % service,
        lambda: [build_api_service(conf, service, default_port)] + list(extra_services),
        argv, state, api_port=default_port)
