"""The strict validators every API and the network agents share (common.validators), and
the schema formats that reach them (common.validation)."""
import pytest

from common import exceptions
from common import validation
from common import validators as v
from common.wsgi import response


@pytest.mark.parametrize('given,canonical', [
    ('10.0.0.1', '10.0.0.1'), ('fd77::20', 'fd77::20'), ('FD77:0:0::20', 'fd77::20'),
    ('fd77:0000::0020', 'fd77::20'), ('::ffff:10.0.0.1', '::ffff:a00:1')])
def test_ip_addresses_have_one_canonical_spelling(given, canonical):
    assert str(v.ip_address(given)) == canonical


@pytest.mark.parametrize('bad', [
    'fd77::20%a', 'fd77::20%', 'fe80::1%eth0', '10.0.0.1\n', '\n10.0.0.1', ' 10.0.0.1',
    '10.0.0.1 ', '10.0.0.01', '10.0.0', '10.0.0.1/32', '１0.0.0.1', '10.0.0.1\x00', '',
    None, 10, ['10.0.0.1'], 'x' * 1000])
def test_anything_else_is_not_an_ip_address(bad):
    with pytest.raises(v.InvalidValue) as err:
        v.ip_address(bad, 'fixed_ips')
    assert 'fixed_ips' in err.value.message and '\n' not in err.value.message
    assert len(err.value.message) < 200


def test_versions_and_networks():
    with pytest.raises(v.InvalidValue):
        v.ip_address('fd77::1', version=4)
    assert str(v.ip_network('10.0.0.1/24')) == '10.0.0.0/24'
    assert str(v.ip_network('FD77::/64')) == 'fd77::/64'
    assert str(v.ip_network('10.0.0.0/255.255.255.0', strict=True)) == '10.0.0.0/24'
    with pytest.raises(v.InvalidValue) as err:
        v.ip_network('10.0.0.1/24', strict=True)
    assert "'10.0.0.0/24' is recommended" in err.value.message
    for bad in ('fd77::%1/64', '10.0.0.0/24\n', '10.0.0.0/33', '10.0.0.0/24/24', '10.0/8'):
        with pytest.raises(v.InvalidValue):
            v.ip_network(bad)
    assert v.ip_address_or_network('10.0.0.1') == '10.0.0.1'
    assert v.ip_address_or_network('10.0.0.1/28') == '10.0.0.0/28'


@pytest.mark.parametrize('given,canonical', [
    ('fa:16:3e:00:00:01', 'fa:16:3e:00:00:01'), ('FA-16-3E-00-00-01', 'fa:16:3e:00:00:01'),
    ('fa16.3e00.0001', 'fa:16:3e:00:00:01'), ('fa163e000001', 'fa:16:3e:00:00:01'),
    ('fa163e-000001', 'fa:16:3e:00:00:01'), ('1:2:3:4:5:6', '01:02:03:04:05:06'),
    ('11:22:33:44:55:66', '11:22:33:44:55:66')])
def test_macs_in_neutrons_spellings(given, canonical):
    assert v.mac_address(given) == canonical


@pytest.mark.parametrize('bad', [
    'fa:16:3e:00:00:01\n', 'fa:16:3e:00:00:01 ', 'fa:16:3e:00:00', 'fa:16:3e:00:00:01:02',
    'fa-16:3e-00:00-01', 'fa16:3e00.0001', '00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff',
    'fa:16:3e:00:00:0g', '', None, 5])
def test_other_macs_are_refused(bad):
    with pytest.raises(v.InvalidValue):
        v.mac_address(bad)


def test_uuids_text_and_header_values():
    good = '6c3d5b3e-5f0e-4ad6-9c55-0d3f2d7b7c11'
    assert v.uuid(good) == good
    for bad in (good + '\n', good.upper() + ' ', good[:-1], good.replace('-', '')):
        with pytest.raises(v.InvalidValue):
            v.uuid(bad)
    assert v.text('café ☕') == 'café ☕'
    assert v.text('a\nb\tc', multiline=True) == 'a\nb\tc'
    for bad in ('a\nb', 'a\x1b[31m', 'a\x00', 'a\x7f', 'a\x9b', 'a\u2028', 'a\ud800'):
        with pytest.raises(v.InvalidValue):
            v.text(bad)
    with pytest.raises(v.InvalidValue):
        v.text('a\x1bb', multiline=True)
    with pytest.raises(v.InvalidValue):
        v.text('x' * 11, max_length=10)
    assert v.header_value('attachment; filename="a b.txt"\t') == \
        'attachment; filename="a b.txt"\t'
    for bad in ('a\r\nSet-Cookie: x=1', 'a\nb', 'a\x00', 'snow\u2603'):
        with pytest.raises(v.InvalidValue):
            v.header_value(bad)


def test_quotes_are_short_and_escaped():
    assert v.quote('abc') == "'abc'"
    assert v.quote('a\nb') == "'a\\nb'"
    long = v.quote('z' * 5000)
    assert long.startswith("'" + 'z' * 40 + "'") and '(5000 characters)' in long
    assert len(long) < 80
    assert v.quote({'a': 'b' * 100}).endswith('characters)')


