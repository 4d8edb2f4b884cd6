"""TEST FAKES of the image and network services for compute's unit tests, plus helpers
that wire conductor, scheduler and workers together on an in-memory RPC bus."""
import itertools
import threading
import uuid

from common import config
from common import context as context_mod
from common import rpc
from common.rpc import fake as rpc_fake
from compute import clients
from compute import conf as compute_conf
from compute import rpcapi
from compute.conductor import manager as conductor_manager
from compute.db import api as db_api
from compute.db import compute_nodes
from compute.db import flavors as flavors_db
from compute.drivers import fake as fake_driver
from compute.scheduler import manager as scheduler_manager
from compute.worker import manager as worker_manager

PROJECT = 'p1'
USER = 'u1'
IMAGE_ID = '11111111-1111-1111-1111-111111111111'
NET_ID = '22222222-2222-2222-2222-222222222222'
SUBNET_ID = '33333333-3333-3333-3333-333333333333'


def make_conf(tmp_path, **overrides):
    conf = config.ConfigOpts()
    compute_conf.register(conf)
    conf.set_override('state_path', str(tmp_path))
    conf.set_override('transport_url', 'fake://compute-%s' % uuid.uuid4().hex)
    conf.set_override('connection', 'sqlite:///%s' % (tmp_path / 'compute.sqlite'), 'database')
    conf.set_override('host', 'host1')
    conf.set_override('vif_plugging_timeout', 30, 'compute')
    for (group, name), value in overrides.items():
        conf.set_override(name, value, group)
    return conf


def make_db(conf):
    db = db_api.from_conf(conf)
    db_api.sync(db)
    return db


def ctx(admin=False, project=PROJECT, user=USER):
    return context_mod.RequestContext(user_id=user, project_id=project,
                                      roles=['admin'] if admin else ['member'])


def add_flavor(db, flavorid='1', name='m1.nano', memory_mb=128, vcpus=1, root_gb=1):
    return flavors_db.create(db, {'flavorid': flavorid, 'name': name, 'memory_mb': memory_mb,
                                  'vcpus': vcpus, 'root_gb': root_gb})


def add_node(db, host, vcpus=4, memory_mb=4096, local_gb=100, az='nova', **extra):
    values = {'vcpus': vcpus, 'memory_mb': memory_mb, 'local_gb': local_gb,
              'cpu_allocation_ratio': 1.0, 'ram_allocation_ratio': 1.0,
              'disk_allocation_ratio': 1.0, 'reserved_host_memory_mb': 0,
              'availability_zone': az, 'hypervisor_type': 'QEMU'}
    values.update(extra)
    return compute_nodes.upsert(db, host, values)


class FakeImageAPI:
    def __init__(self):
        self.images = {IMAGE_ID: {'id': IMAGE_ID, 'name': 'guest', 'status': 'active',
                                  'visibility': 'public', 'owner': 'admin', 'size': 1024,
                                  'disk_format': 'qcow2', 'container_format': 'bare',
                                  'min_ram': 0, 'min_disk': 0}}
        self.uploads = {}

    def get(self, image_id, project_id=None):
        image = self.images.get(image_id)
        if image is None or (project_id and image['visibility'] == 'private'
                             and image['owner'] != project_id):
            raise clients.NotFound(image_id)
        return dict(image)

    def download(self, image_id):
        yield b'x' * 1024

    def create(self, values):
        image_id = str(uuid.uuid4())
        self.images[image_id] = dict(values, id=image_id, status='queued')
        return self.images[image_id]

    def upload(self, image_id, fileobj):
        self.uploads[image_id] = fileobj.read()
        self.images[image_id]['status'] = 'active'

    def delete(self, image_id):
        self.images.pop(image_id, None)

    def list_(self, filters):
        """Images whose fields equal the filters; 'sort': 'created_at:desc' gives the
        newest (the last created) first."""
        wanted = {k: v for k, v in filters.items() if k != 'sort'}
        found = [dict(i) for i in self.images.values()
                 if all(i.get(k) == v for k, v in wanted.items())]
        return found[::-1] if filters.get('sort') == 'created_at:desc' else found


