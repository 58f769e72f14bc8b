#!/usr/bin/env python3
"""Generates tests/vectors/boto3-arn-presign.json: presigned S3 URLs made by
boto3/botocore for buckets addressed by ARN (access points, S3 Object Lambda
and S3 on Outposts access points, Multi-Region Access Points) and for the
FIPS and dual-stack endpoints, offline, with fixed credentials and a fixed
signing time; and the configurations botocore refuses.

    python3 -m venv /tmp/venv
    /tmp/venv/bin/pip install "boto3==1.44.*" "botocore==1.44.*" awscrt
    /tmp/venv/bin/python tests/vectors/boto3_arn_presign.py

Nothing here touches the network (every socket connection and name lookup
raises), and no AWS configuration is read (the script clears `AWS_*` and
passes credentials and regions explicitly).

SigV4 cases are signed by botocore's own Python signers (with the CRT
installed botocore would use the CRT's SigV4 signers too, which order the
query differently; the Python ones are what botocore uses without it).
Multi-Region Access Points need SigV4a, which botocore signs only through
the CRT (`awscrt`); its ECDSA signatures are randomized, so those cases are
compared without their signature, which is verified instead.

The clock is fixed by replacing `get_current_datetime` where botocore's
Python and CRT signers read it.
"""

import datetime
import json
import os
import socket
import sys
from urllib.parse import urlsplit

# -- No network, no ambient configuration -----------------------------------


def _no_network(*_args, **_kwargs):
    raise RuntimeError("boto3_arn_presign.py must not use the network")


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

import awscrt  # noqa: E402  (SigV4a needs it; fail early without it)
import boto3  # noqa: E402
import botocore  # noqa: E402
import botocore.auth  # noqa: E402
import botocore.crt.auth  # noqa: E402
from botocore.config import Config  # noqa: E402

# -- Fixed inputs --------------------------------------------------------------

SIGNING_TIME = datetime.datetime(2026, 5, 24, 12, 0, 0)  # UTC, naive as botocore wants
AMZ_DATE = SIGNING_TIME.strftime("%Y%m%dT%H%M%SZ")

ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = (
    "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+EXAMPLE"
    "TOKENzQ1/aB+cd==")


def _fixed_now(remove_tzinfo=True):
    t = SIGNING_TIME
    return t if remove_tzinfo else t.replace(tzinfo=datetime.timezone.utc)


botocore.auth.get_current_datetime = _fixed_now
botocore.crt.auth.get_current_datetime = _fixed_now

# SigV4 through botocore's Python signers; SigV4a (s3v4a*) stays the CRT's.
botocore.auth.AUTH_TYPE_MAPS.update({
    "v4": botocore.auth.SigV4Auth,
    "v4-query": botocore.auth.SigV4QueryAuth,
    "s3v4": botocore.auth.S3SigV4Auth,
    "s3v4-query": botocore.auth.S3SigV4QueryAuth,
})


def client(region, *, token=False, fips=False, dualstack=False, accelerate=False,
           addressing=None, mrap=False):
    session = boto3.session.Session(
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
        aws_session_token=SESSION_TOKEN if token else None,
    )
    s3 = {"use_dualstack_endpoint": dualstack, "use_accelerate_endpoint": accelerate}
    if addressing:
        s3["addressing_style"] = addressing
    # SigV4 as `aws s3 presign` signs (botocore's default for presigned S3
    # URLs is still SigV2); a Multi-Region Access Point's endpoint rules
    # ask for SigV4a, which an explicit signature_version would override.
    config = Config(use_fips_endpoint=fips, s3=s3)
    if not mrap:
        config = config.merge(Config(signature_version="s3v4"))
    return session.client("s3", region_name=region, config=config)


CASES = []
REFUSALS = []

METHODS = {"get_object": "GET", "put_object": "PUT", "head_object": "HEAD",
           "delete_object": "DELETE", "upload_part": "PUT",
           "list_objects_v2": "GET", "create_multipart_upload": "POST"}


def case(name, description, *, region, bucket, client_method, key=None, params=None,
         expires_in=600, token=False, fips=False, dualstack=False, headers=()):
    c = client(region, token=token, fips=fips, dualstack=dualstack,
               mrap=bucket.startswith("arn:aws:s3::"))
    all_params = {"Bucket": bucket}
    if key is not None:
        all_params["Key"] = key
    all_params.update(params or {})
    url = c.generate_presigned_url(client_method, Params=all_params, ExpiresIn=expires_in)
    parts = urlsplit(url)
    query = [p.split("=", 1) for p in parts.query.split("&")]
    q = dict(query)
    CASES.append({
        "name": name,
        "description": description,
        "boto3_call": (f"s3 client (region {region}, use_fips_endpoint={fips}, "
                       f"use_dualstack_endpoint={dualstack}).generate_presigned_url("
                       f"{client_method!r}, Params={all_params!r}, ExpiresIn={expires_in})"),
        "region": region,
        "bucket": bucket,
        "key": key,
        "client_method": client_method,
        "method": METHODS[client_method],
        "params": params or {},
        "fips": fips,
        "dualstack": dualstack,
        "session_token": token,
        "expires_in": expires_in,
        "algorithm": q["X-Amz-Algorithm"],
        "url": url,
        "host": parts.netloc,
        "path": parts.path,
        "query": query,
        "headers_to_send": [["host", parts.netloc]] + [[n.lower(), v] for n, v in headers],
        "signature": q["X-Amz-Signature"],
    })


