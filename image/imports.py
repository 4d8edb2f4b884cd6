"""Interoperable image import, run in green threads of the API process.

A job row records what is to be done (method, target stores) before the work starts, so a
restart finds unfinished jobs: partial data in their target stores is removed and the job
runs again from its source (the staged file, or an existing copy for copy-image); if the
source is gone the job fails cleanly and the image returns to a consistent status.
"""
import datetime
import logging
import os
import urllib.request
import uuid

import eventlet

from common import exceptions
from common.db import types
from image import formats
from image import streams
from image import upload as upload_mod
from image.db import api as image_db
from image.stores import base as store_base

LOG = logging.getLogger(__name__)

IMPORTING = 'os_glance_importing_to_stores'
FAILED = 'os_glance_failed_import'
WEB_DOWNLOAD = 'web-download'
# How long a finished task stays listed (Glance keeps them 48 hours).
TASK_TIME_TO_LIVE = datetime.timedelta(hours=48)


class ImportRunner:
    """Starts import jobs in green threads and recovers interrupted ones."""

    def __init__(self, engine, pool_size=8):
        self.engine = engine
        self.pool = eventlet.GreenPool(pool_size)
        engine.imports = self

    def submit(self, session, image_id, method, stores, all_must_succeed, task=None):
        """Record a job in ``session`` (the caller commits) and return its id; call
        ``start(job_id)`` after the commit.  ``task``: who asked and what, as the task
        view of the job shows it (owner, user_id, request_id, task_input)."""
        job_id = str(uuid.uuid4())
        image_db.add_import_job(session, job_id, image_id, method, stores, all_must_succeed,
                                dict(task or {}, task_type='api_image_import'))
        image_db.set_property(session, image_id, IMPORTING, ','.join(stores))
        # Glance shows both from the start of an import: clients wait on them
        if FAILED not in image_db.properties(session, image_id):
            image_db.set_property(session, image_id, FAILED, '')
        return job_id

    def begin(self, ctx, image_id, method, plan, all_must_succeed, import_req=None):
        """POST /v2/images/{id}/import: under the image's row lock, ``plan(image)`` (an
        image dict with details) checks the request and returns ``(target stores, new
        status or None)``; the job is recorded with it and started."""
        with self.engine.db.session() as session:
            row = image_db.find_visible(session, ctx, image_id, for_update=True)
            targets, status = plan(image_db.image_dict(session, row))
            if status is not None:
                row.status = status
                image_db.touch(session, row)
            task = _asker(ctx, {'image_id': image_id, 'import_req': import_req or {},
                                'backend': list(targets)})
            job_id = self.submit(session, image_id, method, targets, all_must_succeed, task)
        self.start(job_id)
        return job_id

    def submit_download(self, ctx, image_id, task_input):
        """POST /v2/tasks (type import): fill the queued image ``image_id`` from the URL
        ``task_input['import_from']`` in the background; returns the task (a dict)."""
        job_id = str(uuid.uuid4())
        with self.engine.db.session() as session:
            image_db.add_import_job(session, job_id, image_id, WEB_DOWNLOAD,
                                    [self.engine.stores.default], True,
                                    dict(_asker(ctx, task_input), task_type='import'))
        self.start(job_id)
        return image_db.get_task(self.engine.db, ctx, job_id)

    def start(self, job_id):
        self.pool.spawn_n(self._run_safely, job_id)

    def wait(self):
        self.pool.waitall()

    # recovery ------------------------------------------------------------------
    def recover(self):
        """At start: clean after uploads and imports a stop interrupted, resume imports."""
        engine = self.engine
        with engine.db.session() as session:
            saving = [i.id for i in image_db.images_in_status(session, ['saving'])]
            uploading = [i.id for i in image_db.images_in_status(session, ['uploading'])]
            jobs = [(j.id, j.image_id) for j in image_db.unfinished_imports(session)]
        for image_id in saving:
            for store in engine.stores.by_name.values():
                _quietly(store.cleanup_partial, image_id)
            with engine.db.session() as session:
                image_db.transition(session, image_id, ['saving'], 'queued')
            LOG.info('image %s: upload interrupted by a restart; back to queued', image_id)
        for image_id in uploading:
            if not _staged(engine, image_id):
                engine.remove_staging(image_id)
                with engine.db.session() as session:
                    image_db.transition(session, image_id, ['uploading'], 'queued')
        job_images = set()
        for job_id, image_id in jobs:
            job_images.add(image_id)
            LOG.info('image %s: resuming interrupted import %s', image_id, job_id)
            self.start(job_id)
        with engine.db.session() as session:
            for image in image_db.images_in_status(session, ['importing']):
                if image.id not in job_images:
                    image_db.transition(session, image.id, ['importing'], 'queued')

    # running ---------------------------------------------------------------------
    def _run_safely(self, job_id):
        try:
            self._run(job_id)
        except Exception:
            LOG.exception('import job %s failed unexpectedly', job_id)
            self._finish_job(job_id, 'failure', 'internal error')

    def _run(self, job_id):
        engine = self.engine
        with engine.db.session() as session:
            job = image_db.import_job(session, job_id)
            image = image_db.get_image(session, job.image_id)
            if image is None:
                job.state, job.message = 'failure', 'image deleted'
                return
            job.state, job.updated_at = 'processing', types.utcnow()
            done = {loc.store for loc in image_db.locations(session, image.id)}
            method, targets = job.method, list(job.stores)
            all_must = job.all_stores_must_succeed
            image_id, disk_format, owner = image.id, image.disk_format, image.owner
        if method == WEB_DOWNLOAD:
            self._download(job_id, image_id)
        elif method == 'glance-direct':
            self._glance_direct(job_id, image_id, disk_format, owner, targets, done, all_must)
        else:
            self._copy(job_id, image_id, targets, done, all_must)

    def _glance_direct(self, job_id, image_id, disk_format, owner, targets, done, all_must):
        engine = self.engine
        if not _staged(engine, image_id):
            self._staging_lost(job_id, image_id, targets, done, all_must)
            return
        written, failed, fields = [], [], None
        for name in targets:
            if name in done:
                continue  # finished before a restart
            store = engine.stores.by_name.get(name)
            if store is None:
                failed.append(name)
                continue
            _quietly(store.cleanup_partial, image_id)
            with engine.db.session() as session:
                limit, message = engine.quota_limit(session, owner, image_id)
            url = meta = None
            meter = streams.Meter(_read_file(engine.staging_path(image_id),
                                             engine.conf.image_chunk_size),
                                  limit, message, disk_format)
            try:
                url, meta = store.add(image_id, meter)
                fields = meter.finish()
            except formats.FormatMismatch as exc:
                if url is not None:
                    _quietly(store.delete, url, meta)
                self._fail_import(job_id, image_id, str(exc), revert=True)
                return
            except (streams.TooLarge, store_base.StoreError) as exc:
                LOG.warning('image %s: import to store %s failed: %s', image_id, name, exc)
                failed.append(name)
                if all_must:
                    break
                continue
            if not self._add_location(image_id, name, url, meta, fields, targets):
                _quietly(store.delete, url, meta)
                self._finish_job(job_id, 'failure', 'image deleted during import')
                return
            written.append(name)
        if failed and all_must:
            self._revert_locations(image_id, written)
            self._fail_import(job_id, image_id, 'import to %s failed' % ', '.join(failed),
                              revert=True, failed=failed)
            return
        with engine.db.session() as session:
            has_data = bool(image_db.locations(session, image_id))
            image_db.transition(session, image_id, ['importing'],
                                'active' if has_data else 'queued')
            image_db.set_property(session, image_id, IMPORTING, '')
            if failed:
                image_db.set_property(session, image_id, FAILED, ','.join(failed))
        engine.remove_staging(image_id)
        self._finish_job(job_id, 'success' if not failed else 'failure',
                         'failed stores: %s' % ', '.join(failed) if failed else None)

    def _staging_lost(self, job_id, image_id, targets, done, all_must):
        """The staged data is gone (lost in a crash, or removed): remove the partial writes
        an interrupted run left in the stores it had not finished, then end the import as
        the stores it had finished allow: active with them (when not all had to succeed),
        else back to queued without any of them."""
        pending = [name for name in targets if name not in done]
        for name in pending:
            store = self.engine.stores.by_name.get(name)
            if store is not None:
                _quietly(store.cleanup_partial, image_id)
        finished = [name for name in targets if name in done]
        if finished and not all_must:
            with self.engine.db.session() as session:
                image_db.transition(session, image_id, ['importing'], 'active')
                image_db.set_property(session, image_id, IMPORTING, '')
                image_db.set_property(session, image_id, FAILED, ','.join(pending))
            self._finish_job(job_id, 'failure', 'staged data is missing; failed stores: %s'
                             % ', '.join(pending))
            return
        self._revert_locations(image_id, finished)
        self._fail_import(job_id, image_id, 'staged data is missing', revert=True,
                          failed=pending)

    def _copy(self, job_id, image_id, targets, done, all_must):
        engine = self.engine
        failed = []
        for name in targets:
            if name in done:
                continue
            store = engine.stores.by_name.get(name)
            with engine.db.session() as session:
                image = image_db.get_image(session, image_id)
                locations = image_db.location_dicts(session, image_id) if image else []
            if image is None:
                self._finish_job(job_id, 'failure', 'image deleted during import')
                return
            if store is None:
                failed.append(name)
                continue
            _quietly(store.cleanup_partial, image_id)
            url = meta = None
            try:
                meter = streams.Meter(engine.read_stream(image_id, locations))
                url, meta = store.add(image_id, meter, size_hint=image.size)
                fields = meter.finish()
                if fields['os_hash_value'] != image.os_hash_value:
                    raise store_base.StoreError('the copy does not match the image checksum')
            except Exception as exc:
                if url is not None:
                    _quietly(store.delete, url, meta)
                LOG.warning('image %s: copy to store %s failed: %s', image_id, name, exc)
                failed.append(name)
                continue
            if not self._add_location(image_id, name, url, meta, None, targets):
                _quietly(store.delete, url, meta)
                self._finish_job(job_id, 'failure', 'image deleted during import')
                return
        with engine.db.session() as session:
            image_db.set_property(session, image_id, IMPORTING, '')
            if failed:
                image_db.set_property(session, image_id, FAILED, ','.join(failed))
        self._finish_job(job_id, 'failure' if failed else 'success',
                         'failed stores: %s' % ', '.join(failed) if failed else None)

    # bookkeeping ---------------------------------------------------------------------
    def _add_location(self, image_id, store, url, meta, fields, targets):
        with self.engine.db.session() as session:
            image = image_db.get_image(session, image_id, for_update=True)
            if image is None:
                return False
            if fields:
                for key, value in fields.items():
                    setattr(image, key, value)
            image_db.add_location(session, image_id, store, url, meta)
            have = {loc.store for loc in image_db.locations(session, image_id)}
            remaining = [t for t in targets if t not in have]
            image_db.set_property(session, image_id, IMPORTING, ','.join(remaining))
            image_db.touch(session, image)
        return True

    def _revert_locations(self, image_id, stores):
        with self.engine.db.session() as session:
            locs = image_db.remove_locations(session, image_id, stores)
        self.engine.remove_data(image_id, locs)

    def _fail_import(self, job_id, image_id, message, revert, failed=()):
        LOG.warning('image %s: import failed: %s', image_id, message)
        with self.engine.db.session() as session:
            if revert:
                image_db.transition(session, image_id, ['importing'], 'queued', size=None,
                                    checksum=None, os_hash_algo=None, os_hash_value=None,
                                    virtual_size=None)
            if image_db.get_image(session, image_id) is not None:
                image_db.set_property(session, image_id, IMPORTING, '')
                if failed:
                    image_db.set_property(session, image_id, FAILED, ','.join(failed))
        self.engine.remove_staging(image_id)
        self._finish_job(job_id, 'failure', message)

    def _finish_job(self, job_id, state, message=None):
        with self.engine.db.session() as session:
            job = image_db.import_job(session, job_id)
            if job is not None:
                now = types.utcnow()
                job.state, job.message, job.updated_at = state, message, now
                job.expires_at = now + TASK_TIME_TO_LIVE
                if state == 'success' and job.task_type == 'import':
                    job.result = {'image_id': job.image_id}

    # POST /v2/tasks: an image from a URL ---------------------------------------------
    def _download(self, job_id, image_id):
        engine = self.engine
        with engine.db.session() as session:
            url = image_db.import_job(session, job_id).task_input['import_from']
        try:
            store, disk_format, limit, message = upload_mod.start_saving(engine, image_id)
        except exceptions.APIError as exc:
            self._finish_job(job_id, 'failure', str(exc))
            return
        try:
            response = _open_url(url, engine.conf.image_chunk_size)
        except (OSError, ValueError) as exc:
            with engine.db.session() as session:
                image_db.transition(session, image_id, ['saving'], 'queued')
            self._finish_job(job_id, 'failure', 'Cannot download %s: %s' % (url, exc))
            return
        chunks, size_hint = response
        try:
            upload_mod.store_data(engine, image_id, store, chunks, size_hint, disk_format,
                                  limit, message)
        except exceptions.APIError as exc:
            self._finish_job(job_id, 'failure', str(exc))
            return
        self._finish_job(job_id, 'success')


