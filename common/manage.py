"""``<svc>-manage``: the administration CLI of a service, built from its ServiceState.

Every service gets ``db-sync`` (create or upgrade the schema; the one place migrations
run) and ``db-version``; a service adds its own commands::

    main = manage.build(IdentityState, CONF, commands=[
        manage.Command('key-rotate', 'add a new primary signing key', key_rotate)])

A command's ``func(state, args)`` returns None or an exit status.
"""
import argparse
import sys

from common import config
from common import log as log_mod


class Command:
    """One subcommand: ``configure(parser)`` adds its arguments, ``func(state, args)`` runs."""

    def __init__(self, name, help, func, configure=None, aliases=()):
        self.name, self.help, self.func = name, help, func
        self.configure = configure
        self.aliases = tuple(aliases)


def db_sync(state, args):
    version = state.sync_schema()
    print('%s database at version %d' % (state.service, version))


def db_version(state, args):
    print(state.schema_version())


def standard_commands():
    # The underscore spellings are what image-manage accepted before; kept for scripts.
    return [Command('db-sync', 'create or upgrade the database schema', db_sync,
                    aliases=('db_sync',)),
            Command('db-version', 'print the schema version of the database', db_version,
                    aliases=('db_version',))]


def build(state_cls, conf, commands=(), prepare_files=None, description=None):
    """The ``main(argv=None)`` of ``<svc>-manage``.

    ``prepare_files(files)`` may declare options a config file implies (image's store
    backends) and return the files to load.
    """
    service = state_cls.service
    all_commands = standard_commands() + list(commands)

    def main(argv=None):
        parser = argparse.ArgumentParser(
            prog='%s-manage' % service,
            description=description or 'Administer the %s service.' % service)
        parser.add_argument('--config-file', action='append', default=[],
                            help='%s.conf to use (repeatable; later files win)' % service)
        sub = parser.add_subparsers(dest='command', required=True)
        for cmd in all_commands:
            for name in (cmd.name,) + cmd.aliases:
                p = sub.add_parser(name, help=cmd.help if name == cmd.name
                                   else argparse.SUPPRESS)
                if cmd.configure is not None:
                    cmd.configure(p)
                p.set_defaults(func=cmd.func)
        args = parser.parse_args(argv)
        files = args.config_file
        if not files:
            default = config.find_config_file(service, '%s.conf' % service)
            files = [default] if default else []
        if prepare_files is not None:
            files = prepare_files(files)
        try:
            conf.load(files)
        except config.ConfigError as exc:
            sys.stderr.write('configuration error: %s\n' % exc)
            return 2
        log_mod.setup(conf)
        try:
            return args.func(state_cls.get(conf), args) or 0
        except config.ConfigError as exc:
            sys.stderr.write('%s\n' % exc)
            return 2
    return main
