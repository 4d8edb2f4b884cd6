"""Build the configured stores and pick the default one."""
from common import config
from image.stores import base

COMMON_OPTS = [
    config.StrOpt('description', default=None,
                  help='Text shown for this store in /v2/info/stores.'),
    config.IntOpt('weight', default=0, help='Preference of this store (higher first) when '
                                            'choosing which copy of an image to read.'),
]


def _driver(kind):
    if kind == 'file':
        from image.stores import file as mod
        return mod.FileStore, mod.OPTS
    if kind == 'objectstore':
        from image.stores import objectstore as mod
        return mod.ObjectStore, mod.OPTS
    raise ValueError('unknown store type %s' % kind)


def options_for(kind):
    return COMMON_OPTS + _driver(kind)[1]


class Stores:
    """The enabled stores by name, in configuration order, with the default one."""

    def __init__(self, conf):
        self.by_name = {}
        for name, kind in conf.enabled_backends.items():
            cls = _driver(kind)[0]
            self.by_name[name] = cls(name, conf)
        if not self.by_name:
            raise config.ConfigError('[DEFAULT] enabled_backends names no store')
        default = conf.glance_store.default_backend or next(iter(self.by_name))
        if default not in self.by_name:
            raise config.ConfigError('[glance_store] default_backend %s is not one of the '
                                     'enabled_backends (%s)' % (default, ', '.join(self.by_name)))
        self.default = default

    def configure(self):
        for store in self.by_name.values():
            store.configure()

    def get(self, name):
        """The store called ``name``; KeyError if there is none."""
        return self.by_name[name]

    def names(self):
        return list(self.by_name)

    def by_preference(self, names):
        """``names`` ordered for reading: heaviest weight first, then the default store."""
        return sorted(names, key=lambda n: (-self.by_name[n].opts.weight if n in self.by_name
                                            else 1, n != self.default))


__all__ = ['Stores', 'options_for', 'base']