def _asker(ctx, task_input):
    """The task fields naming who asked for a job, and what they asked."""
    return {'owner': ctx.project_id, 'user_id': ctx.user_id, 'request_id': ctx.request_id,
            'task_input': task_input}


def _open_url(url, chunk_size, timeout=30):
    """``(chunks, size or None)`` of an http(s) URL; redirects stay on http(s) (no file:,
    ftp: or data: handler exists to follow them to) and no proxy is used."""
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(),
                    urllib.request.HTTPRedirectHandler(),
                    urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    response = opener.open(url, timeout=timeout)
    length = response.headers.get('Content-Length')

    def chunks():
        with response:
            while True:
                data = response.read(chunk_size)
                if not data:
                    return
                yield data
    return chunks(), int(length) if length and length.isdigit() else None


def _staged(engine, image_id):
    return os.path.exists(engine.staging_path(image_id))


def _read_file(path, chunk_size):
    with open(path, 'rb') as handle:
        while True:
            data = handle.read(chunk_size)
            if not data:
                return
            yield data
            eventlet.sleep(0)  # let requests run between chunks


def _quietly(func, *args):
    try:
        func(*args)
    except Exception as exc:
        LOG.warning('cleanup %s%r failed: %s', getattr(func, '__name__', func), args, exc)