class FakeNetworkAPI:
    """Ports go ACTIVE when ``plug()`` is called (what the bridge agent does) and, with
    ``on_plug``, the fake tells compute through ``on_plug(port)`` like the network
    service's notifier."""

    def __init__(self):
        self.networks = {NET_ID: {'id': NET_ID, 'name': 'private', 'project_id': PROJECT,
                                  'shared': False, 'mtu': 1450}}
        self.ports = {}
        self.deleted = []
        self._macs = itertools.count(1)
        self._ips = itertools.count(10)
        self.lock = threading.Lock()
        self.fail_create = None

    def get_network(self, network_id, project_id=None):
        net = self.networks.get(network_id)
        if net is None or (project_id and net['project_id'] != project_id
                           and not net['shared']):
            raise clients.NotFound(network_id)
        return dict(net)

    def list_networks(self, project_id):
        return [n for n in self.networks.values()
                if n['project_id'] == project_id or n['shared']]

    def get_port(self, port_id, project_id=None):
        port = self.ports.get(port_id)
        if port is None or (project_id and port['project_id'] != project_id):
            raise clients.NotFound(port_id)
        return dict(port)

    def list_ports(self, **filters):
        return [p for p in self.ports.values()
                if all(p.get(k) == v for k, v in filters.items())]

    def security_group_ids(self, project_id, names):
        if 'missing' in names:
            raise clients.NotFound('security group missing')
        return ['sg-' + n for n in names]

    def create_port(self, body):
        if self.fail_create:
            raise self.fail_create
        with self.lock:
            port_id = str(uuid.uuid4())
            n = next(self._macs)
            port = dict(body, id=port_id, status='DOWN',
                        mac_address='fa:16:3e:00:00:%02x' % n,
                        fixed_ips=[{'subnet_id': SUBNET_ID,
                                    'ip_address': body.get('fixed_ips', [{}])[0].get(
                                        'ip_address') or '10.0.0.%d' % next(self._ips)}])
            self.ports[port_id] = port
            return dict(port)

    def update_port(self, port_id, body):
        self.ports[port_id].update(body)
        return dict(self.ports[port_id])

    def delete_port(self, port_id):
        if self.ports.pop(port_id, None) is not None:
            self.deleted.append(port_id)

    def get_subnet(self, subnet_id):
        return {'id': subnet_id, 'cidr': '10.0.0.0/24', 'gateway_ip': '10.0.0.1',
                'ip_version': 4, 'enable_dhcp': True}

    def plug(self, port_id):
        self.ports[port_id]['status'] = 'ACTIVE'


class Cloud:
    """Conductor + scheduler + N workers (fake driver) on one fake bus, in threads."""

    def __init__(self, conf, db, hosts=('host1',), image_api=None, network_api=None,
                 plug_ports=True, volume_api=None):
        self.conf, self.db = conf, db
        self.transport = rpc.get_transport(conf.transport_url)
        self.image_api = image_api or FakeImageAPI()
        self.network_api = network_api or FakeNetworkAPI()
        self.volume_api = volume_api or FakeVolumeAPI()
        self.servers = []
        self.conductor = conductor_manager.ConductorManager(conf, db, self.transport)
        self.scheduler = scheduler_manager.SchedulerManager(conf, db)
        self._serve(self.conductor, rpcapi.CONDUCTOR_TOPIC, 'conductor')
        self._serve(self.scheduler, rpcapi.SCHEDULER_TOPIC, 'scheduler')
        self.workers = {}
        for host in hosts:
            self.add_worker(host, plug_ports)

    def _serve(self, manager, topic, server):
        srv = rpc.get_rpc_server(self.transport, topic, server=server, endpoints=[manager],
                                 exchange=rpcapi.EXCHANGE, executor='threading',
                                 context_factory=context_mod.RequestContext.from_dict)
        srv.start()
        self.servers.append(srv)

    def add_worker(self, host, plug_ports=True, driver=None):
        wconf = self.conf
        worker = worker_manager.WorkerManager(wconf, self.transport,
                                              driver=driver or fake_driver.FakeDriver(host),
                                              image_api=self.image_api,
                                              network_api=self.network_api)
        worker._volume_api = self.volume_api
        worker.host = host
        if plug_ports:
            # The fake "bridge agent": spawn makes taps, the port goes ACTIVE, and the
            # network service sends network-vif-plugged to compute.
            real_spawn = worker.driver.spawn

            def spawn(instance, image_meta, network_info, **kw):
                real_spawn(instance, image_meta, network_info, **kw)
                for vif in network_info:
                    self.network_api.plug(vif['port_id'])
                    worker.external_instance_event(ctx(admin=True), {'uuid': instance['uuid']},
                                                   {'name': 'network-vif-plugged',
                                                    'tag': vif['port_id']})
            worker.driver.spawn = spawn
        self._serve(worker, rpcapi.WORKER_TOPIC, host)
        worker.driver.init_host(host)
        worker._report_state()
        worker._update_available_resource()
        self.workers[host] = worker
        return worker

    def stop(self):
        # Workers first: their last handlers may still call the conductor.
        for srv in reversed(self.servers):
            srv.stop()
            srv.wait()
        self.transport.cleanup()
        rpc_fake.reset()


class AnyProjectNetworkAPI(FakeNetworkAPI):
    """TEST FAKE: FakeNetworkAPI whose networks every project may boot on."""

    def get_network(self, network_id, project_id=None):
        return dict(self.networks[network_id])