def test_schema_formats_reach_the_validators():
    schema = {'type': 'object', 'properties': {
        'ip': {'type': 'string', 'format': 'ip-address'},
        'net': {'type': 'string', 'format': 'cidr'},
        'mac': {'type': 'string', 'format': 'mac-address'},
        'id': {'type': 'string', 'format': 'uuid'},
        'name': validation.name(), 'desc': validation.DESCRIPTION}}
    validation.validate(schema, {'ip': '10.0.0.1', 'net': '10.0.0.0/8', 'mac': '11:22:33:44:55:66',
                                 'id': '6c3d5b3e-5f0e-4ad6-9c55-0d3f2d7b7c11', 'name': 'n',
                                 'desc': 'two\nlines'})
    for field, bad in (('ip', 'fd77::1%1'), ('net', '10.0.0.0/8\n'), ('mac', 'fa:16:3e:0:0:1\n'),
                       ('id', 'x'), ('name', 'a\nb'), ('desc', '\x1b[2J')):
        with pytest.raises(exceptions.ValidationError) as err:
            validation.validate(schema, {field: bad})
        assert "'%s'" % field in err.value.message and '\n' not in err.value.message
    with pytest.raises(exceptions.ValidationError) as err:
        validation.validate({'type': 'string', 'maxLength': 3}, 'y' * 100000)
    assert len(err.value.message) <= validation.MESSAGE_MAX + 3


def test_headers_set_by_the_apis_are_header_values():
    with pytest.raises(v.InvalidValue):
        response.json_response({}, headers={'Location': '/x\r\nSet-Cookie: a=b'})
    assert response.json_response({}, headers={'Location': '/x'}).headers['Location'] == '/x'


@pytest.mark.parametrize('func,good,bad', [
    (v.identifier, ['abc', 'a-1_b.c'], ['', '.hidden', '-x', 'a/b', 'a b', 'x\n', 'a' * 65]),
    (v.interface_name, ['tap0123456789a', 'brq1'], ['', 'a' * 16, 'tap x', 'tap\n', 'a/b']),
    (v.iscsi_name, ['iqn.2010-10.org.openstack:volume-1', 'eui.0123456789ABCDEF'],
     ['iqn.2010.org', 'iqn.2010-10.org:a b', 'iqn.2010-10.org:x\n', '']),
    (v.chap_credential, ['user', 'S3cr3t!~'], ['', 'a b', 'x\n', 'é', 'a' * 256]),
])
def test_host_side_values_are_matched_whole(func, good, bad):
    for value in good:
        assert func(value) == value
    for value in bad:
        with pytest.raises(v.InvalidValue):
            func(value)


def test_host_side_numbers_names_macs_and_uuids():
    assert v.integer(5, 'n', 1, 10) == 5
    for bad in (True, '5', 5.0, 0, 11):
        with pytest.raises(v.InvalidValue):
            v.integer(bad, 'n', 1, 10)
    assert v.hostname('2001:DB8::1') == '2001:db8::1'
    assert v.hostname('node-1.example.org') == 'node-1.example.org'
    for bad in ('-a.org', 'a..b', 'a b', 'fd77::1%eth0', 'x\n'):
        with pytest.raises(v.InvalidValue):
            v.hostname(bad)
    assert v.mac_address('FA:16:3E:00:00:01', unicast=True) == 'fa:16:3e:00:00:01'
    assert v.mac_address('01:00:5e:00:00:01') == '01:00:5e:00:00:01'
    with pytest.raises(v.InvalidValue):
        v.mac_address('01:00:5e:00:00:01', unicast=True)
    upper = '6C3D5B3E-5F0E-4AD6-9C55-0D3F2D7B7C11'
    assert v.uuid(upper) == upper and v.uuid(upper, canonical=True) == upper.lower()


def test_a_chap_secret_is_never_quoted():
    with pytest.raises(v.InvalidValue) as err:
        v.chap_credential('top secret', 'auth_password', secret=True)
    assert 'top secret' not in str(err.value)


def test_dhcp_option_name_and_value():
    assert v.dhcp_option_name('TFTP-Server') == 'tftp-server'
    assert v.dhcp_option_name('066') == '66'
    assert v.dhcp_option_name('bootfile-url', ip_version=6) == 'bootfile-url'
    assert v.dhcp_option_name('300', ip_version=6) == '300'
    for bad, version in (('bootfile-url', 4), ('255', 4), ('0', 4), ('router,tag:x', 4),
                         ('\u0663', 4), ('mtu', 5), ('', 4)):
        with pytest.raises(v.InvalidValue):
            v.dhcp_option_name(bad, ip_version=version)
    assert v.dhcp_option_value('10.0.0.1,10.0.0.2') == '10.0.0.1,10.0.0.2'
    assert v.dhcp_option_value('[fd00::1]') == '[fd00::1]'
    for bad in ('', 'a,', ',a', 'a b', 'a\nb', 'a\\b', '"a"', "'a'", 'a,TAG:x', 'net:x',
                'x' * 256, None):
        with pytest.raises(v.InvalidValue):
            v.dhcp_option_value(bad)


def test_dns_label_and_domain():
    assert v.dns_label('Web-1') == 'web-1'
    for bad in ('', '-a', 'a-', 'a.b', '123', 'x' * 64, 'a_b', 'a\n'):
        with pytest.raises(v.InvalidValue):
            v.dns_label(bad)
    assert v.dns_domain('Example.ORG.') == 'example.org.'
    for bad in ('example', 'example.', 'a..b', 'a.1', '.a.b', 'a.b\n'):
        with pytest.raises(v.InvalidValue):
            v.dns_domain(bad)