def refusal(name, description, *, region, bucket, fips=False, dualstack=False,
            accelerate=False, addressing=None, post=False):
    c = client(region, fips=fips, dualstack=dualstack, accelerate=accelerate,
               addressing=addressing, mrap=bucket.startswith("arn:aws:s3::"))
    try:
        if post:
            c.generate_presigned_post(bucket, "k")
        else:
            c.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    except Exception as e:  # noqa: BLE001 (every refusal is recorded)
        REFUSALS.append({
            "name": name, "description": description, "region": region,
            "bucket": bucket, "fips": fips, "dualstack": dualstack,
            "accelerate": accelerate, "addressing": addressing, "post": post,
            "botocore_error": f"{type(e).__name__}: {e}",
        })
        return
    raise SystemExit(f"{name}: botocore did not refuse it")


AP = "arn:aws:s3:us-west-2:123456789012:accesspoint/myap"
OL = "arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint/mybanner"
OP = ("arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456"
      "/accesspoint/reports")
MRAP = "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap"
SPECIAL_KEY = ("dir/sub dir/\u00fcn\u00efc\u00f6d\u00e9 \u20ac\U0001F600 "
               "a+b=c&d;e,f:g@h$i!j'k(l)m*n~o%p#q?r[s]t^u`v{w}x|y\"z<>.txt")

# -- Access points -------------------------------------------------------------

case("ap-get", "GetObject through an access point ARN; the client's region "
     "(us-east-1) loses to the ARN's (us-west-2)",
     region="us-east-1", bucket=AP, client_method="get_object", key="reports/q1.csv")
case("ap-get-colon-form", "The same ARN written accesspoint:NAME",
     region="us-east-1", bucket="arn:aws:s3:us-west-2:123456789012:accesspoint:myap",
     client_method="get_object", key="reports/q1.csv")
case("ap-get-special-key", "A key with spaces, Unicode and reserved characters",
     region="us-west-2", bucket=AP, client_method="get_object", key=SPECIAL_KEY,
     expires_in=3600)
case("ap-put-content-type-session-token",
     "PutObject with ContentType (a signed header) and temporary credentials",
     region="us-west-2", bucket=AP, client_method="put_object", key="uploads/a b.csv",
     params={"ContentType": "text/csv"}, token=True, expires_in=300,
     headers=[("Content-Type", "text/csv")])
case("ap-head", "HeadObject", region="us-west-2", bucket=AP,
     client_method="head_object", key="k.txt")
case("ap-delete", "DeleteObject", region="us-west-2", bucket=AP,
     client_method="delete_object", key="k.txt")
case("ap-upload-part", "UploadPart", region="us-west-2", bucket=AP,
     client_method="upload_part", key="big.bin",
     params={"PartNumber": 3, "UploadId": "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA"})
case("ap-list-objects-v2", "ListObjectsV2 with a prefix", region="us-west-2",
     bucket=AP, client_method="list_objects_v2", params={"Prefix": "reports/"})
case("ap-dualstack", "Dual-stack", region="us-west-2", bucket=AP,
     client_method="get_object", key="k.txt", dualstack=True)
case("ap-fips", "FIPS", region="us-west-2", bucket=AP,
     client_method="get_object", key="k.txt", fips=True)
case("ap-fips-dualstack", "FIPS and dual-stack", region="us-west-2", bucket=AP,
     client_method="get_object", key="k.txt", fips=True, dualstack=True)
case("ap-aws-cn", "An aws-cn access point: the partition's DNS suffix",
     region="cn-north-1", bucket="arn:aws-cn:s3:cn-northwest-1:123456789012:accesspoint/myap",
     client_method="get_object", key="k.txt")
case("ap-gov-fips", "A GovCloud access point over FIPS, ARN region us-gov-east-1",
     region="us-gov-west-1", bucket="arn:aws-us-gov:s3:us-gov-east-1:123456789012:accesspoint/myap",
     client_method="get_object", key="k.txt", fips=True)

# -- S3 Object Lambda and S3 on Outposts ----------------------------------------

case("object-lambda-get", "S3 Object Lambda: signed for s3-object-lambda",
     region="us-west-2", bucket=OL, client_method="get_object", key="banner.png")
case("object-lambda-fips", "S3 Object Lambda over FIPS", region="us-west-2",
     bucket=OL, client_method="get_object", key="banner.png", fips=True)
case("outposts-get", "S3 on Outposts: signed for s3-outposts", region="us-west-2",
     bucket=OP, client_method="get_object", key="k.txt")
case("outposts-put-colon-form", "S3 on Outposts, the colon form, PutObject",
     region="us-east-1",
     bucket=("arn:aws:s3-outposts:us-west-2:123456789012:outpost:op-01234567890123456"
             ":accesspoint:reports"),
     client_method="put_object", key="k.txt")

