"""Configuration: options declared once (type, default, help), loaded from ini files.

Every service declares its options with the ``*Opt`` classes and registers them on a
``ConfigOpts`` object.  Loading a file rejects unknown sections, unknown options and
malformed values with a ``ConfigError`` naming the file, section and option, so a daemon
never starts on a configuration it would silently misread.
"""
import configparser
import os
import threading


class ConfigError(Exception):
    """A configuration file or value is wrong; the message names where."""


class Opt:
    """One declared option: name, default and help, plus how to parse a string."""

    type_name = 'string'

    def __init__(self, name, default=None, help='', required=False, secret=False):
        if not help:
            raise ValueError('option %s needs help text' % name)
        self.name = name
        self.default = default
        self.help = help
        self.required = required
        self.secret = secret

    def parse(self, text):
        """Convert the ini string into the option's value; raise ValueError if malformed."""
        return text

    def describe(self):
        return '%s (%s, default %r): %s' % (self.name, self.type_name, self.default, self.help)


class StrOpt(Opt):
    def __init__(self, name, choices=None, **kw):
        super().__init__(name, **kw)
        self.choices = choices

    def parse(self, text):
        if self.choices is not None and text not in self.choices:
            raise ValueError('must be one of %s' % ', '.join(self.choices))
        return text


class IntOpt(Opt):
    type_name = 'integer'

    def __init__(self, name, min=None, max=None, **kw):
        super().__init__(name, **kw)
        self.min, self.max = min, max

    def parse(self, text):
        try:
            value = int(text.strip())
        except ValueError:
            raise ValueError('%r is not an integer' % text)
        if self.min is not None and value < self.min:
            raise ValueError('%d is below the minimum %d' % (value, self.min))
        if self.max is not None and value > self.max:
            raise ValueError('%d is above the maximum %d' % (value, self.max))
        return value


class PortOpt(IntOpt):
    type_name = 'port'

    def __init__(self, name, **kw):
        super().__init__(name, min=0, max=65535, **kw)


class FloatOpt(Opt):
    type_name = 'float'

    def __init__(self, name, min=None, **kw):
        super().__init__(name, **kw)
        self.min = min

    def parse(self, text):
        try:
            value = float(text.strip())
        except ValueError:
            raise ValueError('%r is not a number' % text)
        if self.min is not None and value < self.min:
            raise ValueError('%s is below the minimum %s' % (value, self.min))
        return value


class BoolOpt(Opt):
    type_name = 'boolean'
    _TRUE = {'true', 'yes', 'on', '1'}
    _FALSE = {'false', 'no', 'off', '0'}

    def parse(self, text):
        low = text.strip().lower()
        if low in self._TRUE:
            return True
        if low in self._FALSE:
            return False
        raise ValueError('%r is not a boolean (true/false)' % text)


class ListOpt(Opt):
    type_name = 'list'

    def parse(self, text):
        return [item.strip() for item in text.split(',') if item.strip()]


class DictOpt(Opt):
    """``key1:value1,key2:value2``."""

    type_name = 'dict'

    def parse(self, text):
        result = {}
        for item in ListOpt.parse(self, text):
            if ':' not in item:
                raise ValueError('%r is not key:value' % item)
            key, value = item.split(':', 1)
            result[key.strip()] = value.strip()
        return result


class Group:
    """Attribute access to one section's values."""

    def __init__(self, conf, name):
        object.__setattr__(self, '_conf', conf)
        object.__setattr__(self, '_name', name)

    def __getattr__(self, key):
        return self._conf.get(key, self._name)

    def __setattr__(self, key, value):
        raise AttributeError('use ConfigOpts.set_override to change options')


