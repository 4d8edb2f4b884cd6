"""``image-manage``: database schema upgrades of the image service."""
import argparse
import sys

from common import config
from common import daemon
from common.db import api as db_api
from common.db import migration
from image import conf as image_conf


def main(argv=None):
    parser = argparse.ArgumentParser(prog='image-manage', description='Image service admin.')
    parser.add_argument('--config-file', action='append', default=[])
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('db_sync', help='Upgrade the database to the newest schema.')
    sub.add_parser('db_version', help='Print the schema version of the database.')
    args = parser.parse_args(argv)
    files = args.config_file
    if not files:
        default = config.find_config_file('image', 'image.conf')
        files = [default] if default else []
    try:
        image_conf.register_backends(image_conf.CONF, image_conf.backends_in_files(files))
    except config.ConfigError as exc:
        sys.stderr.write('configuration error: %s\n' % exc)
        return 2
    daemon.load_config(image_conf.CONF, 'image', files)
    db = db_api.from_conf(image_conf.CONF, 'image')
    if args.command == 'db_sync':
        print(migration.upgrade(db, 'image.db.migrations'))
    else:
        print(migration.current_version(db.engine))
    return 0


if __name__ == '__main__':
    sys.exit(main())
