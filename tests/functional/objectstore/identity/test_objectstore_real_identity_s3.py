"""boto3 (S3, SigV4, path-style) against the proxy with EC2 credentials made in the REAL
identity: the proxy has identity check every signature (POST /v3/s3tokens)."""
import datetime
import hashlib
import os
import uuid

import boto3
import botocore.auth
import pytest
import requests
from botocore import config as bconfig
from botocore import exceptions as bexc

MIB = 1024 * 1024


def s3_client(real_proxy, access, secret):
    return boto3.client(
        's3', endpoint_url=real_proxy.url, aws_access_key_id=access,
        aws_secret_access_key=secret, region_name='us-east-1',
        config=bconfig.Config(signature_version='s3v4', s3={'addressing_style': 'path'},
                              retries={'max_attempts': 1}, connect_timeout=10,
                              read_timeout=60))


@pytest.fixture(scope='module')
def demo_ec2(real_proxy):
    return real_proxy.ec2_credential('demo')


@pytest.fixture(scope='module')
def s3(real_proxy, demo_ec2):
    return s3_client(real_proxy, *demo_ec2)


@pytest.fixture
def bucket(s3, clean_containers):
    name = 's3-%s' % uuid.uuid4().hex[:10]
    clean_containers.append(('demo', name))
    clean_containers.append(('demo', name + '+segments'))
    s3.create_bucket(Bucket=name)
    return name


def error_code(excinfo):
    return excinfo.value.response['Error']['Code']


def test_bucket_is_a_container_of_demos_account(real_proxy, s3, bucket):
    names = [b['Name'] for b in s3.list_buckets()['Buckets']]
    assert bucket in names
    resp = requests.head('%s/%s' % (real_proxy.storage_url('demo'), bucket),
                         headers={'X-Auth-Token': real_proxy.token('demo')}, timeout=30)
    assert resp.status_code == 204


def test_put_get_list_copy_delete(s3, bucket):
    bodies = {'a/one.txt': b'one', 'a/two.bin': os.urandom(200_000), 'b/three': b'',
              'top': b'top level'}
    for key, body in bodies.items():
        out = s3.put_object(Bucket=bucket, Key=key, Body=body,
                            Metadata={'origin': 'boto3'})
        assert out['ETag'].strip('"') == hashlib.md5(body).hexdigest()
    got = s3.get_object(Bucket=bucket, Key='a/two.bin')
    assert got['Body'].read() == bodies['a/two.bin']
    assert got['Metadata'] == {'origin': 'boto3'}
    assert got['ContentLength'] == 200_000
    head = s3.head_object(Bucket=bucket, Key='top')
    assert head['ContentLength'] == len(bodies['top'])
    ranged = s3.get_object(Bucket=bucket, Key='a/two.bin', Range='bytes=10-19')
    assert ranged['Body'].read() == bodies['a/two.bin'][10:20]

    v1 = s3.list_objects(Bucket=bucket)
    assert [o['Key'] for o in v1['Contents']] == sorted(bodies)
    v1 = s3.list_objects(Bucket=bucket, Delimiter='/', Prefix='')
    assert [p['Prefix'] for p in v1['CommonPrefixes']] == ['a/', 'b/']
    assert [o['Key'] for o in v1['Contents']] == ['top']
    v2 = s3.list_objects_v2(Bucket=bucket, Prefix='a/')
    assert v2['KeyCount'] == 2
    assert {o['Key']: o['Size'] for o in v2['Contents']} == {'a/one.txt': 3,
                                                             'a/two.bin': 200_000}
    page = s3.list_objects_v2(Bucket=bucket, MaxKeys=2)
    assert page['IsTruncated'] and len(page['Contents']) == 2
    rest = s3.list_objects_v2(Bucket=bucket, ContinuationToken=page['NextContinuationToken'])
    assert [o['Key'] for o in page['Contents'] + rest['Contents']] == sorted(bodies)

    s3.copy_object(Bucket=bucket, Key='copied', CopySource={'Bucket': bucket, 'Key': 'a/one.txt'})
    assert s3.get_object(Bucket=bucket, Key='copied')['Body'].read() == b'one'

    s3.delete_object(Bucket=bucket, Key='copied')
    with pytest.raises(bexc.ClientError) as err:
        s3.get_object(Bucket=bucket, Key='copied')
    assert error_code(err) == 'NoSuchKey'
    out = s3.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': k} for k in bodies]})
    assert sorted(d['Key'] for d in out['Deleted']) == sorted(bodies)
    assert s3.list_objects_v2(Bucket=bucket)['KeyCount'] == 0
    s3.delete_bucket(Bucket=bucket)
    with pytest.raises(bexc.ClientError) as err:
        s3.head_bucket(Bucket=bucket)
    assert err.value.response['ResponseMetadata']['HTTPStatusCode'] == 404