class ConfigOpts:
    """The registry of declared options and the values loaded for them."""

    def __init__(self):
        self._opts = {}       # group -> {name: Opt}
        self._values = {}     # group -> {name: value}
        self._overrides = {}  # group -> {name: value}
        self._files = []
        self._lock = threading.RLock()
        self._reload_hooks = []

    # declaration -------------------------------------------------------
    def register_opt(self, opt, group='DEFAULT'):
        with self._lock:
            existing = self._opts.setdefault(group, {}).get(opt.name)
            if existing is not None and existing is not opt:
                if type(existing) is type(opt) and existing.default == opt.default:
                    return
                raise ValueError('option %s.%s declared twice differently' % (group, opt.name))
            self._opts[group][opt.name] = opt

    def register_opts(self, opts, group='DEFAULT'):
        for opt in opts:
            self.register_opt(opt, group)

    def registered(self):
        return {g: dict(o) for g, o in self._opts.items()}

    # loading -----------------------------------------------------------
    def load(self, files):
        """Parse and validate ``files`` (later files override earlier); all or nothing."""
        values = {}
        for path in files:
            values_from_file = self._parse_file(path)
            for group, opts in values_from_file.items():
                values.setdefault(group, {}).update(opts)
        self._check_required(values, files)
        with self._lock:
            self._values = values
            self._files = list(files)

    def _parse_file(self, path):
        # A private default_section makes [DEFAULT] an ordinary section, so its keys
        # are not copied into every other section and each option is checked once.
        parser = configparser.RawConfigParser(strict=True, interpolation=None,
                                              default_section='\x00no-defaults')
        parser.optionxform = str
        try:
            with open(path) as handle:
                parser.read_file(handle)
        except OSError as exc:
            raise ConfigError('%s: cannot read: %s' % (path, exc.strerror))
        except configparser.Error as exc:
            raise ConfigError('%s: malformed: %s' % (path, exc))
        found = {}
        for group in parser.sections():
            items = dict(parser.items(group, raw=True))
            if group not in self._opts:
                raise ConfigError('%s: [%s]: unknown section' % (path, group))
            for key, text in items.items():
                opt = self._opts[group].get(key)
                if opt is None:
                    raise ConfigError('%s: [%s] %s: unknown option' % (path, group, key))
                try:
                    found.setdefault(group, {})[key] = opt.parse(text)
                except ValueError as exc:
                    raise ConfigError('%s: [%s] %s: invalid value: %s' % (path, group, key, exc))
        return found

    def _check_required(self, values, files):
        for group, opts in self._opts.items():
            for name, opt in opts.items():
                if opt.required and name not in values.get(group, {}) \
                        and name not in self._overrides.get(group, {}):
                    raise ConfigError('%s: [%s] %s: required option is missing'
                                      % (', '.join(files) or '(no config file)', group, name))

    def reload(self):
        """Re-read the files loaded last (SIGHUP); keep the old values if the new ones are bad."""
        self.load(self._files)
        for hook in list(self._reload_hooks):
            hook(self)

    def add_reload_hook(self, hook):
        self._reload_hooks.append(hook)

    def remove_reload_hook(self, hook):
        """Forget ``hook`` (state objects that are dropped must not be called again)."""
        if hook in self._reload_hooks:
            self._reload_hooks.remove(hook)

    @property
    def config_files(self):
        return list(self._files)

    # access ------------------------------------------------------------
    def get(self, name, group='DEFAULT'):
        with self._lock:
            opts = self._opts.get(group)
            if opts is None or name not in opts:
                raise AttributeError('no option %s in [%s]' % (name, group))
            if name in self._overrides.get(group, {}):
                return self._overrides[group][name]
            return self._values.get(group, {}).get(name, opts[name].default)

    def set_override(self, name, value, group='DEFAULT'):
        with self._lock:
            if name not in self._opts.get(group, {}):
                raise AttributeError('no option %s in [%s]' % (name, group))
            self._overrides.setdefault(group, {})[name] = value

    def clear_override(self, name, group='DEFAULT'):
        with self._lock:
            self._overrides.get(group, {}).pop(name, None)

    def __getattr__(self, key):
        if key.startswith('_'):
            raise AttributeError(key)
        if key in self._opts and key != 'DEFAULT':
            return Group(self, key)
        return self.get(key, 'DEFAULT')

    def sample(self):
        """A commented sample ini text listing every declared option."""
        lines = []
        for group in sorted(self._opts, key=lambda g: (g != 'DEFAULT', g)):
            lines.append('[%s]' % group)
            for name in sorted(self._opts[group]):
                opt = self._opts[group][name]
                lines.append('# %s' % opt.help)
                lines.append('# (%s)' % opt.type_name)
                default = opt.default
                if isinstance(default, list):
                    default = ','.join(map(str, default))
                lines.append('#%s = %s' % (name, '' if default is None else default))
            lines.append('')
        return '\n'.join(lines)


def find_config_file(service, name):
    """Locate ``name`` for ``service``: $<SERVICE>_CONFIG_DIR, then ./etc/<service>, /etc/<service>."""
    candidates = []
    env = os.environ.get('%s_CONFIG_DIR' % service.upper())
    if env:
        candidates.append(os.path.join(env, name))
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    candidates += [os.path.join(here, 'etc', service, name), os.path.join('/etc', service, name)]
    for path in candidates:
        if os.path.exists(path):
            return path
    return None


_INSTANCES = {}


def register_instance(conf):
    """A string key for ``conf`` that can travel through paste.deploy's global_conf (which
    only carries strings); ``lookup_instance`` turns it back into the object."""
    key = 'conf-%x' % id(conf)
    _INSTANCES[key] = conf
    return key


def lookup_instance(key):
    try:
        return _INSTANCES[key]
    except KeyError:
        raise RuntimeError('no configuration registered as %r' % (key,))


def from_paste(global_conf):
    """The ConfigOpts a daemon handed to its paste factories (see ``register_instance``)."""
    value = global_conf['__conf__']
    return value if isinstance(value, ConfigOpts) else lookup_instance(value)