# -- Plain buckets on FIPS and dual-stack endpoints -----------------------------

case("bucket-fips", "A bucket on the FIPS endpoint", region="us-east-1",
     bucket="examplebucket", client_method="get_object", key="k.txt", fips=True)
case("bucket-dualstack", "A bucket on the dual-stack endpoint", region="us-east-1",
     bucket="examplebucket", client_method="get_object", key="k.txt", dualstack=True)
case("bucket-fips-dualstack", "FIPS and dual-stack", region="us-west-2",
     bucket="examplebucket", client_method="get_object", key="k.txt", fips=True,
     dualstack=True)
case("bucket-fips-dotted-path-style", "A dotted name on FIPS: path-style",
     region="us-west-2", bucket="my.example.bucket", client_method="get_object",
     key="k.txt", fips=True)

# -- Multi-Region Access Points (SigV4a, through the CRT) -----------------------

case("mrap-get", "GetObject through a Multi-Region Access Point: SigV4a, "
     "region set *", region="us-west-2", bucket=MRAP, client_method="get_object",
     key="reports/q1.csv")
case("mrap-get-colon-form", "The same, accesspoint:ALIAS", region="eu-west-1",
     bucket="arn:aws:s3::123456789012:accesspoint:mfzwi23gnjvgw.mrap",
     client_method="get_object", key="a b/c.txt")
case("mrap-put-content-type-session-token",
     "PutObject with ContentType and temporary credentials", region="us-west-2",
     bucket=MRAP, client_method="put_object", key="uploads/x.csv",
     params={"ContentType": "text/csv"}, token=True, expires_in=300,
     headers=[("Content-Type", "text/csv")])
case("mrap-delete", "DeleteObject", region="us-west-2", bucket=MRAP,
     client_method="delete_object", key="x.csv")

# -- What botocore refuses --------------------------------------------------------

refusal("ap-partition-mismatch", "An aws ARN with a client in aws-cn",
        region="cn-north-1", bucket=AP)
refusal("ap-accelerate", "Access points with transfer acceleration",
        region="us-west-2", bucket=AP, accelerate=True)
refusal("ap-aws-cn-fips", "FIPS in aws-cn", region="cn-north-1",
        bucket="arn:aws-cn:s3:cn-north-1:123456789012:accesspoint/myap", fips=True)
refusal("object-lambda-dualstack", "S3 Object Lambda has no dual-stack",
        region="us-west-2", bucket=OL, dualstack=True)
refusal("outposts-fips", "S3 on Outposts has no FIPS", region="us-west-2",
        bucket=OP, fips=True)
refusal("outposts-dualstack", "S3 on Outposts has no dual-stack",
        region="us-west-2", bucket=OP, dualstack=True)
refusal("mrap-fips", "Multi-Region Access Points have no FIPS", region="us-west-2",
        bucket=MRAP, fips=True)
refusal("mrap-dualstack", "Multi-Region Access Points have no dual-stack",
        region="us-west-2", bucket=MRAP, dualstack=True)
refusal("bucket-aws-cn-fips", "FIPS in aws-cn for a bucket", region="cn-north-1",
        bucket="examplebucket", fips=True)
refusal("ap-post", "POST policies for an access point", region="us-west-2",
        bucket=AP, post=True)
refusal("mrap-post", "POST policies for a Multi-Region Access Point",
        region="us-west-2", bucket=MRAP, post=True)
refusal("ap-bad-name", "An access point name with a dot", region="us-west-2",
        bucket="arn:aws:s3:us-west-2:123456789012:accesspoint/my.ap")
refusal("ap-short-account", "An account id that is not 12 digits",
        region="us-west-2", bucket="arn:aws:s3:us-west-2:12345:accesspoint/myap")
refusal("ap-two-names", "Two resource names after accesspoint",
        region="us-west-2", bucket="arn:aws:s3:us-west-2:123456789012:accesspoint/a/b")
refusal("not-s3", "An ARN of another service", region="us-west-2",
        bucket="arn:aws:sqs:us-west-2:123456789012:accesspoint/myap")

# -- Output ----------------------------------------------------------------------

out = {
    "generator": "tests/vectors/boto3_arn_presign.py",
    "boto3_version": boto3.__version__,
    "botocore_version": botocore.__version__,
    "awscrt_version": awscrt.__version__,
    "python_version": sys.version.split()[0],
    "signing_time": AMZ_DATE,
    "credentials": {
        "access_key_id": ACCESS_KEY_ID,
        "secret_access_key": SECRET_ACCESS_KEY,
        "session_token": SESSION_TOKEN,
    },
    "cases": CASES,
    "refusals": REFUSALS,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "boto3-arn-presign.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(out, f, indent=2, ensure_ascii=False)
    f.write("\n")
print(f"wrote {len(CASES)} cases and {len(REFUSALS)} refusals to {path} "
      f"(boto3 {boto3.__version__}, botocore {botocore.__version__}, awscrt {awscrt.__version__})")
