"""The image service's configuration options.

Data stores are named by the operator (``enabled_backends = file1:file, os1:objectstore``)
and each has its own ini section, so their option groups can only be registered once the
backend names are known: :func:`register_backends` does that before the files are loaded.
"""
import configparser
import re

from common import config
from common import daemon

CONF = config.ConfigOpts()
DEFAULT_PORT = 9292

_UNITS = {'': 1, 'B': 1, 'KB': 1024, 'MB': 1024 ** 2, 'GB': 1024 ** 3, 'TB': 1024 ** 4}
_SIZE_RE = re.compile(r'^\s*(\d+)\s*([KMGT]?B?)\s*$', re.IGNORECASE)


def parse_size(text):
    """Bytes for ``'0'``, ``'512'``, ``'10MB'``, ``'5 GB'`` (1024-based units)."""
    match = _SIZE_RE.match(str(text))
    if not match:
        raise ValueError('%r is not a size (an integer with an optional B/KB/MB/GB/TB unit)'
                         % text)
    unit = match.group(2).upper()
    if unit and not unit.endswith('B'):
        unit += 'B'
    return int(match.group(1)) * _UNITS[unit]


class SizeOpt(config.Opt):
    """A byte count written with an optional unit; the value is an int of bytes."""

    type_name = 'size'

    def parse(self, text):
        return parse_size(text)


BACKEND_TYPES = ('file', 'objectstore')

IMAGE_OPTS = [
    config.DictOpt('enabled_backends', default={'local': 'file'},
                   help='Image data stores as name:type pairs (types: file, objectstore); '
                        'each store reads its options from the section named after it.'),
    SizeOpt('user_storage_quota', default=0,
            help='Total image bytes one project may keep across its images (0: unlimited); '
                 'accepts B, KB, MB, GB and TB suffixes.'),
    SizeOpt('image_size_cap', default=1024 ** 4,
            help='Largest single image accepted, in bytes (units allowed).'),
    config.IntOpt('image_property_quota', default=128, min=1,
                  help='Most custom properties one image may have.'),
    config.IntOpt('image_tag_quota', default=128, min=1, help='Most tags one image may have.'),
    config.IntOpt('image_member_quota', default=128, min=1,
                  help='Most members one shared image may have.'),
    config.IntOpt('limit_param_default', default=25, min=1,
                  help='Images one list call returns when the client asks for no limit.'),
    config.IntOpt('api_limit_max', default=1000, min=1,
                  help='Most images one list call returns whatever the client asks.'),
    config.ListOpt('enabled_import_methods', default=['glance-direct', 'copy-image'],
                   help='Interoperable import methods offered (glance-direct, copy-image).'),
    config.IntOpt('image_chunk_size', default=65536, min=4096, max=16 * 1024 * 1024,
                  help='Bytes read or written at a time when streaming image data.'),
]

GLANCE_STORE_OPTS = [
    config.StrOpt('default_backend', default=None,
                  help='Store new image data goes to when the client names none (default: '
                       'the first of enabled_backends).'),
]

STAGING_OPTS = [
    config.StrOpt('filesystem_store_datadir', default=None,
                  help='Directory holding staged image data for interoperable import '
                       '(default: <state_path>/image-staging).'),
]


_RESERVED_GROUPS = ('DEFAULT', 'api', 'database', 'keystone_authtoken', 'glance_store',
                    'os_glance_staging_store', 'oslo_policy')


def register(conf):
    daemon.register_api_opts(conf)
    conf.register_opts(IMAGE_OPTS)
    conf.register_opts(GLANCE_STORE_OPTS, group='glance_store')
    conf.register_opts(STAGING_OPTS, group='os_glance_staging_store')


def register_backends(conf, backends):
    """Declare the option group of every ``{name: type}`` store; ConfigError if one is bad."""
    from image.stores import registry
    for name, kind in backends.items():
        if kind not in BACKEND_TYPES:
            raise config.ConfigError('[DEFAULT] enabled_backends: store %s has unknown type %r '
                                     '(known: %s)' % (name, kind, ', '.join(BACKEND_TYPES)))
        if name in _RESERVED_GROUPS or not re.match(r'^[A-Za-z0-9_.-]+$', name):
            raise config.ConfigError('[DEFAULT] enabled_backends: %r cannot name a store' % name)
        conf.register_opts(registry.options_for(kind), group=name)


def backends_in_files(files):
    """The ``enabled_backends`` mapping the ini files set (later files win), or the default."""
    found = None
    for path in files:
        parser = configparser.RawConfigParser(interpolation=None,
                                              default_section='\x00no-defaults')
        parser.optionxform = str
        try:
            parser.read(path)
        except configparser.Error as exc:
            raise config.ConfigError('%s: malformed: %s' % (path, exc))
        if parser.has_option('DEFAULT', 'enabled_backends'):
            try:
                found = IMAGE_OPTS[0].parse(parser.get('DEFAULT', 'enabled_backends'))
            except ValueError as exc:
                raise config.ConfigError('%s: [DEFAULT] enabled_backends: invalid value: %s'
                                         % (path, exc))
    return found if found is not None else IMAGE_OPTS[0].default


register(CONF)


def declare_backends_for(files):
    """The config files to load (default: the service's image.conf), after declaring the
    option groups of the stores they enable; a bad file exits 2 with the reason."""
    import sys
    if not files:
        default = config.find_config_file('image', 'image.conf')
        files = [default] if default else []
    try:
        register_backends(CONF, backends_in_files(files))
    except config.ConfigError as exc:
        sys.stderr.write('configuration error: %s\n' % exc)
        sys.exit(2)
    return files
