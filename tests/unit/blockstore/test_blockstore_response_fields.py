"""The volume and snapshot answers carry exactly the fields their microversion defines.

Clients that validate responses (tempest's schemas set additionalProperties to False) fail
on any field they do not know, and on a missing required one.  The field sets below are
Cinder's, per microversion (api_microversion_history): 3.0, the default, and 3.71, the
latest we announce, plus the versions where a field first appears."""
import re

LATEST = '3.71'

# -- volumes ---------------------------------------------------------------------------
VOLUME_REQUIRED = {'attachments', 'links', 'encrypted', 'updated_at', 'replication_status',
                   'id', 'size', 'user_id', 'availability_zone', 'metadata', 'status',
                   'description', 'multiattach', 'consistencygroup_id', 'name', 'bootable',
                   'created_at', 'volume_type', 'snapshot_id', 'source_volid'}
# The create and update answers at 3.0: no extension attributes.
CREATE_30 = VOLUME_REQUIRED | {'migration_status', 'group_id', 'provider_id',
                               'service_uuid', 'shared_targets'}
# show and list-detail at 3.0 add the extension attributes.
SHOW_30 = CREATE_30 | {'os-vol-host-attr:host', 'os-vol-tenant-attr:tenant_id',
                       'os-vol-mig-status-attr:migstat', 'os-vol-mig-status-attr:name_id',
                       'volume_image_metadata'}
LATER = {'cluster_name', 'volume_type_id', 'encryption_key_id', 'consumes_quota'}
CREATE_LATEST = CREATE_30 | LATER
SHOW_LATEST = SHOW_30 | LATER
SUMMARY = {'id', 'name', 'links'}
ATTACHMENT = {'server_id', 'attachment_id', 'attached_at', 'host_name', 'volume_id',
              'device', 'id'}

# -- snapshots -------------------------------------------------------------------------
SNAPSHOT_30 = {'status', 'description', 'created_at', 'name', 'volume_id', 'metadata', 'id',
               'size', 'updated_at'}
SNAPSHOT_DETAIL_30 = SNAPSHOT_30 | {'os-extended-snapshot-attributes:progress',
                                    'os-extended-snapshot-attributes:project_id'}
SNAPSHOT_LATER = {'group_snapshot_id', 'user_id', 'consumes_quota'}


def check(body, allowed, required):
    extra = set(body) - allowed
    missing = required - set(body)
    assert not extra and not missing, ('unexpected: %s, missing: %s'
                                       % (sorted(extra), sorted(missing)))


def _attached_volume(cloud):
    vol = cloud.volume(1, name='fields', metadata={'k': 'v'})
    act = '/volumes/%s/action' % vol['id']
    cloud.ok('POST', act, {'os-reserve': {}})
    cloud.ok('POST', act, {'os-attach': {
        'instance_uuid': '11111111-2222-4333-8444-555555555555', 'mountpoint': '/dev/vdb'}})
    return vol


def test_volume_answers_at_the_default_version(cloud):
    created = cloud.ok('POST', '/volumes', {'volume': {'size': 1, 'name': 'c'}})['volume']
    check(created, CREATE_30, VOLUME_REQUIRED)
    assert 'volume_type_id' not in created and 'consumes_quota' not in created
    vol = _attached_volume(cloud)
    for token, admin in ((None, False), (cloud.admin(), True)):
        path = '/v3/admin/volumes/%s' % vol['id'] if admin else '/volumes/%s' % vol['id']
        shown = cloud.ok('GET', path, token=token)['volume']
        check(shown, SHOW_30, VOLUME_REQUIRED)
        assert shown['os-vol-tenant-attr:tenant_id'] == 'demo'
        # the host and migration state are for admins only, and the host is host@be#pool
        assert ('os-vol-host-attr:host' in shown) is admin
        if admin:
            assert re.match('.+@.+#.+', shown['os-vol-host-attr:host'])
        assert len(shown['attachments']) == 1
        check(shown['attachments'][0], ATTACHMENT, ATTACHMENT - {'attached_at'})
    updated = cloud.ok('PUT', '/volumes/%s' % vol['id'],
                       {'volume': {'name': 'renamed'}})['volume']
    check(updated, CREATE_30, VOLUME_REQUIRED)
    assert updated['name'] == 'renamed'
    for item in cloud.ok('GET', '/volumes/detail')['volumes']:
        check(item, SHOW_30, VOLUME_REQUIRED)
    for item in cloud.ok('GET', '/volumes')['volumes']:
        check(item, SUMMARY, SUMMARY)
    listed = cloud.ok('GET', '/volumes?with_count=true')
    assert set(listed) <= {'volumes', 'volumes_links'}


def test_volume_answers_at_the_latest_version(cloud):
    created = cloud.ok('POST', '/volumes', {'volume': {'size': 1}},
                       version=LATEST)['volume']
    check(created, CREATE_LATEST, VOLUME_REQUIRED | {'volume_type_id', 'consumes_quota'})
    vol = cloud.wait('volume', created['id'], ('available',))
    shown = cloud.ok('GET', '/volumes/%s' % vol['id'], version=LATEST)['volume']
    check(shown, SHOW_LATEST, VOLUME_REQUIRED | {'volume_type_id', 'consumes_quota',
                                                 'group_id', 'shared_targets'})
    for item in cloud.ok('GET', '/volumes/detail', version=LATEST)['volumes']:
        check(item, SHOW_LATEST, VOLUME_REQUIRED | {'volume_type_id'})
    assert 'count' in cloud.ok('GET', '/volumes?with_count=true', version=LATEST)