def test_multipart_upload_of_three_parts(s3, bucket):
    parts = [os.urandom(5 * MIB), os.urandom(5 * MIB), os.urandom(MIB + 7)]
    upload = s3.create_multipart_upload(Bucket=bucket, Key='mpu/big.bin')
    upload_id = upload['UploadId']
    listed = s3.list_multipart_uploads(Bucket=bucket)
    assert [u['UploadId'] for u in listed.get('Uploads', [])] == [upload_id]
    done = []
    for number, part in enumerate(parts, 1):
        out = s3.upload_part(Bucket=bucket, Key='mpu/big.bin', UploadId=upload_id,
                             PartNumber=number, Body=part)
        assert out['ETag'].strip('"') == hashlib.md5(part).hexdigest()
        done.append({'PartNumber': number, 'ETag': out['ETag']})
    assert [p['PartNumber'] for p in s3.list_parts(Bucket=bucket, Key='mpu/big.bin',
                                                   UploadId=upload_id)['Parts']] == [1, 2, 3]
    out = s3.complete_multipart_upload(Bucket=bucket, Key='mpu/big.bin', UploadId=upload_id,
                                       MultipartUpload={'Parts': done})
    expected = hashlib.md5(b''.join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    assert out['ETag'].strip('"') == '%s-3' % expected
    body = s3.get_object(Bucket=bucket, Key='mpu/big.bin')['Body'].read()
    assert hashlib.md5(body).hexdigest() == hashlib.md5(b''.join(parts)).hexdigest()
    assert s3.head_object(Bucket=bucket, Key='mpu/big.bin')['ContentLength'] == sum(
        len(p) for p in parts)
    s3.delete_object(Bucket=bucket, Key='mpu/big.bin')
    assert s3.list_objects_v2(Bucket=bucket)['KeyCount'] == 0


def test_wrong_secret_is_signature_does_not_match(real_proxy, demo_ec2, bucket):
    bad = s3_client(real_proxy, demo_ec2[0], demo_ec2[1] + 'x')
    with pytest.raises(bexc.ClientError) as err:
        bad.list_objects_v2(Bucket=bucket)
    assert error_code(err) == 'SignatureDoesNotMatch'
    assert err.value.response['ResponseMetadata']['HTTPStatusCode'] == 403
    with pytest.raises(bexc.ClientError) as err:
        bad.put_object(Bucket=bucket, Key='nope', Body=b'x')
    assert error_code(err) == 'SignatureDoesNotMatch'


def test_unknown_access_key_is_invalid_access_key_id(real_proxy, bucket):
    bad = s3_client(real_proxy, 'AKNOTKNOWN%s' % uuid.uuid4().hex[:10], 'whatever-secret')
    with pytest.raises(bexc.ClientError) as err:
        bad.list_buckets()
    assert error_code(err) == 'InvalidAccessKeyId'
    assert err.value.response['ResponseMetadata']['HTTPStatusCode'] == 403


def test_many_signatures_all_accepted(s3, bucket):
    """Each request has a different string to sign (and so a different base64 of it): all
    must be accepted by identity, whatever characters their encoding contains."""
    for index in range(40):
        key = 'k%02d-%s' % (index, uuid.uuid4().hex[:index % 9])
        s3.put_object(Bucket=bucket, Key=key, Body=b'%d' % index)
    assert s3.list_objects_v2(Bucket=bucket)['KeyCount'] == 40


def test_deleted_credential_is_refused(real_proxy, bucket):
    access, secret = real_proxy.ec2_credential('demo')
    client = s3_client(real_proxy, access, secret)
    assert bucket in [b['Name'] for b in client.list_buckets()['Buckets']]
    status, _, body = real_proxy.identity.request(
        'DELETE', '/v3/users/%s/credentials/OS-EC2/%s' % (real_proxy.user_id('demo'), access),
        token=real_proxy.token('demo'))
    assert status == 204, body
    with pytest.raises(bexc.ClientError) as err:
        client.list_buckets()
    assert error_code(err) == 'InvalidAccessKeyId'


def test_presigned_urls_last_until_their_expiry_and_no_longer(s3, bucket, monkeypatch):
    """Identity refuses signatures far from their request time (issue 16, finding 2), but a
    presigned URL is good until its own signed X-Amz-Expires: the proxy hands identity the
    canonical request that proves it."""
    s3.put_object(Bucket=bucket, Key='shared.txt', Body=b'presigned body')

    def presign_at(seconds_ago, expires):
        then = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - \
            datetime.timedelta(seconds=seconds_ago)
        with monkeypatch.context() as patch:
            patch.setattr(botocore.auth, 'get_current_datetime', lambda *a, **k: then)
            return s3.generate_presigned_url('get_object', ExpiresIn=expires, Params={
                'Bucket': bucket, 'Key': 'shared.txt'})
    fresh = requests.get(presign_at(0, 60), timeout=30)
    assert (fresh.status_code, fresh.content) == (200, b'presigned body')
    older_than_the_window = requests.get(presign_at(30 * 60, 3600), timeout=30)
    assert (older_than_the_window.status_code, older_than_the_window.content) == (
        200, b'presigned body')
    expired = requests.get(presign_at(2 * 3600, 3600), timeout=30)
    assert expired.status_code == 403 and b'AccessDenied' in expired.content
