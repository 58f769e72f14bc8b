#!/usr/bin/env python3
"""Generates tests/vectors/boto3/presigned-urls.json: presigned URLs made by
boto3/botocore, offline, with fixed credentials and a fixed signing time.

Run from anywhere:

    pip install boto3
    python3 tests/vectors/boto3/generate.py

Nothing here touches the network: presigning is pure computation in
botocore, and every socket connection (and name lookup) is made to fail
before any client is created, so an accidental network call would abort the
script instead of going out. No AWS configuration file, environment variable
or instance metadata is read: the script clears them and passes credentials
and regions explicitly.

The signing time is fixed by replacing the clock botocore's signers read
(`botocore.auth.get_current_datetime`).
"""

import datetime
import json
import os
import socket
import sys
from urllib.parse import urlsplit

# -- No network, no ambient configuration -----------------------------------


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

# -- Fixed inputs --------------------------------------------------------------

SIGNING_TIME = datetime.datetime(2026, 5, 24, 12, 0, 0)  # UTC, naive as botocore wants
AMZ_DATE = SIGNING_TIME.strftime("%Y%m%dT%H%M%SZ")

ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
# A made-up token with the characters that need query encoding (/ + =).
SESSION_TOKEN = (
    "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+EXAMPLE"
    "TOKENzQ1/aB+cd==")


def _fixed_now(remove_tzinfo=True):
    t = SIGNING_TIME
    return t if remove_tzinfo else t.replace(tzinfo=datetime.timezone.utc)


botocore.auth.get_current_datetime = _fixed_now


def session(token=False):
    return boto3.session.Session(
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
        aws_session_token=SESSION_TOKEN if token else None,
    )


def s3_client(region, addressing, token=False):
    return session(token).client(
        "s3",
        region_name=region,
        config=Config(signature_version="s3v4", s3={"addressing_style": addressing}),
    )


# -- Cases ---------------------------------------------------------------------

CASES = []


def record(name, description, url, method, *, service, region, token, expires_in,
           headers=(), s3=None, boto3_call=None):
    """Stores one generated URL with everything a verifier needs: the
    request line's pieces and the headers the client must send."""
    parts = urlsplit(url)
    query = dict(p.split("=", 1) for p in parts.query.split("&"))
    send = [["host", parts.netloc]] + [[n.lower(), v] for n, v in headers]
    CASES.append({
        "name": name,
        "description": description,
        "boto3_call": boto3_call,
        "service": service,
        "region": region,
        "session_token": token,
        "expires_in": expires_in,
        "method": method,
        "url": url,
        "host": parts.netloc,
        "target": parts.path + "?" + parts.query,
        "headers_to_send": send,
        "signed_headers": query["X-Amz-SignedHeaders"],
        "signature": query["X-Amz-Signature"],
        "s3": s3,
    })


def s3_case(name, description, *, region, addressing, client_method, bucket, key,
            params=None, expires_in, token=False, headers=(), http_method=None):
    client = s3_client(region, addressing, token)
    all_params = {"Bucket": bucket, "Key": key}
    all_params.update(params or {})
    kwargs = {"Params": all_params, "ExpiresIn": expires_in}
    if http_method:
        kwargs["HttpMethod"] = http_method
    url = client.generate_presigned_url(client_method, **kwargs)
    method = http_method or {"get_object": "GET", "put_object": "PUT",
                             "head_object": "HEAD", "delete_object": "DELETE"}[client_method]
    record(
        name, description, url, method,
        service="s3", region=region, token=token, expires_in=expires_in,
        headers=headers,
        s3={"bucket": bucket, "key": key, "addressing": addressing,
            "params": params or {}},
        boto3_call=(f"s3 client (region {region}, addressing_style {addressing}, s3v4)"
                    f".generate_presigned_url({client_method!r}, Params={all_params!r}, "
                    f"ExpiresIn={expires_in}"
                    + (f", HttpMethod={http_method!r}" if http_method else "") + ")"),
    )


