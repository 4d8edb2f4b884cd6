"""/v3/{project_id}/volumes: CRUD, metadata and the volume actions (os-*)."""

import webob

from blockstore.api import base
from blockstore.api import schemas
from blockstore.api import views
from blockstore.db import api as db_api
from blockstore.db import groups as groups_db
from common import exceptions
from common import validation
from common.db import types
from common.wsgi import response

GiB = 1024 ** 3


def _size(value):
    return int(value)


def known_zones(state):
    zones = {p['availability_zone'] for p in db_api.list_pools(state.db)}
    zones.add(state.conf.blockstore.storage_availability_zone)
    return zones


class Volumes(base.Controller):
    # rendering ----------------------------------------------------------------------
    def _type_names(self):
        return {t['id']: t['name'] for t in db_api.list_types(self.db, None)}

    def render(self, req, ctx, vol, names=None, detail=True, attachments=None,
               extended=True):
        """``names``/``attachments``: what a list read for its whole page, if known;
        ``extended``: False for the create and update answers (no extension fields)."""
        names = names if names is not None else self._type_names()
        if attachments is None:
            attachments = self.attachments(vol['id']) if detail else ()
        return views.volume(self.conf, req, vol, names.get(vol['volume_type_id']),
                            attachments, self.can(ctx, 'volume:see_host'), detail,
                            self.version(req), extended)

    def _image_size(self, ctx, image_id, size):
        """The least size in GiB of a volume made from an image the caller may read and
        that is active (400 otherwise, before anything is made)."""
        image = self.state.image_source.show_as(ctx, image_id)
        if image is None:
            raise exceptions.BadRequest('Invalid image identifier or unable to access '
                                        'requested image: %s.' % image_id)
        if image.get('status') != 'active':
            raise exceptions.BadRequest('Image %s is not active (%s).'
                                        % (image_id, image.get('status')))
        data_gb = -(-max(image.get('size') or 0, image.get('virtual_size') or 0) // GiB)
        least = max(int(image.get('min_disk') or 0), data_gb, 1)
        if size is not None and size < least:
            raise exceptions.BadRequest(
                'Invalid input for field/attribute size: the image needs at least %d GiB '
                '(its data and min_disk), not %d.' % (least, size))
        return least

    # list / show ----------------------------------------------------------------------
    def _list(self, req, project_id, detail):
        ctx = self.context(req, 'volume:get_all')
        everyone = self.all_projects(req, ctx)
        lr = self.list_request(req)
        metadata = validation.query_dict(req, 'metadata')
        if 'project_id' in lr.filters and not everyone:
            raise exceptions.BadRequest('Invalid filter keys: project_id (admin with '
                                        'all_tenants only).')
        rows = db_api.list_rows(self.db, 'volume', db_api.VOLUME_FIELDS, ctx, everyone,
                                lr.filters, lr.sorts, lr.limit, lr.marker, lr.page_reverse,
                                metadata, 'Volume')
        names = self._type_names()
        attached = db_api.attachments_by_volume(self.db, [v['id'] for v in rows]) \
            if detail else {}
        result = base.list_body(self.conf, req, 'volumes', rows, lr,
                              lambda v: self.render(req, ctx, v, names, detail,
                                                    attached.get(v['id'], [])))
        # the count came with 3.45; older clients would not expect the extra key
        if self.version(req) >= (3, 45) and validation.query_bool(req, 'with_count', False):
            result['count'] = len(rows) if lr.marker is None and len(rows) <= lr.limit \
                else db_api.count(self.db, 'volume',
                                  **({} if everyone else {'project_id': ctx.project_id}))
        return result

    def index(self, req, project_id):
        return self._list(req, project_id, False)

    def summary(self, req, project_id):
        """GET /volumes/summary (3.12): how many volumes and GiB; their metadata from 3.36."""
        if self.version(req) < (3, 12):
            raise exceptions.NotFound('Volume summary needs microversion 3.12 or later.')
        ctx = self.context(req, 'volume:get_all')
        everyone = self.all_projects(req, ctx)
        count, size, metadata = db_api.volume_summary(
            self.db, None if everyone else ctx.project_id)
        found = {'total_size': size, 'total_count': count}
        if self.version(req) >= (3, 36):
            found['metadata'] = metadata
        return {'volume-summary': found}

    def detail(self, req, project_id):
        return self._list(req, project_id, True)

    def show(self, req, project_id, id):
        ctx = self.context(req, 'volume:get')
        return {'volume': self.render(req, ctx, self.volume(ctx, id))}

    # create ----------------------------------------------------------------------------
    def create(self, req, project_id):
        ctx = self.context(req, 'volume:create')
        body = validation.validate(schemas.VOLUME_CREATE, response.json_body(req))
        item = body['volume']
        values = {'project_id': ctx.project_id, 'user_id': ctx.user_id, 'status': 'creating',
                  'name': item.get('name', item.get('display_name')),
                  'description': item.get('description', item.get('display_description')),
                  'metadata': item.get('metadata') or {}, 'attach_status': 'detached'}
        size = _size(item['size']) if item.get('size') is not None else None
        source_size, source_zone, source_type = None, None, None
        if item.get('snapshot_id'):
            snap = self.snapshot(ctx, item['snapshot_id'])
            if snap['status'] != 'available':
                raise exceptions.BadRequest('Invalid snapshot: originating snapshot status '
                                            'must be available, not %s.' % snap['status'])
            src = db_api.get_volume(self.db, snap['volume_id'])
            values['snapshot_id'] = snap['id']
            source_size, source_zone = snap['size'], src['availability_zone']
            source_type = src['volume_type_id']
            values['bootable'] = src['bootable']
            values['image_metadata'] = src['image_metadata'] or {}
        elif item.get('source_volid'):
            src = self.volume(ctx, item['source_volid'])
            if src['status'] not in ('available', 'in-use'):
                raise exceptions.BadRequest('Invalid volume: source volume status must be '
                                            'available or in-use, not %s.' % src['status'])
            values['source_volid'] = src['id']
            source_size, source_zone = src['size'], src['availability_zone']
            source_type = src['volume_type_id']
            values['bootable'] = src['bootable']
            values['image_metadata'] = src['image_metadata'] or {}
        elif item.get('imageRef') or item.get('image_id'):
            values['image_id'] = item.get('imageRef') or item.get('image_id')
            source_size = self._image_size(ctx, values['image_id'], size)
            values['bootable'] = True
            values['image_metadata'] = {'image_id': values['image_id']}
        elif item.get('backup_id'):
            raise exceptions.BadRequest('Invalid input for field/attribute backup_id: create '
                                        'from a backup with POST /backups/{id}/restore.')
        if size is None:
            if source_size is None:
                raise exceptions.BadRequest("Invalid input for field/attribute size: "
                                            "'size' is required.")
            size = source_size
        if size < 1:
            raise exceptions.BadRequest('Invalid input for field/attribute size: it must be '
                                        'an integer greater than 0, not %d.' % size)
        if source_size is not None and size < source_size:
            raise exceptions.BadRequest('Invalid input for field/attribute size: %d GiB is '
                                        'smaller than the source (%d GiB).'
                                        % (size, source_size))
        values['size'] = size
        vtype = db_api.get_type(self.db, item.get('volume_type') or source_type
                                or self.conf.blockstore.default_volume_type, ctx)
        values['volume_type_id'] = vtype['id']
        values['multiattach'] = (vtype['extra_specs'].get('multiattach') == '<is> True'
                                 or schemas.truthy(item.get('multiattach', False)))
        zone = (item.get('availability_zone') or source_zone
                or self.conf.blockstore.default_availability_zone
                or self.conf.blockstore.storage_availability_zone)
        if zone not in known_zones(self.state):
            raise exceptions.BadRequest("Invalid input for field/attribute "
                                        "availability_zone: availability zone '%s' is "
                                        "invalid." % zone)
        values['availability_zone'] = zone
        if item.get('group_id'):
            self.require(req, (3, 13))
            self._check_group(ctx, item['group_id'], vtype, zone)
            values['group_id'] = item['group_id']
        vol = db_api.create_with_quota(self.db, self.conf, 'volume', values,
                                       volumes=1, gigabytes=size,
                                       per_volume_gigabytes=size)
        self.scheduler_rpc.create_volume(ctx, vol['id'])
        return response.json_response({'volume': self.render(req, ctx, vol, extended=False)},
                                      status=202)

    def _check_group(self, ctx, group_id, vtype, zone):
        """A volume is created into an available group of the caller, of one of the
        group's volume types, in its zone."""
        group = groups_db.get(self.db, group_id, ctx)
        if group['status'] not in ('available', 'in-use'):
            raise exceptions.BadRequest('Invalid group: group %s status must be available '
                                        'to create a volume in it, not %s.'
                                        % (group_id, group['status']))
        if vtype['id'] not in (group['volume_type_ids'] or []):
            raise exceptions.BadRequest('Invalid input: volume type %s is not one of the '
                                        'volume types of group %s.' % (vtype['id'], group_id))
        if zone != group['availability_zone']:
            raise exceptions.BadRequest('Invalid input for field/attribute '
                                        'availability_zone: the group is in %s.'
                                        % group['availability_zone'])

    # update / delete -------------------------------------------------------------------
    def update(self, req, project_id, id):
        ctx = self.context(req, 'volume:update')
        body = validation.validate(schemas.VOLUME_UPDATE, response.json_body(req))
        self.volume(ctx, id)
        item = body['volume']
        values = {}
        for key, old in (('name', 'display_name'), ('description', 'display_description')):
            if key in item or old in item:
                values[key] = item.get(key, item.get(old))
        if 'metadata' in item:
            values['metadata'] = item['metadata'] or {}
        vol = db_api.update(self.db, 'volume', id, **values)
        return {'volume': self.render(req, ctx, vol, extended=False)}

    def delete(self, req, project_id, id):
        ctx = self.context(req, 'volume:delete')
        vol = self.volume(ctx, id)
        cascade = validation.query_bool(req, 'cascade', False)
        self._delete(ctx, vol, cascade, force=False)
        return _accepted()

    def _delete(self, ctx, vol, cascade, force):
        db_api.begin_volume_delete(self.db, vol['id'], cascade=cascade, force=force)
        if not vol['host']:  # never placed: nothing exists on any backend
            db_api.delete_row(self.db, 'volume', vol['id'])
            return
        self.volume_rpc.delete_volume(ctx, vol['host'], vol['id'], cascade=cascade)

    # metadata --------------------------------------------------------------------------
    def metadata_index(self, req, project_id, id):
        ctx = self.context(req, 'volume:get')
        return {'metadata': self.volume(ctx, id)['metadata'] or {}}

    def _set_metadata(self, req, id, replace):
        ctx = self.context(req, 'volume:update_metadata')
        body = validation.validate(schemas.METADATA_BODY, response.json_body(req))
        vol = self.volume(ctx, id)
        meta = {} if replace else dict(vol['metadata'] or {})
        meta.update(body['metadata'])
        return {'metadata': db_api.update(self.db, 'volume', id,
                                          metadata=meta)['metadata']}

    def metadata_create(self, req, project_id, id):
        return self._set_metadata(req, id, False)

    def metadata_replace(self, req, project_id, id):
        return self._set_metadata(req, id, True)

    def metadata_show(self, req, project_id, id, key):
        ctx = self.context(req, 'volume:get')
        meta = self.volume(ctx, id)['metadata'] or {}
        if key not in meta:
            raise exceptions.NotFound('Metadata key %s of volume %s could not be found.'
                                      % (key[:64], id))
        return {'meta': {key: meta[key]}}

    def metadata_update(self, req, project_id, id, key):
        ctx = self.context(req, 'volume:update_metadata')
        body = validation.validate(schemas.META_ITEM, response.json_body(req))
        if key not in body['meta']:
            raise exceptions.BadRequest('Request body and URI mismatch: the key in the URL '
                                        'must be the one in the body.')
        meta = dict(self.volume(ctx, id)['metadata'] or {})
        meta.update(body['meta'])
        db_api.update(self.db, 'volume', id, metadata=meta)
        return {'meta': body['meta']}

    def metadata_delete(self, req, project_id, id, key):
        ctx = self.context(req, 'volume:update_metadata')
        meta = dict(self.volume(ctx, id)['metadata'] or {})
        if key not in meta:
            raise exceptions.NotFound('Metadata key %s of volume %s could not be found.'
                                      % (key[:64], id))
        meta.pop(key)
        db_api.update(self.db, 'volume', id, metadata=meta)
        return webob.Response(status=200)

    # actions ---------------------------------------------------------------------------
    def action(self, req, project_id, id):
        name, args = schemas.action(schemas.ACTIONS, response.json_body(req))
        handler = getattr(self, '_' + name.replace('os-', 'a_').replace('-', '_'))
        return handler(req, id, args)

    def _a_extend(self, req, id, args):
        ctx = self.context(req, 'volume:extend')
        vol = self.volume(ctx, id)
        new_size = _size(args['new_size'])
        allowed = {'available'} | ({'in-use'} if self.version(req) >= (3, 42) else set())
        if vol['status'] not in allowed:
            raise exceptions.BadRequest('Invalid volume: volume status must be %s to '
                                        'extend, not %s.'
                                        % (' or '.join(sorted(allowed)), vol['status']))
        if new_size <= vol['size']:
            raise exceptions.BadRequest('Invalid input for field/attribute new_size: new size '
                                        'must be greater than the current size (%d GiB).'
                                        % vol['size'])

        def check(sess, row):
            db_api.check_quota(sess, self.conf, row.project_id,
                               gigabytes=new_size - row.size, per_volume_gigabytes=new_size)
        db_api.transition(self.db, 'volume', id, allowed,
                          {'status': 'extending', 'previous_status': vol['status']},
                          extra=check)
        self.volume_rpc.extend_volume(ctx, vol['host'], id, new_size)
        return _accepted()

    def _a_reset_status(self, req, id, args):
        ctx = self.context(req, 'volume:reset_status')
        self.volume(ctx, id)
        values = {}
        if 'status' in args:
            values['status'] = args['status']
        if 'attach_status' in args:
            values['attach_status'] = args['attach_status']
        if not values:
            raise exceptions.BadRequest('Must specify status or attach_status to reset.')
        db_api.update(self.db, 'volume', id, **values)
        return _accepted()

    def _a_migrate_volume(self, req, id, args):
        """Move a volume's data to another backend pool (admin); the volume daemon of its
        pool copies it to the destination's daemon and the volume's host changes."""
        ctx = self.context(req, 'volume:migrate_volume')
        vol = self.volume(ctx, id)
        if args.get('cluster') or not args.get('host'):
            raise exceptions.BadRequest('Invalid input: a destination host '
                                        '(host@backend#pool) is required; clusters are not '
                                        'supported.')
        if vol['status'] == 'in-use':
            raise exceptions.BadRequest('Invalid volume: volume %s is attached; this cloud '
                                        'migrates detached volumes only (no online '
                                        'migration).' % id)
        pool = db_api.migration_destination(self.db, self.conf, vol, args['host'])
        db_api.begin_migration(self.db, id, pool['name'])
        self.volume_rpc.migrate_volume(ctx, vol['host'], id, pool['name'])
        return _accepted()

    def _a_migrate_volume_completion(self, req, id, args):
        """Compute's end of a migration that swapped an attached volume to a target
        volume (``migration_status`` ``target:<id>``): this cloud migrates detached
        volumes only and makes no target volumes, so the checks answer with Cinder's
        refusals."""
        ctx = self.context(req, 'volume:migrate_volume')
        vol = self.volume(ctx, id)
        new = self.volume(ctx, args['new_volume'])
        if not vol['migration_status'] or vol['migration_status'] in ('success', 'error'):
            raise exceptions.BadRequest('Invalid volume: source volume not mid-migration.')
        if new['migration_status'] != 'target:%s' % id:
            raise exceptions.BadRequest('Invalid volume: destination has migration_status '
                                        '%s, expected target:%s.'
                                        % (new['migration_status'], id))
        raise exceptions.BadRequest('Invalid volume: online migration is not supported.')

    def _a_force_delete(self, req, id, args):
        ctx = self.context(req, 'volume:force_delete')
        self._delete(ctx, self.volume(ctx, id), cascade=False, force=True)
        return _accepted()

    def _a_set_bootable(self, req, id, args):
        ctx = self.context(req, 'volume:set_bootable')
        self.volume(ctx, id)
        db_api.update(self.db, 'volume', id, bootable=schemas.truthy(args['bootable']))
        return webob.Response(status=200)

    def _a_update_readonly_flag(self, req, id, args):
        ctx = self.context(req, 'volume:update_readonly_flag')
        vol = self.volume(ctx, id)
        flag = schemas.truthy(args['readonly'])
        # Cinder shows the flag among the volume's metadata once it has been set.
        metadata = dict(vol['metadata'] or {}, readonly=str(flag))
        db_api.update(self.db, 'volume', id, readonly=flag, metadata=metadata)
        return _accepted()

    def _a_volume_upload_image(self, req, id, args):
        ctx = self.context(req, 'volume:upload_image')
        vol = self.volume(ctx, id)
        allowed = {'available'} | ({'in-use'} if schemas.truthy(args.get('force')) else set())
        if vol['status'] not in allowed:
            raise exceptions.BadRequest('Invalid volume: volume status must be %s to upload '
                                        'to an image, not %s.'
                                        % (' or '.join(sorted(allowed)), vol['status']))
        disk_format = args.get('disk_format', 'raw')
        body = {'name': args['image_name'], 'disk_format': disk_format,
                'container_format': args.get('container_format', 'bare'),
                'min_disk': vol['size']}
        if args.get('visibility'):
            body['visibility'] = args['visibility']
        if 'protected' in args:
            body['protected'] = schemas.truthy(args['protected'])
        db_api.transition(self.db, 'volume', id, allowed,
                          {'status': 'uploading', 'previous_status': vol['status']})
        try:
            image = self.state.image_source.create(ctx, body)
        except Exception as exc:
            settle(self.db, id, None)
            status = getattr(exc, 'status', None)
            if isinstance(status, int) and 400 <= status < 500:
                raise exceptions.BadRequest('The image service refused the image: %s'
                                            % str(exc)[:200])
            raise
        self.volume_rpc.copy_volume_to_image(ctx, vol['host'], id, image['id'], disk_format)
        names = self._type_names()
        return response.json_response({'os-volume_upload_image': {
            'id': id, 'updated_at': None, 'status': 'uploading',
            'display_description': vol['description'], 'size': vol['size'],
            'volume_type': {'id': vol['volume_type_id'],
                            'name': names.get(vol['volume_type_id'])},
            'image_id': image['id'], 'container_format': body['container_format'],
            'disk_format': disk_format, 'image_name': args['image_name']}}, status=202)

    def _a_retype(self, req, id, args):
        """Change a volume's type where it lies: the new type must be satisfiable by the
        volume's backend (its ``volume_backend_name``), else a migration would be needed,
        which this cloud does not do; that is a 400 whatever the migration_policy."""
        ctx = self.context(req, 'volume:retype')
        vol = self.volume(ctx, id)
        policy = args.get('migration_policy') or 'never'
        new = db_api.get_type(self.db, args['new_type'], ctx)
        if new['id'] == vol['volume_type_id']:
            raise exceptions.BadRequest('Invalid input for field/attribute new_type: the '
                                        'volume is already of type %s.' % new['name'])
        wanted = new['extra_specs'].get('volume_backend_name')
        backend = db_api.pool_backend(self.db, vol['host']) if vol['host'] else None
        if wanted and wanted != backend:
            raise exceptions.BadRequest(
                'Invalid volume: type %s needs volume_backend_name %s but the volume is on '
                '%s; moving it there is a migration (migration_policy %s), which this cloud '
                'does not support.' % (new['name'], wanted, backend or 'no backend', policy))
        multiattach = new['extra_specs'].get('multiattach') == '<is> True'

        def check(sess, row):
            if row.volume_type_id != vol['volume_type_id']:
                return 'Invalid volume: its type changed meanwhile; read it again.'
            if row.status == 'in-use' and bool(row.multiattach) != multiattach:
                return ('Invalid volume: multiattach cannot change on an in-use volume '
                        '(type %s has multiattach %s).' % (new['name'], multiattach))
            return None
        db_api.transition(self.db, 'volume', id, {'available', 'in-use'},
                          {'volume_type_id': new['id'], 'multiattach': multiattach},
                          extra=check)
        return _accepted()

    # the attach handshake of clients older than the attachments API ---------------------
    def _a_reserve(self, req, id, args):
        ctx = self.context(req, 'volume:attach')
        vol = self.volume(ctx, id)
        allowed = {'available'} | ({'in-use'} if vol['multiattach'] else set())
        db_api.transition(self.db, 'volume', id, allowed,
                          {'status': 'attaching', 'previous_status': vol['status']})
        return _accepted()

    def _a_unreserve(self, req, id, args):
        ctx = self.context(req, 'volume:attach')
        self.volume(ctx, id)
        settle(self.db, id, {'attaching', 'reserved'})
        return _accepted()

    def _a_begin_detaching(self, req, id, args):
        ctx = self.context(req, 'volume:detach')
        self.volume(ctx, id)
        db_api.transition(self.db, 'volume', id, {'in-use'}, {'status': 'detaching'})
        return _accepted()

    def _a_roll_detaching(self, req, id, args):
        ctx = self.context(req, 'volume:detach')
        self.volume(ctx, id)
        settle(self.db, id, {'detaching'})
        return _accepted()

    def _a_initialize_connection(self, req, id, args):
        ctx = self.context(req, 'volume:attach')
        vol = self.volume(ctx, id)
        if not vol['host'] or vol['status'] not in ('available', 'attaching', 'reserved',
                                                    'in-use'):
            raise exceptions.BadRequest('Invalid volume: volume status must be available, '
                                        'attaching or in-use, not %s.' % vol['status'])
        info = self.rpc(self.volume_rpc.initialize_connection, ctx, vol['host'], id,
                        args['connector'])
        return {'connection_info': info}

    def _a_terminate_connection(self, req, id, args):
        ctx = self.context(req, 'volume:detach')
        vol = self.volume(ctx, id)
        if vol['host']:
            remaining = [a for a in self.attachments(id) if a['attach_status'] == 'attached']
            self.rpc(self.volume_rpc.terminate_connection, ctx, vol['host'], id,
                     args.get('connector'), remove_export=not remaining)
        return _accepted()

    def _a_attach(self, req, id, args):
        ctx = self.context(req, 'volume:attach')
        vol = self.volume(ctx, id)
        # Old clients attach without os-reserve first, as Cinder allows.
        allowed = {'available', 'attaching', 'reserved'} | (
            {'in-use'} if vol['multiattach'] else set())
        if vol['status'] not in allowed:
            raise exceptions.BadRequest('Invalid volume: volume status must be %s to attach, '
                                        'not %s.' % (' or '.join(sorted(allowed)),
                                                     vol['status']))
        db_api.create_with_quota(self.db, self.conf, 'attachment', {
            'volume_id': id, 'project_id': vol['project_id'],
            'instance_uuid': args.get('instance_uuid'),
            'attached_host': args.get('host_name'), 'mountpoint': args['mountpoint'],
            'attach_mode': args.get('mode', 'rw'), 'attach_status': 'attached',
            'attach_time': types.utcnow()})
        db_api.update(self.db, 'volume', id, status='in-use', attach_status='attached')
        return _accepted()

    def _a_detach(self, req, id, args):
        ctx = self.context(req, 'volume:detach')
        self.volume(ctx, id)
        attachments = [a for a in self.attachments(id) if a['attach_status'] == 'attached']
        wanted = (args or {}).get('attachment_id')
        if wanted is None and len(attachments) > 1:
            raise exceptions.BadRequest('Invalid volume: volume %s has several attachments; '
                                        'name the attachment_id to detach.' % id)
        gone = [a for a in attachments if wanted in (None, a['id'])]
        if not gone:
            raise exceptions.NotFound('Attachment %s of volume %s could not be found.'
                                      % (wanted, id))
        db_api.delete_row(self.db, 'attachment', gone[0]['id'])
        settle(self.db, id, None)
        vol = self.volume(ctx, id)
        if vol['status'] == 'available' and vol['provider_auth'] and vol['host']:
            # Old clients end the connection before os-detach: the last one removes the
            # export (and its credentials) here.
            self.rpc(self.volume_rpc.terminate_connection, ctx, vol['host'], id, None,
                     remove_export=True)
        return _accepted()


def settle(db, volume_id, allowed):
    """Put a volume back to in-use or available from what its attachments say."""
    attached = db_api.count(db, 'attachment', volume_id=volume_id,
                            attach_status='attached')
    db_api.transition(db, 'volume', volume_id, allowed, {
        'status': 'in-use' if attached else 'available',
        'attach_status': 'attached' if attached else 'detached'})


def _accepted():
    return webob.Response(status=202)
