#!/usr/bin/env python3
"""Generates tests/vectors/boto3-checksums/presigned-checksums.json: presigned
PutObject and UploadPart URLs with checksum headers, made by botocore offline
with fixed credentials and a fixed signing time.

Run from anywhere (the JSON records the boto3 and botocore versions: 1.44.8):

    pip install boto3
    python3 tests/vectors/boto3-checksums/generate.py

As in tests/vectors/boto3/generate.py: no network (every socket call is made
to fail first), no ambient AWS configuration, and the clock botocore's
signers read (`botocore.auth.get_current_datetime`) fixed.

The checksum values are computed here, independently of the crate: CRC32
with zlib, SHA-1 and SHA-256 with hashlib, CRC32C and CRC64/NVME with the
bitwise reflected algorithms below, each checked against its catalogue
check value (the CRC of "123456789") before use.
"""

import base64
import datetime
import hashlib
import json
import os
import socket
import sys
import zlib
from urllib.parse import urlsplit


def _no_network(*_args, **_kwargs):
    raise RuntimeError("generate.py must not use the network")


socket.socket.connect = _no_network
socket.socket.connect_ex = _no_network
socket.create_connection = _no_network
socket.getaddrinfo = _no_network

for name in list(os.environ):
    if name.startswith("AWS_"):
        del os.environ[name]
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
import botocore  # noqa: E402
import botocore.auth  # noqa: E402
from botocore.config import Config  # noqa: E402

SIGNING_TIME = datetime.datetime(2026, 5, 24, 12, 0, 0)  # UTC, naive as botocore wants
ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
REGION = "eu-west-1"
BUCKET = "examplebucket"
KEY = "uploads/report.csv"
BODY = b"id,total\n1,42\n"
EXPIRES_IN = 600


def _fixed_now(remove_tzinfo=True):
    t = SIGNING_TIME
    return t if remove_tzinfo else t.replace(tzinfo=datetime.timezone.utc)


botocore.auth.get_current_datetime = _fixed_now


def _crc_reflected(data, poly, width):
    mask = (1 << width) - 1
    crc = mask
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
    return crc ^ mask


def crc32c(data):
    return _crc_reflected(data, 0x82F63B78, 32)


def crc64nvme(data):
    return _crc_reflected(data, 0x9A6C9329AC4BC9B5, 64)


# Catalogue check values (reveng.sourceforge.io CRC catalogue).
assert zlib.crc32(b"123456789") == 0xCBF43926
assert crc32c(b"123456789") == 0xE3069283
assert crc64nvme(b"123456789") == 0xAE8B14860A799888


def b64(raw):
    return base64.b64encode(raw).decode()


CHECKSUMS = {
    "CRC32": b64(zlib.crc32(BODY).to_bytes(4, "big")),
    "CRC32C": b64(crc32c(BODY).to_bytes(4, "big")),
    "CRC64NVME": b64(crc64nvme(BODY).to_bytes(8, "big")),
    "SHA1": b64(hashlib.sha1(BODY).digest()),
    "SHA256": b64(hashlib.sha256(BODY).digest()),
}

client = boto3.session.Session(
    aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_ACCESS_KEY
).client(
    "s3",
    region_name=REGION,
    config=Config(signature_version="s3v4", s3={"addressing_style": "virtual"}),
)

CASES = []


def case(name, client_method, params, algorithm, sdk_algorithm):
    all_params = {"Bucket": BUCKET, "Key": KEY}
    all_params.update(params)
    if algorithm:
        all_params["Checksum" + algorithm] = CHECKSUMS[algorithm]
    if sdk_algorithm:
        all_params["ChecksumAlgorithm"] = sdk_algorithm
    url = client.generate_presigned_url(
        client_method, Params=all_params, ExpiresIn=EXPIRES_IN)
    query = dict(p.split("=", 1) for p in urlsplit(url).query.split("&"))
    CASES.append({
        "name": name,
        "boto3_call": f"generate_presigned_url({client_method!r}, Params={all_params!r}, "
                      f"ExpiresIn={EXPIRES_IN})",
        "operation": client_method,
        "params": params,
        "algorithm": algorithm,
        "checksum": CHECKSUMS.get(algorithm),
        "sdk_checksum_algorithm": sdk_algorithm,
        "url": url,
        "signed_headers": query["X-Amz-SignedHeaders"],
        "signature": query["X-Amz-Signature"],
    })


for alg in CHECKSUMS:
    case(f"put-{alg.lower()}", "put_object", {}, alg, None)
case("put-crc32-with-sdk-algorithm", "put_object", {}, "CRC32", "CRC32")
case("put-sdk-algorithm-only", "put_object", {}, None, "CRC64NVME")
case("upload-part-crc32c", "upload_part",
     {"UploadId": "VXBsb2FkIElEIGZvciBleGFtcGxl", "PartNumber": 3}, "CRC32C", None)
case("upload-part-sha256-with-sdk-algorithm", "upload_part",
     {"UploadId": "VXBsb2FkIElEIGZvciBleGFtcGxl", "PartNumber": 3}, "SHA256", "SHA256")

out = {
    "generator": "tests/vectors/boto3-checksums/generate.py",
    "boto3_version": boto3.__version__,
    "botocore_version": botocore.__version__,
    "python_version": sys.version.split()[0],
    "signing_time": SIGNING_TIME.strftime("%Y%m%dT%H%M%SZ"),
    "credentials": {"access_key_id": ACCESS_KEY_ID, "secret_access_key": SECRET_ACCESS_KEY},
    "region": REGION,
    "bucket": BUCKET,
    "key": KEY,
    "body": BODY.decode(),
    "expires_in": EXPIRES_IN,
    "checksums": CHECKSUMS,
    "cases": CASES,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "presigned-checksums.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(out, f, indent=2)
    f.write("\n")
print(f"wrote {len(CASES)} cases to {path} (boto3 {boto3.__version__}, "
      f"botocore {botocore.__version__})")
