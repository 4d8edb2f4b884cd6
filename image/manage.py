"""``image-manage``: db-sync (the only place image migrations run), db-version, and
db-load-metadefs (the metadata definitions catalog a cloud starts with)."""
import sys

from common import manage
from image import conf as image_conf
from image import metadef_catalog
from image.state import ImageState


def load_metadefs(state, args):
    try:
        created, kept = metadef_catalog.load(state.db, args.path)
    except (metadef_catalog.CatalogError, OSError) as exc:
        sys.stderr.write('image-manage: %s\n' % exc)
        return 1
    print('metadefs: %d namespace(s) created%s, %d already there'
          % (len(created), ' (%s)' % ', '.join(created) if created else '', len(kept)))
    return None


def _load_metadefs_args(parser):
    parser.add_argument('--path', default=metadef_catalog.DEFAULT_DIR,
                        help='directory of namespace JSON files (default: %(default)s)')


main = manage.build(ImageState, image_conf.CONF, prepare_files=image_conf.declare_backends_for,
                    commands=[manage.Command('db-load-metadefs',
                                             'create the catalog namespaces not yet there',
                                             load_metadefs, configure=_load_metadefs_args,
                                             aliases=('db_load_metadefs',))],
                    description='Image service admin.')

if __name__ == '__main__':
    sys.exit(main())
