"""Metadata definitions (/v2/metadefs): the flows tempest drives, validation, visibility
and policy."""
import pytest

NS = '/v2/metadefs/namespaces'


@pytest.fixture
def clients(image_env):
    client, _engine = image_env
    admin = client.as_('p-admin', roles=('admin', 'member', 'reader'))
    return admin, client


def _namespace(admin, name='ns1', **fields):
    fields.setdefault('visibility', 'public')
    resp = admin.post(NS, dict(namespace=name, **fields))
    assert resp.status_int == 201, resp.text
    return resp.json


def test_standard_resource_types_are_there(clients):
    _admin, member = clients
    names = [t['name'] for t in member.get('/v2/metadefs/resource_types').json['resource_types']]
    assert {'OS::Glance::Image', 'OS::Cinder::Volume', 'OS::Nova::Flavor'} <= set(names)


def test_namespace_life_cycle_with_protection(clients):
    admin, member = clients
    made = _namespace(admin, display_name='One', description='d', protected=True,
                      resource_type_associations=[{'name': 'OS::Glance::Image',
                                                   'prefix': 'hw_'}])
    assert made['self'] == NS + '/ns1' and made['owner'] == 'p-admin'
    assert made['resource_type_associations'][0]['prefix'] == 'hw_'
    assert 'ns1' in [n['namespace'] for n in member.get(NS).json['namespaces']]
    assert member.get(NS + '/ns1').json['visibility'] == 'public'
    assert admin.delete(NS + '/ns1').status_int == 403
    resp = admin.put(NS + '/ns1', json_body={'namespace': 'ns1', 'visibility': 'private',
                                             'protected': False, 'description': 'Tempest'})
    assert resp.status_int == 200 and resp.json['visibility'] == 'private'
    assert resp.json['protected'] is False
    # Private now: the member's project neither lists nor sees it.
    assert 'ns1' not in [n['namespace'] for n in member.get(NS).json['namespaces']]
    assert member.get(NS + '/ns1').status_int == 404
    assert admin.delete(NS + '/ns1').status_int == 204
    assert admin.get(NS + '/ns1').status_int == 404


def test_members_may_read_but_not_change_the_catalog(clients):
    admin, member = clients
    assert member.post(NS, {'namespace': 'mine'}).status_int == 403
    _namespace(admin)
    assert member.put(NS + '/ns1', json_body={'namespace': 'ns1'}).status_int == 403
    assert member.post(NS + '/ns1/objects', {'name': 'o'}).status_int == 403
    assert member.delete(NS + '/ns1').status_int == 403


def test_objects(clients):
    admin, member = clients
    _namespace(admin)
    obj = {'name': 'obj1', 'description': 'x', 'required': ['a'],
           'properties': {'a': {'title': 'A', 'type': 'integer', 'minimum': 0}}}
    resp = admin.post(NS + '/ns1/objects', obj)
    assert resp.status_int == 201 and resp.json['self'] == NS + '/ns1/objects/obj1'
    assert admin.post(NS + '/ns1/objects', obj).status_int == 409
    assert [o['name'] for o in member.get(NS + '/ns1/objects').json['objects']] == ['obj1']
    resp = admin.put(NS + '/ns1/objects/obj1', json_body={'name': 'obj2'})
    assert resp.status_int == 200 and resp.json['name'] == 'obj2'
    assert member.get(NS + '/ns1/objects/obj2').json['name'] == 'obj2'
    assert admin.get(NS + '/ns1/objects/obj1').status_int == 404
    assert admin.delete(NS + '/ns1/objects/obj2').status_int == 204
    assert admin.get(NS + '/ns1/objects').json['objects'] == []


