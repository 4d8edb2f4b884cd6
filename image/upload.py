"""Uploading image data: straight to a store (PUT /file) or to staging (PUT /stage).

The body streams from the client through a Meter (hashes, size limit, format check) into
the store; nothing holds the whole image.  An upload that fails because of the client
(disconnect, too large, wrong format) removes what it wrote and puts the image back in
``queued``; one the store fails on leaves the image ``killed``.
"""
import logging
import os

from common import exceptions
from image import access
from image import formats
from image import streams
from image.db import api as image_db
from image.stores import base as store_base
from image.stores import file as file_store

LOG = logging.getLogger(__name__)


def client_error(exc):
    """The 4xx APIError for a failure caused by the uploaded data or the client."""
    if isinstance(exc, streams.TooLarge):
        return exceptions.RequestEntityTooLarge(str(exc))
    if isinstance(exc, formats.FormatMismatch):
        return exceptions.BadRequest(str(exc))
    return exceptions.BadRequest('Upload incomplete: %s.' % exc)


CLIENT_ERRORS = (streams.ClientDisconnected, streams.TooLarge, formats.FormatMismatch)


def _pick_store(engine, name):
    name = name or engine.stores.default
    if name not in engine.stores.by_name:
        raise exceptions.BadRequest('Store %s is not available; enabled stores: %s.'
                                    % (name, ', '.join(engine.stores.names())))
    return engine.stores.get(name)


def _start(engine, ctx, image_id, rule, from_status, to_status, size_hint, need_formats):
    with engine.db.session() as session:
        image = image_db.image_dict(session, image_db.find_visible(session, ctx, image_id),
                                    details=False)
        access.require_owner(ctx, image, 'upload data to')
        engine.authorize(ctx, rule, image)
        if need_formats and (not image['disk_format'] or not image['container_format']):
            raise exceptions.BadRequest('Properties disk_format and container_format must be '
                                        'set prior to uploading data.')
        if image['status'] != from_status:
            raise exceptions.Conflict('Image status transition from %s to %s is not allowed.'
                                      % (image['status'], to_status))
        limit, message = engine.quota_limit(session, image['owner'], image_id)
        if size_hint is not None and size_hint > limit:
            raise exceptions.RequestEntityTooLarge(message)
        if not image_db.transition(session, image_id, [from_status], to_status):
            raise exceptions.Conflict('Image %s is being changed by another request; '
                                      'status transition to %s refused.' % (image_id, to_status))
        return image['disk_format'], limit, message


def upload(engine, ctx, image_id, chunks, size_hint=None, store_name=None):
    """PUT /v2/images/{id}/file: stream ``chunks`` into a store; the image becomes active."""
    store = _pick_store(engine, store_name)
    disk_format, limit, message = _start(engine, ctx, image_id, 'upload_image', 'queued',
                                         'saving', size_hint, need_formats=True)
    store_data(engine, image_id, store, chunks, size_hint, disk_format, limit, message)


def start_saving(engine, image_id):
    """Move a queued image to saving for a worker (no caller to check): ``(store, disk
    format, byte limit, limit message)``; Conflict unless it was queued with formats."""
    store = engine.stores.get(engine.stores.default)
    with engine.db.session() as session:
        image = image_db.get_image(session, image_id, for_update=True)
        if image is None or not image.disk_format or not image.container_format:
            raise exceptions.Conflict('Image %s is gone or has no disk and container format.'
                                      % image_id)
        limit, message = engine.quota_limit(session, image.owner, image_id)
        if not image_db.transition(session, image_id, ['queued'], 'saving'):
            raise exceptions.Conflict('Image %s is not queued (status %s).'
                                      % (image_id, image.status))
        return store, image.disk_format, limit, message


def store_data(engine, image_id, store, chunks, size_hint, disk_format, limit, message):
    """Stream ``chunks`` of a saving image into ``store``; the image becomes active (or
    back to queued for the client's errors, killed for the store's)."""
    meter = streams.Meter(chunks, limit, message, disk_format)
    try:
        url, meta = store.add(image_id, meter, size_hint=size_hint)
    except CLIENT_ERRORS as exc:
        _revert(engine, image_id, 'queued')
        raise client_error(exc)
    except store_base.StorageFull as exc:
        _revert(engine, image_id, 'queued')
        raise exceptions.RequestEntityTooLarge('Image storage media is full: %s' % exc)
    except BaseException as exc:
        _revert(engine, image_id, 'killed')
        LOG.error('image %s: upload to store %s failed: %s', image_id, store.name, exc)
        if isinstance(exc, store_base.StoreError):
            raise exceptions.ServiceUnavailable('Image store %s failed: %s' % (store.name, exc))
        raise
    try:
        fields = meter.finish()
    except formats.FormatMismatch as exc:
        store.delete(url, meta)
        _revert(engine, image_id, 'queued')
        raise exceptions.BadRequest(str(exc))
    with engine.db.session() as session:
        done = image_db.transition(session, image_id, ['saving'], 'active', **fields)
        if done:
            image_db.add_location(session, image_id, store.name, url, meta)
    if not done:
        # Deleted (or killed by an admin) while the data was streaming in.
        store.delete(url, meta)
        raise exceptions.Gone('Image %s was deleted while its data was uploading.' % image_id)
    LOG.info('image %s: %d bytes stored in %s', image_id, fields['size'], store.name)


def _revert(engine, image_id, status):
    with engine.db.session() as session:
        image_db.transition(session, image_id, ['saving', 'uploading'], status)


def stage(engine, ctx, image_id, chunks, size_hint=None):
    """PUT /v2/images/{id}/stage: keep the data in staging for a later glance-direct import."""
    _disk_format, limit, message = _start(engine, ctx, image_id, 'stage_image', 'queued',
                                          'uploading', size_hint, need_formats=False)
    meter = streams.Meter(chunks, limit, message)
    try:
        file_store.write_atomically(engine.staging_dir, image_id, meter)
    except CLIENT_ERRORS as exc:
        _revert(engine, image_id, 'queued')
        raise client_error(exc)
    except OSError as exc:
        _revert(engine, image_id, 'queued')
        raise exceptions.ServiceUnavailable('Staging area failed: %s' % exc.strerror)
    except BaseException:
        _revert(engine, image_id, 'queued')
        raise
    if image_db.image_gone(engine.db, image_id):
        engine.remove_staging(image_id)
        raise exceptions.Gone('Image %s was deleted while its data was staging.' % image_id)


def staged(engine, image_id):
    return os.path.exists(engine.staging_path(image_id))
