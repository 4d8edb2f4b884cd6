"""The image service's moving parts wired together: config, database, stores, policy."""
import logging
import os

from common import exceptions
from common import policy
from common.policy import opts as policy_opts
from image import policies
from image.db import api as image_db
from image.stores import base as store_base
from image.stores import file as file_store
from image.stores import registry

LOG = logging.getLogger(__name__)


class Engine:
    """Everything a request handler needs; one per API process."""

    def __init__(self, conf, db, stores=None, enforcer=None):
        self.conf = conf
        self.db = db
        self.stores = stores or registry.Stores(conf)
        self.stores.configure()
        self.enforcer = enforcer or policy.Enforcer(policy_opts.policy_path(conf, 'image'),
                                                    defaults=policies.RULES,
                                                    default_rule='default')
        self.staging_dir = conf.os_glance_staging_store.filesystem_store_datadir or \
            os.path.join(conf.state_path, 'image-staging')
        os.makedirs(self.staging_dir, mode=0o750, exist_ok=True)
        self.imports = None  # set by image.imports.ImportRunner

    # policy ------------------------------------------------------------------
    def authorize(self, ctx, rule, image=None, **target):
        if image is not None:
            target.setdefault('owner', image['owner'])
            target.setdefault('visibility', image['visibility'])
        target.setdefault('project_id', target.get('owner'))
        self.enforcer.authorize(rule, target, ctx)

    def allowed(self, ctx, rule, image=None, **target):
        try:
            self.authorize(ctx, rule, image, **target)
            return True
        except exceptions.Forbidden:
            return False

    # data ----------------------------------------------------------------------
    def staging_path(self, image_id):
        return os.path.join(self.staging_dir, image_id)

    def remove_staging(self, image_id):
        file_store.remove_partial(self.staging_dir, image_id)
        try:
            os.unlink(self.staging_path(image_id))
        except FileNotFoundError:
            pass

    def remove_data(self, image_id, locations):
        """Delete the data behind ``locations``; failures are logged, not raised (the
        image row is gone by then, and the store's own cleanup can finish the job)."""
        for loc in locations:
            try:
                self.stores.get(loc['store']).delete(loc['url'], loc['meta'])
            except KeyError:
                LOG.warning('image %s: store %s is no longer enabled; data at %s kept',
                            image_id, loc['store'], loc['url'])
            except store_base.StoreError as exc:
                LOG.warning('image %s: cannot delete data at %s: %s', image_id, loc['url'],
                            exc)

    def read_stream(self, image_id, locations, offset=0, length=None):
        """An iterator over the data of the first readable location (preferred stores first)."""
        by_store = {loc['store']: loc for loc in locations}
        last_error = None
        for name in self.stores.by_preference([n for n in by_store if n in self.stores.by_name]):
            loc = by_store[name]
            try:
                return self.stores.get(name).get(loc['url'], loc['meta'], offset, length,
                                                 self.conf.image_chunk_size)
            except store_base.StoreError as exc:
                LOG.warning('image %s: cannot read from store %s: %s', image_id, name, exc)
                last_error = exc
        raise exceptions.ServiceUnavailable('The data of image %s cannot be read from any '
                                            'store%s.' % (image_id, ': %s' % last_error
                                                          if last_error else ''))

    def quota_limit(self, session, owner, image_id):
        """``(bytes this image may still take, message when it takes more)``."""
        limit = self.conf.image_size_cap
        message = ('Image data exceeds the largest image size accepted (%d bytes).' % limit)
        quota = self.conf.user_storage_quota
        if quota:
            remaining = max(0, quota - image_db.usage(session, owner, exclude_image=image_id))
            if remaining < limit:
                limit = remaining
                message = ('Image data exceeds the storage quota of project %s: %d of %d '
                           'bytes remain.' % (owner, remaining, quota))
        return limit, message