def test_each_volume_field_appears_at_its_version(cloud):
    vol = cloud.volume(1)
    path = '/volumes/%s' % vol['id']
    for field, first in (('group_id', '3.13'), ('shared_targets', '3.48'),
                         ('service_uuid', '3.48'), ('volume_type_id', '3.63'),
                         ('consumes_quota', '3.65')):
        major, minor = first.split('.')
        before = '%s.%d' % (major, int(minor) - 1)
        assert field not in cloud.ok('GET', path, version=before)['volume'], (field, before)
        assert field in cloud.ok('GET', path, version=first)['volume'], (field, first)


def test_snapshot_answers_per_version(cloud):
    vol = cloud.volume(1)
    for version, later in ((None, set()), (LATEST, SNAPSHOT_LATER)):
        created = cloud.ok('POST', '/snapshots', {'snapshot': {'volume_id': vol['id']}},
                           version=version)['snapshot']
        check(created, SNAPSHOT_30 | later, SNAPSHOT_30 | later)
        snap = cloud.wait('snapshot', created['id'], ('available',))
        path = '/snapshots/%s' % snap['id']
        check(cloud.ok('GET', path, version=version)['snapshot'],
              SNAPSHOT_DETAIL_30 | later, SNAPSHOT_DETAIL_30 | later)
        check(cloud.ok('PUT', path, {'snapshot': {'name': 'n'}}, version=version)['snapshot'],
              SNAPSHOT_30 | later, SNAPSHOT_30 | later)
        for item in cloud.ok('GET', '/snapshots', version=version)['snapshots']:
            check(item, SNAPSHOT_30 | later, SNAPSHOT_30 | later)
        for item in cloud.ok('GET', '/snapshots/detail', version=version)['snapshots']:
            check(item, SNAPSHOT_DETAIL_30 | later, SNAPSHOT_DETAIL_30 | later)
    assert 'user_id' not in cloud.ok('GET', path, version='3.40')['snapshot']
    assert 'user_id' in cloud.ok('GET', path, version='3.41')['snapshot']


# -- backups and volume types ------------------------------------------------------------
BACKUP_30 = {'status', 'object_count', 'container', 'description', 'links',
             'availability_zone', 'created_at', 'updated_at', 'name', 'has_dependent_backups',
             'volume_id', 'fail_reason', 'size', 'id', 'is_incremental', 'data_timestamp',
             'snapshot_id'}
BACKUP_REQUIRED = {'status', 'object_count', 'fail_reason', 'links', 'created_at',
                   'updated_at', 'name', 'volume_id', 'size', 'id', 'data_timestamp'}
BACKUP_LATER = {'os-backup-project-attr:project_id', 'metadata', 'user_id',
                'encryption_key_id'}
TYPE_SHOW = {'id', 'name', 'description', 'is_public', 'extra_specs',
             'os-volume-type-access:is_public', 'qos_specs_id'}
TYPE_CREATE = TYPE_SHOW - {'qos_specs_id'}
TYPE_UPDATE = TYPE_CREATE - {'os-volume-type-access:is_public'}
TYPE_REQUIRED = {'name', 'is_public', 'description', 'id'}


def test_backup_answers_per_version(cloud):
    vol = cloud.volume(1)
    created = cloud.ok('POST', '/backups', {'backup': {'volume_id': vol['id'],
                                                       'name': 'b'}})['backup']
    check(created, {'id', 'links', 'name'}, {'id', 'links', 'name'})
    bak = cloud.wait('backup', created['id'], ('available',))
    check(bak, BACKUP_30, BACKUP_REQUIRED)
    path = '/backups/%s' % bak['id']
    check(cloud.ok('GET', path, version=LATEST)['backup'], BACKUP_30 | BACKUP_LATER,
          BACKUP_REQUIRED | BACKUP_LATER)
    assert 'metadata' not in cloud.ok('GET', path, version='3.42')['backup']
    assert 'metadata' in cloud.ok('GET', path, version='3.43')['backup']
    for item in cloud.ok('GET', '/backups/detail')['backups']:
        check(item, BACKUP_30, BACKUP_REQUIRED)


def test_volume_type_answers(cloud):
    admin = cloud.admin()
    created = cloud.ok('POST', '/v3/admin/types', {'volume_type': {'name': 'fields'}},
                       token=admin, status=200)['volume_type']
    check(created, TYPE_CREATE, TYPE_REQUIRED | {'os-volume-type-access:is_public'})
    updated = cloud.ok('PUT', '/v3/admin/types/%s' % created['id'], {'volume_type': {
        'description': 'd'}}, token=admin)['volume_type']
    check(updated, TYPE_UPDATE, TYPE_REQUIRED)
    check(cloud.ok('GET', '/types/%s' % created['id'])['volume_type'], TYPE_SHOW,
          TYPE_REQUIRED)
    for item in cloud.ok('GET', '/types')['volume_types']:
        check(item, TYPE_SHOW, TYPE_REQUIRED)