class FakeVolumeAPI:
    """TEST FAKE of block storage as compute calls it (compute.clients.VolumeClient):
    volumes, the attachments handshake and its status changes, per-project visibility.
    ``bind(ctx)`` gives the client of one request, as ServiceClients.volume_api does.
    ``create_delay`` polls before a new volume is available; ``create_status`` is the
    status it reaches ('available' or 'error'); ``fail`` maps a method name to the
    VolumeError it raises once."""

    def __init__(self):
        self.volumes = {}
        self.attachments = {}
        self.calls = []
        self.create_delay = 1
        self.create_status = 'available'
        self.fail = {}
        self.lock = threading.Lock()

    def add(self, project=PROJECT, status='available', size=1, image_id=None):
        vid = str(uuid.uuid4())
        self.volumes[vid] = {'id': vid, 'status': status, 'size': size,
                             'project_id': project, 'attachments': [], 'multiattach': False,
                             'volume_image_metadata': {'image_id': image_id} if image_id
                             else {}, 'polls': 0}
        return vid

    def bind(self, ctx):
        return _BoundVolumes(self, ctx)

    def attachment_of(self, volume_id):
        return [a for a in self.attachments.values() if a['volume_id'] == volume_id]


class _BoundVolumes:
    def __init__(self, fake, ctx):
        self.fake, self.ctx = fake, ctx

    def _check_fail(self, name):
        error = self.fake.fail.pop(name, None)
        if error is not None:
            raise error

    def _vol(self, volume_id):
        vol = self.fake.volumes.get(volume_id)
        if vol is None or (not self.ctx.is_admin and vol['project_id'] != self.ctx.project_id):
            raise clients.VolumeNotFound(volume_id)
        return vol

    def get(self, volume_id):
        self.fake.calls.append(('get', volume_id))
        vol = self._vol(volume_id)
        if vol['status'] == 'creating':
            vol['polls'] += 1
            if vol['polls'] >= self.fake.create_delay:
                vol['status'] = self.fake.create_status
        return dict(vol)

    def create(self, size, name, image_id=None, volume_type=None, availability_zone=None):
        self.fake.calls.append(('create', size, image_id))
        self._check_fail('create')
        vid = self.fake.add(self.ctx.project_id, 'creating', size, image_id)
        return dict(self.fake.volumes[vid])

    def delete(self, volume_id):
        self.fake.calls.append(('delete', volume_id))
        self._check_fail('delete')
        vol = self.fake.volumes.get(volume_id)
        if vol is None:
            return
        if vol['status'] not in ('available', 'error'):
            raise clients.VolumeError(400, 'Invalid volume: status %s' % vol['status'])
        del self.fake.volumes[volume_id]

    def attachment_create(self, volume_id, instance_uuid, connector=None):
        self.fake.calls.append(('attachment_create', volume_id, bool(connector)))
        self._check_fail('attachment_create')
        with self.fake.lock:
            vol = self._vol(volume_id)
            if vol['status'] != 'available':
                raise clients.VolumeError(400, 'Invalid volume: volume %s status is %s'
                                          % (volume_id, vol['status']))
            aid = str(uuid.uuid4())
            att = {'id': aid, 'volume_id': volume_id, 'instance': instance_uuid,
                   'connector': connector, 'status': 'reserved'}
            vol['status'] = 'reserved'
            self.fake.attachments[aid] = att
        if connector:
            return self.attachment_update(aid, connector)
        return dict(att, connection_info={})

    def attachment_update(self, attachment_id, connector):
        self.fake.calls.append(('attachment_update', attachment_id))
        self._check_fail('attachment_update')
        att = self.fake.attachments[attachment_id]
        att.update(connector=connector, status='attaching')
        self.fake.volumes[att['volume_id']]['status'] = 'attaching'
        return dict(att, connection_info={
            'driver_volume_type': 'iscsi', 'data': {
                'target_iqn': 'iqn.2010-10.org.openstack:volume-%s' % att['volume_id'],
                'target_portal': '127.0.0.1:3260', 'target_lun': 1, 'auth_method': 'CHAP',
                'auth_username': 'user', 'auth_password': 'secretsecret12',
                'volume_id': att['volume_id']}})

    def attachment_complete(self, attachment_id):
        self.fake.calls.append(('attachment_complete', attachment_id))
        self._check_fail('attachment_complete')
        att = self.fake.attachments[attachment_id]
        att['status'] = 'attached'
        vol = self.fake.volumes[att['volume_id']]
        vol['status'] = 'in-use'
        vol['attachments'] = [{'server_id': att['instance'], 'attachment_id': attachment_id}]

    def attachment_delete(self, attachment_id):
        self.fake.calls.append(('attachment_delete', attachment_id))
        self._check_fail('attachment_delete')
        att = self.fake.attachments.pop(attachment_id, None)
        if att is None:
            return
        vol = self.fake.volumes.get(att['volume_id'])
        if vol is not None:
            vol['status'] = 'available'
            vol['attachments'] = []