def test_properties_and_resource_type_prefix(clients):
    admin, _member = clients
    _namespace(admin, resource_type_associations=[{'name': 'OS::Nova::Flavor',
                                                   'prefix': 'hw:'}])
    enum = ['qemu', 'kvm']
    resp = admin.post(NS + '/ns1/properties', {'name': 'hypervisor', 'title': 'Hypervisor',
                                               'type': 'string', 'enum': enum})
    assert resp.status_int == 201 and resp.json['title'] == 'Hypervisor'
    assert admin.get(NS + '/ns1/properties/hypervisor').json['enum'] == enum
    shown = admin.get(NS + '/ns1/properties/hw:hypervisor?resource_type=OS::Nova::Flavor')
    assert shown.status_int == 200 and shown.json['name'] == 'hypervisor'
    ns = admin.get(NS + '/ns1?resource_type=OS::Nova::Flavor').json
    assert list(ns['properties']) == ['hw:hypervisor']
    resp = admin.put(NS + '/ns1/properties/hypervisor', json_body={
        'name': 'hypervisor', 'title': 'New', 'type': 'string', 'enum': enum})
    assert resp.json['title'] == 'New'
    assert admin.get(NS + '/ns1/properties').json['properties']['hypervisor']['title'] == 'New'
    assert admin.delete(NS + '/ns1/properties/hypervisor').status_int == 204
    assert admin.get(NS + '/ns1/properties').json['properties'] == {}


@pytest.mark.parametrize('body,words', [
    ({'name': 'p', 'type': 'string'}, 'title'),
    ({'name': 'p', 'title': 'P', 'type': 'colour'}, 'type'),
    ({'name': 'p', 'title': 'P', 'type': 'string', 'pattern': '(['}, 'regular expression'),
    ({'name': 'p', 'title': 'P', 'type': 'integer', 'minimum': 5, 'maximum': 1}, 'greater'),
    ({'name': 'p', 'title': 'P', 'type': 'string', 'colour': 'red'}, 'colour'),
])
def test_bad_property_definitions(clients, body, words):
    admin, _member = clients
    _namespace(admin)
    resp = admin.post(NS + '/ns1/properties', body)
    assert resp.status_int == 400 and words in resp.msg, resp.msg


def test_tags(clients):
    admin, member = clients
    _namespace(admin)
    tags = [{'name': 't1'}, {'name': 't2'}, {'name': 't3'}]
    resp = admin.post(NS + '/ns1/tags', {'tags': tags})
    assert resp.status_int == 201 and len(resp.json['tags']) == 3
    # A second POST replaces them, unless asked to append.
    admin.post(NS + '/ns1/tags', {'tags': [{'name': 'only'}]})
    assert [t['name'] for t in member.get(NS + '/ns1/tags').json['tags']] == ['only']
    admin.request('POST', NS + '/ns1/tags', json_body={'tags': [{'name': 'more'}]},
                  headers={'X-Openstack-Append': 'True'})
    assert len(admin.get(NS + '/ns1/tags').json['tags']) == 2
    assert admin.post(NS + '/ns1/tags', {'tags': [{'name': 'a'}, {'name': 'a'}]}
                      ).status_int == 409
    assert admin.post(NS + '/ns1/tags/single').status_int == 201
    assert admin.post(NS + '/ns1/tags/single').status_int == 409
    resp = admin.put(NS + '/ns1/tags/single', json_body={'name': 'renamed'})
    assert resp.status_int == 200 and resp.json['name'] == 'renamed'
    assert admin.get(NS + '/ns1/tags/renamed').json['name'] == 'renamed'
    assert admin.delete(NS + '/ns1/tags/renamed').status_int == 204
    assert admin.delete(NS + '/ns1/tags').status_int == 204
    assert admin.get(NS + '/ns1/tags').json['tags'] == []


def test_resource_type_associations(clients):
    admin, _member = clients
    _namespace(admin)
    path = NS + '/ns1/resource_types'
    resp = admin.post(path, {'name': 'OS::Glance::Image', 'prefix': 'p_'})
    assert resp.status_int == 201 and resp.json['name'] == 'OS::Glance::Image'
    assert admin.post(path, {'name': 'OS::Glance::Image'}).status_int == 409
    names = [a['name'] for a in admin.get(path).json['resource_type_associations']]
    assert names == ['OS::Glance::Image']
    assert admin.delete(path + '/OS::Glance::Image').status_int == 204
    assert admin.get(path).json['resource_type_associations'] == []
    assert admin.delete(path + '/OS::Glance::Image').status_int == 404
    # A resource type the catalog does not know yet is registered by the association.
    assert admin.post(path, {'name': 'OS::Example::Thing'}).status_int == 201
    assert 'OS::Example::Thing' in [t['name'] for t in admin.get(
        '/v2/metadefs/resource_types').json['resource_types']]


