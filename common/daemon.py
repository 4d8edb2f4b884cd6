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


def load_config(conf, service, files):
    """Load ``files`` (or the service's default file); exit 2 with the error on bad config."""
    if not files:
        default = config.find_config_file(service, '%s.conf' % service)
        files = [default] if default else []
    try:
        conf.load(files)
    except config.ConfigError as exc:
        sys.stderr.write('configuration error: %s\n' % exc)
        sys.exit(2)
    return files


def prepare(conf, service, daemon, argv=None):
    """Parse arguments, load and validate config, set up logging; return the parsed args."""
    args = parse_args(service, daemon, argv)
    files = load_config(conf, service, args.config_file)
    log_mod.setup(conf, debug=args.debug or None)
    LOG.info('%s starting with config %s', daemon, ', '.join(files) or '(defaults)')
    return args


def paste_path(conf, service):
    path = conf.api.paste_config
    if not path:
        path = config.find_config_file(service, 'api-paste.ini')
    elif not os.path.isabs(path) and conf.config_files:
        path = os.path.join(os.path.dirname(conf.config_files[0]), path)
    return path


def build_api_service(conf, service, default_port, name='main'):
    """A WSGIService serving the service's paste pipeline ``name`` on its configured port."""
    from common.wsgi import server
    app = server.load_paste_app(paste_path(conf, service), name=name, conf=conf)
    port = conf.api.bind_port or default_port
    return server.WSGIService('%s-api' % service, app, conf.api.bind_host, port,
                              max_connections=conf.api.max_connections,
                              socket_timeout=conf.api.client_socket_timeout)


def run_services(conf, services):
    """Run ``services`` until SIGTERM; exit with the launcher's status."""
    launcher = service_mod.Launcher(conf)
    for svc in services:
        launcher.add(svc)
    sys.exit(launcher.run())


def run_api(conf, service, default_port, argv=None, extra_services=()):
    """Main of an API daemon: serve the paste app (plus any extra services) until SIGTERM."""
    prepare(conf, service, '%s-api' % service, argv)
    run_services(conf, [build_api_service(conf, service, default_port)] + list(extra_services))