s3_case(
    "s3-get-virtual-hosted",
    "GetObject, virtual-hosted addressing on the regional endpoint",
    region="eu-west-1", addressing="virtual", client_method="get_object",
    bucket="examplebucket", key="photos/2026/cat.jpg", expires_in=600,
)
s3_case(
    "s3-get-path-style",
    "GetObject, path-style addressing on the regional endpoint",
    region="eu-west-1", addressing="path", client_method="get_object",
    bucket="examplebucket", key="photos/2026/cat.jpg", expires_in=900,
)
s3_case(
    "s3-get-us-east-1-global",
    "GetObject in us-east-1, virtual-hosted: boto3 uses the legacy global "
    "host BUCKET.s3.amazonaws.com",
    region="us-east-1", addressing="virtual", client_method="get_object",
    bucket="examplebucket", key="test.txt", expires_in=86400,
)
s3_case(
    "s3-get-special-key",
    "GetObject of a key with spaces, Unicode and reserved characters",
    region="eu-west-1", addressing="virtual", client_method="get_object",
    bucket="examplebucket",
    key="dir/sub dir/\u00fcn\u00efc\u00f6d\u00e9 \u20ac\U0001F600 a+b=c&d;e,f:g@h$i!j'k(l)m*n~o%p#q?r[s]t^u`v{w}x|y\"z<>.txt",
    expires_in=3600,
)
s3_case(
    "s3-get-special-key-path-style",
    "The same special key, path-style",
    region="eu-west-1", addressing="path", client_method="get_object",
    bucket="examplebucket",
    key="dir/sub dir/\u00fcn\u00efc\u00f6d\u00e9 \u20ac\U0001F600 a+b=c&d;e,f:g@h$i!j'k(l)m*n~o%p#q?r[s]t^u`v{w}x|y\"z<>.txt",
    expires_in=3600,
)
s3_case(
    "s3-get-response-overrides",
    "GetObject with response-content-disposition, response-content-type and "
    "versionId (signed query parameters)",
    region="eu-west-1", addressing="virtual", client_method="get_object",
    bucket="examplebucket", key="reports/q1.pdf",
    params={
        "ResponseContentDisposition": 'attachment; filename="report 2026 \u00e9t\u00e9.pdf"',
        "ResponseContentType": "application/pdf",
        "VersionId": "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo",
    },
    expires_in=300,
)
s3_case(
    "s3-put-content-type",
    "PutObject with ContentType: boto3 signs content-type as a header "
    "(X-Amz-SignedHeaders=content-type;host), so the uploader must send it",
    region="eu-west-1", addressing="virtual", client_method="put_object",
    bucket="examplebucket", key="uploads/report.csv",
    params={"ContentType": "text/csv; charset=utf-8"},
    headers=[("Content-Type", "text/csv; charset=utf-8")],
    expires_in=300,
)
s3_case(
    "s3-get-session-token",
    "GetObject with temporary credentials: X-Amz-Security-Token is signed",
    region="eu-west-1", addressing="virtual", client_method="get_object",
    bucket="examplebucket", key="private/data.json", token=True, expires_in=1200,
)
s3_case(
    "s3-put-session-token-path-style",
    "PutObject with temporary credentials, path-style",
    region="us-west-2", addressing="path", client_method="put_object",
    bucket="examplebucket", key="uploads/a b.bin", token=True, expires_in=60,
)


def sts_case(name, description, *, token, expires_in, extra_header=None):
    client = session(token).client(
        "sts", region_name="us-east-1",
        endpoint_url="https://sts.us-east-1.amazonaws.com",
    )
    if extra_header:
        header_name, header_value = extra_header

        def add_header(request, **_kwargs):
            request.headers[header_name] = header_value

        client.meta.events.register("before-sign.sts.GetCallerIdentity", add_header)
    url = client.generate_presigned_url(
        "get_caller_identity", Params={}, ExpiresIn=expires_in, HttpMethod="GET")
    record(
        name, description, url, "GET",
        service="sts", region="us-east-1", token=token, expires_in=expires_in,
        headers=[extra_header] if extra_header else (),
        boto3_call=("sts client (region us-east-1, endpoint https://sts.us-east-1.amazonaws.com)"
                    f".generate_presigned_url('get_caller_identity', Params={{}}, "
                    f"ExpiresIn={expires_in}, HttpMethod='GET')"
                    + (f" with a before-sign hook adding the header {extra_header[0]}"
                       if extra_header else "")),
    )


sts_case(
    "sts-get-caller-identity",
    "STS GetCallerIdentity presigned as GET (a non-S3 service: the body "
    "parameters move to the query and the payload hash is the empty body's)",
    token=False, expires_in=900,
)
sts_case(
    "sts-get-caller-identity-session-token-k8s-header",
    "STS GetCallerIdentity with temporary credentials and a signed "
    "x-k8s-aws-id header (the EKS token pattern)",
    token=True, expires_in=60, extra_header=("x-k8s-aws-id", "my-cluster"),
)

# -- Output ----------------------------------------------------------------------

out = {
    "generator": "tests/vectors/boto3/generate.py",
    "boto3_version": boto3.__version__,
    "botocore_version": botocore.__version__,
    "python_version": sys.version.split()[0],
    "signing_time": AMZ_DATE,
    "credentials": {
        "access_key_id": ACCESS_KEY_ID,
        "secret_access_key": SECRET_ACCESS_KEY,
        "session_token": SESSION_TOKEN,
    },
    "cases": CASES,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "presigned-urls.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(out, f, indent=2, ensure_ascii=False)
    f.write("\n")
print(f"wrote {len(CASES)} cases to {path} (boto3 {boto3.__version__}, "
      f"botocore {botocore.__version__})")
