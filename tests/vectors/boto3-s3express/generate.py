#!/usr/bin/env python3
"""Generates tests/vectors/boto3-s3express/s3express.json: what botocore
signs for S3 Express One Zone directory buckets, offline, with fixed
credentials and a fixed signing time.

    python3 -m venv venv && venv/bin/pip install "boto3==1.44.8" "botocore==1.44.8"
    venv/bin/python tests/vectors/boto3-s3express/generate.py > tests/vectors/boto3-s3express/s3express.json

- No network: every socket call raises before any client is created, and no
  ambient AWS configuration is read.
- The clock botocore's signers read (`botocore.auth.get_current_datetime`) is
  fixed.
- Data-plane requests: botocore's S3 Express identity cache
  (`S3ExpressIdentityCache.get_credentials`) is replaced so that it returns
  fixed session credentials instead of calling CreateSession.
- CreateSession and the header-signed data-plane requests are captured in a
  `before-send` handler that answers with a canned response, so nothing is
  sent.
"""

import datetime
import json
import os
import socket
import sys


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
import botocore.credentials  # noqa: E402
import botocore.utils  # noqa: E402
from botocore.awsrequest import AWSResponse  # noqa: E402
from botocore.config import Config  # noqa: E402

SIGNING_TIME = datetime.datetime(2026, 5, 24, 12, 0, 0)  # UTC, naive as botocore wants
REGION = "us-west-2"
BUCKET = "mybucket--usw2-az1--x-s3"
LOCAL_ZONE_BUCKET = "media--usw2-lax1-az1--x-s3"
KEY = "photos/summer vacation/IMG 0001.jpg"
EXPIRES_IN = 300

# The caller's ordinary credentials, which sign CreateSession.
BASE_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
BASE_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

# The session CreateSession would return (made up), with characters that
# need percent-encoding in a query string.
SESSION_ACCESS_KEY_ID = "ASIAEXPRESSSESSION01"
SESSION_SECRET_ACCESS_KEY = "s3express/Session+Secret/EXAMPLEKEY0000000"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXPRESS/session+token=="


def _fixed_now(remove_tzinfo=True):
    t = SIGNING_TIME
    return t if remove_tzinfo else t.replace(tzinfo=datetime.timezone.utc)


botocore.auth.get_current_datetime = _fixed_now

SESSION = botocore.credentials.Credentials(
    SESSION_ACCESS_KEY_ID, SESSION_SECRET_ACCESS_KEY, SESSION_TOKEN
)


def _fixed_session(self, bucket):
    return SESSION


botocore.utils.S3ExpressIdentityCache.get_credentials = _fixed_session


class _Raw:
    def __init__(self, body):
        self._body = body

    def stream(self, **_kwargs):
        yield self._body


CREATE_SESSION_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<CreateSessionResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    b"<Credentials><SessionToken>" + SESSION_TOKEN.encode() + b"</SessionToken>"
    b"<SecretAccessKey>" + SESSION_SECRET_ACCESS_KEY.encode() + b"</SecretAccessKey>"
    b"<AccessKeyId>" + SESSION_ACCESS_KEY_ID.encode() + b"</AccessKeyId>"
    b"<Expiration>2026-05-24T12:05:00Z</Expiration></Credentials>"
    b"</CreateSessionResult>"
)

captured = []
UNSIGNED_SDK_HEADERS = ("user-agent", "amz-sdk-invocation-id", "amz-sdk-request")


def _capture(request, **_kwargs):
    captured.append(
        {
            "method": request.method,
            "url": request.url,
            # User-Agent (which names this machine's OS), amz-sdk-invocation-id
            # (random) and amz-sdk-request are not signed: left out.
            "headers": {
                k: v.decode() if isinstance(v, bytes) else v
                for k, v in request.headers.items()
                if k.lower() not in UNSIGNED_SDK_HEADERS
            },
        }
    )
    if "?session" in request.url:
        body = CREATE_SESSION_BODY
    else:
        body = b""
    return AWSResponse(request.url, 200, {"content-length": str(len(body))}, _Raw(body))


def client(fips=False, dualstack=False):
    c = boto3.session.Session().client(
        "s3",
        region_name=REGION,
        aws_access_key_id=BASE_ACCESS_KEY_ID,
        aws_secret_access_key=BASE_SECRET_ACCESS_KEY,
        config=Config(
            use_fips_endpoint=fips,
            use_dualstack_endpoint=dualstack,
            retries={"max_attempts": 1},
        ),
    )
    c.meta.events.register("before-send", _capture)
    return c


def main():
    out = {
        "boto3": boto3.__version__,
        "botocore": botocore.__version__,
        "signing_time": "20260524T120000Z",
        "region": REGION,
        "base_credentials": {
            "access_key_id": BASE_ACCESS_KEY_ID,
            "secret_access_key": BASE_SECRET_ACCESS_KEY,
        },
        "session_credentials": {
            "access_key_id": SESSION_ACCESS_KEY_ID,
            "secret_access_key": SESSION_SECRET_ACCESS_KEY,
            "session_token": SESSION_TOKEN,
        },
        "endpoints": [],
        "presigned": [],
        "create_session": [],
        "header_signed": [],
    }
    c = client()

    # Zonal endpoints: the host of a presigned GET in each configuration.
    for bucket in (BUCKET, LOCAL_ZONE_BUCKET):
        for fips in (False, True):
            for dualstack in (False, True):
                url = client(fips, dualstack).generate_presigned_url(
                    "get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60
                )
                host = url.split("/")[2]
                out["endpoints"].append(
                    {"bucket": bucket, "fips": fips, "dualstack": dualstack, "host": host}
                )

    for method, op in (("GET", "get_object"), ("PUT", "put_object")):
        url = c.generate_presigned_url(
            op, Params={"Bucket": BUCKET, "Key": KEY}, ExpiresIn=EXPIRES_IN
        )
        out["presigned"].append(
            {"method": method, "bucket": BUCKET, "key": KEY, "expires_in": EXPIRES_IN, "url": url}
        )

    # CreateSession, captured (signed with the base credentials).
    for mode in (None, "ReadOnly"):
        captured.clear()
        params = {"Bucket": BUCKET}
        if mode is not None:
            params["SessionMode"] = mode
        answer = c.create_session(**params)
        assert answer["Credentials"]["AccessKeyId"] == SESSION_ACCESS_KEY_ID
        (req,) = captured
        out["create_session"].append({"session_mode": mode, **req})

    # Header-signed data-plane requests with the session credentials.
    captured.clear()
    c.get_object(Bucket=BUCKET, Key=KEY)
    (req,) = captured
    out["header_signed"].append({"operation": "GetObject", **req})

    json.dump(out, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


main()
