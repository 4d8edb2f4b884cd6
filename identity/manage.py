"""identity-manage: database sync, bootstrap of the first admin, signing key rotation."""
import argparse
import os
import sys

from common import config
from common import log as log_mod
from common.db import migration
from identity.conf import CONF


def _setup(args):
    files = args.config_file or [f for f in [config.find_config_file('identity',
                                                                     'identity.conf')] if f]
    try:
        CONF.load(files)
    except config.ConfigError as exc:
        sys.exit('configuration error: %s' % exc)
    log_mod.setup(CONF)
    from identity.api import state
    return state.get(CONF)


def db_sync(args):
    st = _setup(args)
    version = migration.upgrade(st.db, 'identity.db.migrations')
    print('identity database at version %d' % version)


def key_setup(args):
    st = _setup(args)
    kid = st.keys.setup()
    print('signing keys in %s; primary key %s' % (st.keys.path, kid))


def key_rotate(args):
    st = _setup(args)
    kid = st.keys.rotate()
    print('new primary signing key %s; %d key(s) kept in %s'
          % (kid, len(st.keys.public_keys()), st.keys.path))


def bootstrap(args):
    from identity import bootstrap as boot
    st = _setup(args)
    migration.upgrade(st.db, 'identity.db.migrations')
    st.keys.setup()
    password = args.bootstrap_password or os.environ.get('OS_BOOTSTRAP_PASSWORD')
    if not password:
        sys.exit('bootstrap needs --bootstrap-password or OS_BOOTSTRAP_PASSWORD')
    result = boot.bootstrap(st.db, username=args.bootstrap_username, password=password,
                            project_name=args.bootstrap_project_name,
                            role_name=args.bootstrap_role_name,
                            region_id=args.bootstrap_region_id,
                            public_url=args.bootstrap_public_url,
                            internal_url=args.bootstrap_internal_url,
                            admin_url=args.bootstrap_admin_url,
                            hash_cost=CONF.identity.password_hash_cost)
    for line in result:
        print(line)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='identity-manage',
                                     description='Administer the identity service.')
    parser.add_argument('--config-file', action='append', default=[],
                        help='identity.conf to use (repeatable)')
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('db-sync', help='create or upgrade the database schema').set_defaults(
        func=db_sync)
    sub.add_parser('key-setup', help='create the signing key repository if empty').set_defaults(
        func=key_setup)
    sub.add_parser('key-rotate', help='add a new primary signing key, prune the oldest'
                   ).set_defaults(func=key_rotate)
    boot = sub.add_parser('bootstrap', help='create the admin user, project, roles, region '
                          'and identity endpoints (idempotent)')
    boot.add_argument('--bootstrap-username', default='admin')
    boot.add_argument('--bootstrap-password')
    boot.add_argument('--bootstrap-project-name', default='admin')
    boot.add_argument('--bootstrap-role-name', default='admin')
    boot.add_argument('--bootstrap-region-id', default='RegionOne')
    boot.add_argument('--bootstrap-public-url')
    boot.add_argument('--bootstrap-internal-url')
    boot.add_argument('--bootstrap-admin-url')
    boot.set_defaults(func=bootstrap)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == '__main__':
    main()
