"""Volumes of servers, the engine's side: block_device_mapping_v2 of a create request,
os-volume_attachments (attach, detach, list, show) and the volumes of a deleted server.

Block storage is called with the requesting user's token (``clients.VolumeClient``), so a
volume the user cannot see is "not found" to compute too.  A hot attach is: the
attachment reserved here (``POST /attachments`` without connector), the mapping row
written, then the worker of the server's host connects, attaches the disk and completes
the attachment (an RPC call: its failure undoes both here).  See blockstore/README.md.
"""
import logging
import re

from common import exceptions as exc
from common import validators
from compute import clients
from compute import exceptions
from compute import states
from compute.db import bdms as bdms_db
from compute.db import instance_actions

LOG = logging.getLogger(__name__)

_DEVICE = re.compile(r'^(/dev/)?(x?v|s|h)d[a-z]{1,2}$')
_TRUE = ('true', '1', 'on', 'yes')


def as_bool(value):
    if isinstance(value, bool):
        return value
    return str(value or '').strip().lower() in _TRUE


def check_device(value):
    """A guest device name ('/dev/vdb', 'vdb') or None; 400 otherwise."""
    if value in (None, ''):
        return None
    if not isinstance(value, str) or not _DEVICE.match(value):
        raise exceptions.InvalidRequest('The supplied device path (%s) is invalid.'
                                        % validators.quote(value))
    return value if value.startswith('/dev/') else '/dev/' + value


def _int_or_none(value, field):
    if value in (None, ''):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise exceptions.InvalidRequest('%s must be an integer' % field) from None


def volume_image_meta(volume):
    """The driver's ImageMeta dict of a bootable volume (its image's properties)."""
    meta = dict(volume.get('volume_image_metadata') or {})
    return {'id': meta.get('image_id') or volume['id'],
            'name': meta.get('image_name') or volume.get('name') or '',
            'disk_format': 'raw', 'container_format': 'bare',
            'min_disk': 0, 'min_ram': int(meta.get('min_ram') or 0),
            'properties': {k: v for k, v in meta.items()
                           if k.startswith(('hw_', 'os_')) and isinstance(v, str)}}


