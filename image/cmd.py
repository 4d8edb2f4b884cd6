"""Console-script mains of the image service: ``image-api``."""
import eventlet

# Before anything imports socket or threading: uploads, downloads and import jobs run as
# green threads, and the object store driver's HTTP calls must yield to them.
eventlet.monkey_patch()

import sys  # noqa: E402

from common import config  # noqa: E402
from common import daemon  # noqa: E402
from image import conf as image_conf  # noqa: E402


def register_backends_for(argv):
    """Declare the option groups of the stores the config files enable (before loading)."""
    args = daemon.parse_args('image', 'image-api', argv)
    files = args.config_file
    if not files:
        default = config.find_config_file('image', 'image.conf')
        files = [default] if default else []
    try:
        image_conf.register_backends(image_conf.CONF, image_conf.backends_in_files(files))
    except config.ConfigError as exc:
        sys.stderr.write('configuration error: %s\n' % exc)
        sys.exit(2)


def api_main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    register_backends_for(argv)
    daemon.run_api(image_conf.CONF, 'image', image_conf.DEFAULT_PORT, argv)


if __name__ == '__main__':
    api_main()
