"""Version discovery answered before authentication.

Clients ask ``GET /`` (and some ``/versions``) before they hold a token, so each API's
pipeline starts with this filter: discovery paths go to the service's versions app,
everything else on down the pipeline (to auth).  In a paste pipeline::

    versions_filter_factory = versions.filter_factory(build_versions_app,
                                                      paths=('/', '/versions'))

``build_versions_app(conf)`` returns the WSGI app answering those paths.
"""
from common import config


class VersionsFilter:
    """Route the discovery ``paths`` to ``versions_app``; compare without trailing
    slashes when ``strip_slash`` (``/versions/`` is ``/versions``)."""

    def __init__(self, app, versions_app, paths=('/',), strip_slash=False):
        self.app = app
        self.versions_app = versions_app
        self.strip_slash = strip_slash
        self.paths = {self._normal(p) for p in paths} | ({''} if '/' in paths else set())

    def _normal(self, path):
        return path.rstrip('/') if self.strip_slash else path

    def __call__(self, environ, start_response):
        path = self._normal(environ.get('PATH_INFO', ''))
        app = self.versions_app if path in self.paths else self.app
        return app(environ, start_response)


def filter_factory(build_versions_app, paths=('/',), strip_slash=False):
    """A paste filter factory: the ConfigOpts comes from the daemon's global_conf."""
    def factory(global_conf, **local_conf):
        versions_app = build_versions_app(config.from_paste(global_conf))
        return lambda app: VersionsFilter(app, versions_app, paths, strip_slash)
    return factory
