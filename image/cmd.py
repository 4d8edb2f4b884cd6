"""Console-script mains of the image service: ``image-api``."""
import eventlet

# Before anything imports socket or threading: uploads, downloads and import jobs run as
# green threads, and the object store driver's HTTP calls must yield to them.
eventlet.monkey_patch()

import sys  # noqa: E402

from common import daemon  # noqa: E402
from image import conf as image_conf  # noqa: E402


def register_backends_for(argv):
    """Declare the option groups of the stores the config files enable (before loading)."""
    image_conf.declare_backends_for(daemon.parse_args('image', 'image-api', argv).config_file)


def api_main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    register_backends_for(argv)
    from image.state import ImageState
    daemon.run_api(image_conf.CONF, 'image', image_conf.DEFAULT_PORT, argv, state=ImageState)


if __name__ == '__main__':
    api_main()
