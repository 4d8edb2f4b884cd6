"""identity-manage: database sync, bootstrap of the first admin, signing key rotation."""
import os
import sys

from common import manage
from identity.conf import CONF
from identity.state import IdentityState


def key_setup(st, args):
    kid = st.keys.setup()
    st.credential_keys.setup()
    print('signing keys in %s; primary key %s; credential key %s'
          % (st.keys.path, kid, st.credential_keys.path))


def key_rotate(st, args):
    kid = st.keys.rotate()
    print('new primary signing key %s; %d key(s) kept in %s'
          % (kid, len(st.keys.public_keys()), st.keys.path))


def bootstrap(st, args):
    from identity import bootstrap as boot
    st.keys.setup()
    st.credential_keys.setup()
    st.sync_schema()
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


def _bootstrap_args(boot):
    boot.add_argument('--bootstrap-username', default='admin')
    boot.add_argument('--bootstrap-password')
    boot.add_argument('--bootstrap-project-name', default='admin')
    boot.add_argument('--bootstrap-role-name', default='admin')
    boot.add_argument('--bootstrap-region-id', default='RegionOne')
    boot.add_argument('--bootstrap-public-url')
    boot.add_argument('--bootstrap-internal-url')
    boot.add_argument('--bootstrap-admin-url')


main = manage.build(IdentityState, CONF, description='Administer the identity service.',
                    commands=[
                        manage.Command('key-setup', 'create the signing keys and the '
                                       'credential key if missing', key_setup),
                        manage.Command('key-rotate', 'add a new primary signing key, prune '
                                       'the oldest', key_rotate),
                        manage.Command('bootstrap', 'create the admin user, project, roles, '
                                       'region and identity endpoints (idempotent)',
                                       bootstrap, configure=_bootstrap_args)])


if __name__ == '__main__':
    sys.exit(main())