def test_namespace_validation_and_conflicts(clients):
    admin, _member = clients
    _namespace(admin)
    assert admin.post(NS, {'namespace': 'ns1'}).status_int == 409
    for body, words in (({}, 'namespace'), ({'namespace': 'x', 'visibility': 'shared'},
                                            'visibility'),
                        ({'namespace': 'x', 'protected': 'yes'}, 'protected'),
                        ({'namespace': 'x' * 81}, 'namespace')):
        resp = admin.post(NS, body)
        assert resp.status_int == 400 and words in resp.msg, (body, resp.msg)
    _namespace(admin, 'ns2')
    assert admin.put(NS + '/ns2', json_body={'namespace': 'ns1'}).status_int == 409


def test_namespace_list_paging_and_filters(clients):
    admin, _member = clients
    for name in ('a', 'b', 'c'):
        _namespace(admin, name)
    admin.post(NS + '/b/resource_types', {'name': 'OS::Cinder::Volume'})
    page = admin.get(NS + '?limit=2&sort_key=namespace&sort_dir=asc').json
    assert [n['namespace'] for n in page['namespaces']] == ['a', 'b']
    assert [n['namespace'] for n in admin.get(page['next']).json['namespaces']] == ['c']
    only = admin.get(NS + '?resource_types=OS::Cinder::Volume').json['namespaces']
    assert [n['namespace'] for n in only] == ['b']
    assert admin.get(NS + '?sort_key=colour').status_int == 400


@pytest.mark.parametrize('name,title', [
    ('namespace', 'namespace'), ('namespaces', 'namespaces'), ('object', 'object'),
    ('objects', 'objects'), ('property', 'property'), ('properties', 'properties'),
    ('tag', 'tag'), ('tags', 'tags'), ('resource_type', 'resource_type_association'),
    ('resource_types', 'resource_type_associations')])
def test_schemas(clients, name, title):
    _admin, member = clients
    assert member.get('/v2/schemas/metadefs/' + name).json['name'] == title


def test_unknown_schema_is_404(clients):
    _admin, member = clients
    assert member.get('/v2/schemas/metadefs/colour').status_int == 404


def test_default_catalog_loads_once_and_is_served(image_env, tmp_path):
    from image import metadef_catalog
    client, engine = image_env
    created, kept = metadef_catalog.load(engine.db)
    assert 'OS::Compute::LibvirtImage' in created and kept == []
    assert metadef_catalog.load(engine.db) == ([], sorted(created))
    ns = client.get(NS + '/OS::Compute::LibvirtImage').json
    assert ns['protected'] is True and ns['visibility'] == 'public'
    assert 'virtio' in ns['properties']['hw_disk_bus']['enum']
    assert ns['resource_type_associations'][0]['name'] == 'OS::Glance::Image'
    # Every value the compute driver accepts is in the catalog, and only those.
    from compute.drivers.libvirt import hardware
    assert ns['properties']['hw_vif_model']['enum'] == list(hardware.VIF_MODELS)
    assert ns['properties']['hw_disk_bus']['enum'] == list(hardware.DISK_BUSES)
    assert ns['properties']['hw_video_model']['enum'] == list(hardware.VIDEO_MODELS)


def test_bad_catalog_file_is_named_and_nothing_is_loaded(image_env, tmp_path):
    from image import metadef_catalog
    _client, engine = image_env
    (tmp_path / 'a.json').write_text('{"namespace": "good"}')
    (tmp_path / 'b.json').write_text('{"namespace": "bad", "visibility": "everyone"}')
    with pytest.raises(metadef_catalog.CatalogError) as err:
        metadef_catalog.load(engine.db, str(tmp_path))
    assert 'b.json' in str(err.value) and 'visibility' in str(err.value)
    (tmp_path / 'b.json').unlink()
    assert metadef_catalog.load(engine.db, str(tmp_path)) == (['good'], [])
