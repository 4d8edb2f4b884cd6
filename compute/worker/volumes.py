"""The worker's side of volumes: the attachment handshake with block storage
(blockstore/README.md) around the driver's disk.

The connector is this host's (``driver.get_volume_connector()``: initiator IQN, ip,
host); block storage exports the volume to it and answers the connection info; the
driver gives the guest an iSCSI network disk (QEMU's initiator logs in, see
compute/drivers/libvirt/volumes.py); the attachment is completed once the guest has the
disk.  Block storage is called with the request's user token (plus the service token).
Mappings live in compute's database: the worker reads and writes them through the
conductor.
"""
import logging
import time

from compute import clients
from compute import exceptions
from compute.drivers import base

LOG = logging.getLogger(__name__)

POLL = 1.0


class WorkerVolumes:
    def __init__(self, worker):
        self.worker = worker

    @property
    def conductor(self):
        return self.worker.conductor

    @property
    def driver(self):
        return self.worker.driver

    def _event(self, ctx, server, name, phase, result=None, tb=None):
        self.worker._event(ctx, server, name, phase, result, tb)

    # ------------------------------------------------------------ build
    def prepare(self, ctx, server, waiter=None):
        """Volumes of a build: made (from an image, or blank) when asked and waited for,
        then connected to this host.  Returns the driver's BlockDeviceInfo dict."""
        api = self.worker.volume_api(ctx)
        connector = self.driver.get_volume_connector()
        volumes = []
        for bdm in self.conductor.bdm_list(ctx, server['uuid']):
            if bdm['destination_type'] != 'volume':
                continue
            if not bdm.get('volume_id'):
                bdm = self._create(ctx, api, server, bdm, waiter)
            if bdm.get('attachment_id'):       # left by an earlier attempt on another host
                api.attachment_delete(bdm['attachment_id'])
            try:
                attachment = api.attachment_create(bdm['volume_id'], server['uuid'],
                                                   connector)
            except clients.VolumeError as error:
                raise exceptions.BuildAbort('Volume %s could not be attached: %s'
                                            % (bdm['volume_id'], error.message)) from None
            info = attachment.get('connection_info') or {}
            device = 'vda' if bdm.get('boot_index') == 0 else bdm.get('device_name')
            self.conductor.bdm_update(ctx, bdm['uuid'], {
                'attachment_id': attachment['id'], 'connection_info': info})
            volumes.append({'volume_id': bdm['volume_id'], 'connection_info': info,
                            'device_name': device, 'boot_index': bdm.get('boot_index'),
                            'bdm_uuid': bdm['uuid'], 'attachment_id': attachment['id']})
        return {'volumes': volumes}

    def _create(self, ctx, api, server, bdm, waiter):
        """Have block storage make the volume of an image/blank mapping; wait until it is
        available (``[compute] volume_create_timeout``)."""
        name = '%s-%s' % (server.get('display_name') or server['uuid'],
                          'boot' if bdm.get('boot_index') == 0 else 'volume')
        try:
            volume = api.create(bdm['volume_size'], name[:255], image_id=bdm.get('image_id'),
                                availability_zone=None)
        except clients.VolumeError as error:
            raise exceptions.BuildAbort('Block storage could not create a %d GiB volume: %s'
                                        % (bdm['volume_size'], error.message)) from None
        bdm = self.conductor.bdm_update(ctx, bdm['uuid'], {'volume_id': volume['id']})
        timeout = self.worker.conf.compute.volume_create_timeout
        deadline = time.monotonic() + timeout
        status = volume.get('status')
        while status != 'available':
            if status in ('error', 'error_deleting', 'deleting'):
                raise exceptions.BuildAbort('Volume %s went to status %s while it was made%s'
                                            % (volume['id'], status, _fault(volume)))
            if time.monotonic() > deadline:
                raise exceptions.BuildAbort('Volume %s did not become available within %d s '
                                            '(status %s)' % (volume['id'], timeout, status))
            if waiter is not None and waiter.cancelled:
                from compute.worker.manager import BuildCancelled
                raise BuildCancelled()
            time.sleep(POLL)
            volume = api.get(volume['id'])
            status = volume.get('status')
        return bdm

    def complete(self, ctx, server, bdi):
        """The guest has its disks: block storage marks the volumes in-use."""
        api = self.worker.volume_api(ctx)
        for vol in (bdi or {}).get('volumes') or []:
            api.attachment_complete(vol['attachment_id'])
            self.conductor.bdm_update(ctx, vol['bdm_uuid'], {
                'device_name': '/dev/' + (vol['device_name'] or '').replace('/dev/', '')
                if vol.get('device_name') else None})

    def block_device_info(self, ctx, server):
        """The driver's BlockDeviceInfo of the volumes the server has connected now."""
        return {'volumes': [
            {'volume_id': b['volume_id'], 'connection_info': b['connection_info'],
             'device_name': b.get('device_name'), 'boot_index': b.get('boot_index')}
            for b in self.conductor.bdm_list(ctx, server['uuid'])
            if b['destination_type'] == 'volume' and b.get('attachment_id')
            and b.get('connection_info')]}

    # ------------------------------------------------------------ hot plug
    def attach(self, ctx, server, bdm):
        """Connect a reserved attachment to this host, attach the disk, complete.
        Returns {'device_name', 'connection_info'}; on failure the disk is gone again (the
        caller deletes the attachment)."""
        api = self.worker.volume_api(ctx)
        self._event(ctx, server, 'compute_attach_volume', 'start')
        try:
            connector = self.driver.get_volume_connector()
            attachment = api.attachment_update(bdm['attachment_id'], connector)
            info = attachment.get('connection_info') or {}
            dev = self.driver.attach_volume(server['uuid'], {
                'volume_id': bdm['volume_id'], 'connection_info': info,
                'device_name': bdm.get('device_name')})
            try:
                api.attachment_complete(bdm['attachment_id'])
            except Exception:
                self._quiet_detach(server, bdm['volume_id'])
                raise
        except Exception as error:
            self._event(ctx, server, 'compute_attach_volume', 'finish', 'Error', str(error))
            if isinstance(error, clients.VolumeError):
                raise exceptions.InvalidRequest(error.message) from None
            raise
        self._event(ctx, server, 'compute_attach_volume', 'finish', 'Success')
        return {'device_name': '/dev/' + dev.replace('/dev/', ''), 'connection_info': info}

    def _quiet_detach(self, server, volume_id):
        try:
            self.driver.detach_volume(server['uuid'], {'volume_id': volume_id,
                                                       'connection_info': {}})
        except base.VirtError:
            LOG.exception('could not take volume %s off %s', volume_id, server['uuid'])

    def detach(self, ctx, server, bdm):
        """Take the disk off the guest, then end the attachment (block storage removes
        the host's access, and the export with its last attachment)."""
        api = self.worker.volume_api(ctx)
        self._event(ctx, server, 'compute_detach_volume', 'start')
        try:
            try:
                self.driver.detach_volume(server['uuid'], {
                    'volume_id': bdm['volume_id'],
                    'connection_info': bdm.get('connection_info') or {}})
            except base.InstanceNotFound:
                pass                # no domain (never built here): nothing to unplug
            if bdm.get('attachment_id'):
                api.attachment_delete(bdm['attachment_id'])
        except Exception as error:
            self._event(ctx, server, 'compute_detach_volume', 'finish', 'Error', str(error))
            raise
        self._event(ctx, server, 'compute_detach_volume', 'finish', 'Success')

    # ------------------------------------------------------------ delete / failed build
    def release(self, ctx, server, delete):
        """End every attachment of the server (after its domain is gone) and, with
        ``delete``, delete the volumes marked delete_on_termination.  Returns the
        errors; what succeeded is written, so a retry does only the rest."""
        api = self.worker.volume_api(ctx)
        errors = []
        try:
            bdms = self.conductor.bdm_list(ctx, server['uuid'])
        except Exception as error:  # noqa: B902 - reported as the server's fault
            return ['the volume mappings could not be read: %s' % error]
        for bdm in bdms:
            if bdm['destination_type'] != 'volume':
                continue
            try:
                if bdm.get('attachment_id'):
                    api.attachment_delete(bdm['attachment_id'])
                    self.conductor.bdm_update(ctx, bdm['uuid'], {
                        'attachment_id': None, 'connection_info': None})
                if delete and bdm.get('volume_id') and bdm.get('delete_on_termination'):
                    api.delete(bdm['volume_id'])
            except (clients.VolumeError, clients.VolumeNotFound) as error:
                errors.append('volume %s: %s' % (bdm.get('volume_id'),
                                                 getattr(error, 'message', str(error))))
            except Exception as error:  # noqa: B902 - keep releasing the others
                LOG.exception('release of volume %s of %s', bdm.get('volume_id'),
                              server['uuid'])
                errors.append('volume %s: %s' % (bdm.get('volume_id'), error))
        return errors


def _fault(volume):
    fault = volume.get('fault') or volume.get('error')
    return ': %s' % fault if fault else ''

