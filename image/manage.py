"""``image-manage``: database schema upgrades of the image service."""
import argparse
import sys

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
    files = image_conf.declare_backends_for(args.config_file)
    daemon.load_config(image_conf.CONF, 'image', files)
    db = db_api.from_conf(image_conf.CONF, 'image')
    if args.command == 'db_sync':
        print(migration.upgrade(db, 'image.db.migrations'))
    else:
        print(migration.current_version(db.engine))
    return 0


if __name__ == '__main__':
    sys.exit(main())