class VolumeOps:
    """Mixed into compute.engine.Engine (which has db, worker, image_api, volume_api)."""

    # ------------------------------------------------------------ create
    def check_block_devices(self, ctx, bdms, image_ref, count, flavor):
        """(image_ref, image_meta, [mapping values]) of a create request.

        A volume with boot_index 0 boots the server: image_ref is then '' (as Nova shows a
        server booted from a volume) and image_meta is that of the image the volume is
        made from; otherwise image_meta is None and the caller checks image_ref."""
        rows, boot_meta, boots = [], None, 0
        for bdm in bdms:
            if bdm.get('no_device'):
                continue
            src = bdm.get('source_type') or 'image'
            dst = bdm.get('destination_type') or ('volume' if src == 'volume' else 'local')
            boot_index = _int_or_none(bdm.get('boot_index'), 'boot_index')
            if boot_index is not None and boot_index < 0:
                boot_index = None
            if boot_index == 0:
                boots += 1
            if dst == 'local':
                if src == 'image' and boot_index == 0:
                    image_ref = image_ref or bdm.get('uuid')
                    continue
                raise exceptions.InvalidRequest(
                    'Block Device Mapping is Invalid: local %s disks are not supported; '
                    'ephemeral and swap disks come from the flavor.' % src)
            row, meta = self._volume_mapping(ctx, bdm, src, boot_index, count, flavor)
            if boot_index == 0:
                boot_meta = meta
            rows.append(row)
        if boots > 1:
            raise exceptions.InvalidRequest('Boot sequence for the instance and image/block '
                                            'device mapping combination is not valid.')
        if boot_meta is not None:
            return '', boot_meta, rows
        return image_ref, None, rows

    def _volume_mapping(self, ctx, bdm, src, boot_index, count, flavor):
        uuid = bdm.get('uuid')
        size = _int_or_none(bdm.get('volume_size'), 'volume_size')
        if bdm.get('volume_type'):
            raise exceptions.InvalidRequest('Block Device Mapping is Invalid: volume_type '
                                            'is not supported by this cloud.')
        row = {'source_type': src, 'destination_type': 'volume', 'boot_index': boot_index,
               'device_name': check_device(bdm.get('device_name')),
               'delete_on_termination': as_bool(bdm.get('delete_on_termination')),
               'tag': bdm.get('tag'), 'volume_size': size,
               'disk_bus': bdm.get('disk_bus'), 'device_type': bdm.get('device_type')}
        meta = None
        if src == 'volume':
            if not _is_uuid(uuid):
                raise exceptions.InvalidRequest('Block Device Mapping is Invalid: a volume '
                                                'mapping needs the volume\'s uuid.')
            if count > 1:
                raise exceptions.InvalidRequest('Block Device Mapping is Invalid: a volume '
                                                'cannot be attached to several servers '
                                                '(max_count > 1).')
            volume = self._volume(ctx, uuid, bad_request=True)
            if volume.get('status') != 'available':
                raise exceptions.InvalidRequest("Invalid volume: volume '%s' status must be "
                                                "'available'. Currently in '%s'"
                                                % (uuid, volume.get('status')))
            row['volume_id'] = uuid
            meta = volume_image_meta(volume)
        elif src in ('image', 'blank'):
            if not size or size < 1:
                raise exceptions.InvalidRequest(
                    'Block Device Mapping is Invalid: %s with destination_type volume needs '
                    'a non-zero volume_size.' % ('Images' if src == 'image' else 'Blank '
                                                 'volumes'))
            if src == 'image':
                if not uuid:
                    raise exceptions.InvalidRequest('Block Device Mapping is Invalid: an '
                                                    'image mapping needs the image\'s uuid.')
                meta = self._image(ctx, uuid, flavor, local_root=False)
                row['image_id'] = uuid
            elif boot_index == 0:
                raise exceptions.InvalidRequest('Block Device Mapping is Invalid: a blank '
                                                'volume cannot boot the server.')
        else:
            raise exceptions.InvalidRequest('Block Device Mapping is Invalid: source_type %s '
                                            'is not supported by this cloud.' % src)
        return row, meta

    def _volume(self, ctx, volume_id, bad_request=False):
        try:
            return self.volume_api(ctx).get(volume_id)
        except clients.VolumeNotFound:
            if bad_request:
                raise exceptions.InvalidRequest('Block Device Mapping is Invalid: failed to '
                                                'get volume %s.' % volume_id) from None
            raise exc.NotFound('Volume %s could not be found.'
                               % validators.quote(volume_id)) from None
        except clients.VolumeError as error:
            raise _volume_error(error) from None

    # ------------------------------------------------------------ attachments
    def list_volume_attachments(self, ctx, server):
        return bdms_db.volumes(self.db, server['uuid'])

    def get_volume_attachment(self, ctx, server, volume_id):
        bdm = bdms_db.find_volume(self.db, server['uuid'], volume_id)
        if bdm is None:
            raise exc.NotFound('Volume %s is not attached to the server %s.'
                               % (validators.quote(volume_id), server['uuid']))
        return bdm

    def attach_volume(self, ctx, server, volume_id, device=None, tag=None,
                      delete_on_termination=False):
        """Reserve, then have the worker connect and attach; returns the mapping."""
        self._check_locked(ctx, server)
        states.check('attach_volume', server)
        self._check_worker(server)
        device = check_device(device)
        if bdms_db.find_volume(self.db, server['uuid'], volume_id) is not None:
            raise exceptions.InvalidRequest('Invalid volume: volume %s is already attached to '
                                            'the server %s.' % (volume_id, server['uuid']))
        volume = self._volume(ctx, volume_id)
        if volume.get('status') != 'available' and not volume.get('multiattach'):
            raise exceptions.InvalidRequest("Invalid volume: volume '%s' status must be "
                                            "'available'. Currently in '%s'"
                                            % (volume_id, volume.get('status')))
        api = self.volume_api(ctx)
        try:
            attachment = api.attachment_create(volume_id, server['uuid'])
        except clients.VolumeError as error:
            raise _volume_error(error) from None
        bdm = bdms_db.add(self.db, server['uuid'], {
            'source_type': 'volume', 'destination_type': 'volume', 'volume_id': volume_id,
            'attachment_id': attachment['id'], 'device_name': device, 'tag': tag,
            'delete_on_termination': bool(delete_on_termination)})
        instance_actions.start(self.db, ctx, server['uuid'], 'attach_volume')
        try:
            result = self.worker.attach_volume(ctx, server, bdm)
        except Exception as error:
            LOG.warning('attach of volume %s to %s failed: %s', volume_id, server['uuid'],
                        error)
            bdms_db.delete(self.db, bdm['uuid'])
            try:
                api.attachment_delete(attachment['id'])
            except Exception:  # noqa: B902 - reported below; the first error matters
                LOG.exception('could not delete attachment %s', attachment['id'])
            raise exc.BadRequest('Volume %s could not be attached to the server: %s'
                                 % (volume_id, _message(error))) from None
        bdm = bdms_db.update(self.db, bdm['uuid'], {
            'device_name': result['device_name'],
            'connection_info': result.get('connection_info')})
        if bdm is None:         # the server was deleted meanwhile (its delete detached it)
            raise exc.Conflict('Server %s was deleted while volume %s was attached.'
                               % (server['uuid'], volume_id))
        return bdm

    def update_volume_attachment(self, ctx, server, volume_id, new_volume_id,
                                 delete_on_termination=None):
        """PUT os-volume_attachments/{volume_id}: the same volume changes its
        delete_on_termination (2.85); another volume asks for a swap, which in Nova only
        the block storage service starts (while it migrates or retypes an attached
        volume): this block storage does not move attached volumes, so it is refused."""
        self._check_locked(ctx, server)
        bdm = self.get_volume_attachment(ctx, server, volume_id)
        if new_volume_id != volume_id:
            raise exc.BadRequest('Swapping volume %s for volume %s is not offered: the block '
                                 'storage service does not migrate attached volumes.'
                                 % (volume_id, validators.quote(new_volume_id)))
        if delete_on_termination is None:
            return bdm
        return bdms_db.update(self.db, bdm['uuid'],
                              {'delete_on_termination': bool(delete_on_termination)})

    def detach_volume(self, ctx, server, volume_id):
        self._check_locked(ctx, server)
        bdm = self.get_volume_attachment(ctx, server, volume_id)
        states.check('detach_volume', server)
        if bdm.get('boot_index') == 0:
            raise exc.BadRequest("Can't detach root device volume")
        self._check_worker(server)
        instance_actions.start(self.db, ctx, server['uuid'], 'detach_volume')
        try:
            self.worker.detach_volume(ctx, server, bdm)
        except Exception as error:
            raise exc.BadRequest('Volume %s could not be detached from the server: %s'
                                 % (volume_id, _message(error))) from None
        bdms_db.delete(self.db, bdm['uuid'])

    # Actions this cloud cannot do yet for servers with volumes: refused, never half done.
    _BOOT_VOLUME_UNSUPPORTED = ('rebuild', 'resize', 'rescue', 'create_image', 'shelve')
    _VOLUME_UNSUPPORTED = ('shelve',)

    def check_volume_support(self, server, action):
        if action not in self._BOOT_VOLUME_UNSUPPORTED:
            return
        mapped = bdms_db.volumes(self.db, server['uuid'])
        if any(b.get('boot_index') == 0 for b in mapped):
            raise exceptions.InvalidRequest('%s of a server booted from a volume is not '
                                            'supported by this cloud.' % action)
        if mapped and action in self._VOLUME_UNSUPPORTED:
            raise exceptions.InvalidRequest('%s of a server with attached volumes is not '
                                            'supported by this cloud; detach them first.'
                                            % action)

    def _check_worker(self, server):
        """Volumes are (de)attached by the server's host: refuse at once when it is down
        rather than wait for an RPC timeout."""
        if not self._worker_up(server.get('host')):
            raise exc.Conflict('Compute service of %s is unavailable at this time.'
                               % (server.get('host') or 'the server\'s host'))

    # ------------------------------------------------------------ delete
    def release_volumes(self, ctx, server):
        """Detach (and delete when asked) the volumes of a server no worker holds; [errors]."""
        api = self.volume_api(ctx)
        errors = []
        for bdm in bdms_db.volumes(self.db, server['uuid']):
            try:
                if bdm.get('attachment_id'):
                    api.attachment_delete(bdm['attachment_id'])
                    bdms_db.update(self.db, bdm['uuid'], {'attachment_id': None})
                if bdm.get('delete_on_termination'):
                    api.delete(bdm['volume_id'])
            except (clients.VolumeError, clients.VolumeNotFound) as error:
                errors.append('volume %s: %s' % (bdm['volume_id'], _message(error)))
        return errors


def _is_uuid(value):
    try:
        validators.uuid(value)
        return True
    except validators.InvalidValue:
        return False


def _message(error):
    return getattr(error, 'message', None) or str(error) or type(error).__name__


def _volume_error(error):
    """A block storage refusal as the compute API's answer (4xx stays 4xx)."""
    if error.status in (400, 409):
        return exceptions.InvalidRequest('Invalid volume: %s' % error.message)
    if error.status == 403:
        return exc.Forbidden(error.message)
    if error.status == 413:
        return exc.Forbidden('Volume quota exceeded: %s' % error.message)
    return exc.ServiceUnavailable('Block storage failed: %s' % error.message)
