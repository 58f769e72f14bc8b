#!/usr/bin/env python3
"""Generates tests/vectors/boto3-tokens/tokens.json: RDS IAM authentication
tokens made by boto3 (`generate_db_auth_token`) and EKS tokens made by the
AWS CLI's own `aws eks get-token` command, offline, with fixed credentials
and a fixed signing time.

    pip install boto3 awscli
    python3 tests/vectors/boto3-tokens/generate.py

Nothing here touches the network: presigning is local computation, and
every socket connection and name lookup is made to fail before boto3 or the
CLI is imported, so an accidental network call aborts the script. No AWS
configuration file, environment variable or instance metadata is read:
AWS_* variables are cleared and the config files point at /dev/null.

The signing time is fixed by replacing the clock botocore's SigV4 signer
reads (`botocore.auth.get_current_datetime`, which `SigV4QueryAuth.add_auth`
calls for X-Amz-Date) and the clock `aws eks get-token` reads for the
ExecCredential's `expirationTimestamp`
(`awscli.customizations.eks.get_token.get_current_datetime`).

EKS tokens are produced twice and must agree: once by running the CLI
in-process (`awscli.clidriver.create_clidriver().main(["eks", "get-token",
...])`, the `status.token` of its JSON output), once by redoing what the
CLI does with boto3 directly (an STS client, the two event handlers that
move `x-k8s-aws-id` from the call's parameters into a signed header,
`generate_presigned_url("get_caller_identity", ExpiresIn=60,
HttpMethod="GET")`, unpadded base64url).
"""

import base64
import contextlib
import datetime
import io
import json
import os
import socket
import sys
from urllib.parse import urlsplit

# -- No network, no ambient configuration -------------------------------------


def _no_network(*_args, **_kwargs):
    raise RuntimeError("generate.py must not use the network")


socket.socket.connect = _no_network
socket.socket.connect_ex = _no_network
socket.create_connection = _no_network
socket.getaddrinfo = _no_network


_KEEP = set()  # AWS_DATA_PATH, once `import awscli` has set it to its own data


def _clean_environment():
    for name in list(os.environ):
        if name.startswith("AWS_") and name not in _KEEP or name == "KUBERNETES_EXEC_INFO":
            del os.environ[name]
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


_clean_environment()

import awscli  # noqa: E402
import awscli.clidriver  # noqa: E402
import awscli.customizations.eks.get_token as eks_get_token  # noqa: E402
import boto3  # noqa: E402
import botocore  # noqa: E402
import botocore.auth  # noqa: E402
import botocore.session  # noqa: E402

_KEEP.add("AWS_DATA_PATH")

# -- Fixed inputs -------------------------------------------------------------

ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
# Made up, with the characters that need query encoding (/ + =).
SESSION_TOKEN = (
    "FwoGZXIvYXdzEXAMPLE//////////wEaDEXAMPLETOKENk8s+rds/iam+AUTH"
    "testVALUE1234567890abcdefEXAMPLE=="
)

DEFAULT_TIME = "20260524T120000Z"

_now = [None]  # the signing time in force, a naive UTC datetime


def _fixed_now(remove_tzinfo=True):
    t = _now[0]
    if t is None:
        raise RuntimeError("no signing time set")
    return t if remove_tzinfo else t.replace(tzinfo=datetime.timezone.utc)


botocore.auth.get_current_datetime = _fixed_now
eks_get_token.get_current_datetime = _fixed_now


@contextlib.contextmanager
def signing_time(amz_date):
    _now[0] = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    try:
        yield
    finally:
        _now[0] = None


def boto3_session(token):
    return boto3.session.Session(
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
        aws_session_token=SESSION_TOKEN if token else None,
    )


# -- RDS ----------------------------------------------------------------------

RDS = []


def rds(name, description, *, region, hostname, port, username, token=False,
        time=DEFAULT_TIME):
    with signing_time(time):
        # The client's own region is unrelated on purpose: Region= decides.
        client = boto3_session(token).client("rds", region_name="us-east-1")
        value = client.generate_db_auth_token(
            DBHostname=hostname, Port=port, DBUsername=username, Region=region)
    RDS.append({
        "name": name,
        "description": description,
        "region": region,
        "hostname": hostname,
        "port": port,
        "username": username,
        "session_token": token,
        "signing_time": time,
        "boto3_call": (
            f"boto3 rds client.generate_db_auth_token(DBHostname={hostname!r}, "
            f"Port={port}, DBUsername={username!r}, Region={region!r})"),
        "token": value,
    })


rds("basic", "PostgreSQL instance, no session token",
    region="us-east-1",
    hostname="mydb.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com",
    port=5432, username="app")
rds("aurora-mysql-session-token", "Aurora MySQL cluster endpoint, with a session token",
    region="eu-west-1",
    hostname="prod.cluster-c9d8e7f6a5b4.eu-west-1.rds.amazonaws.com",
    port=3306, username="admin", token=True)
rds("username-space-at", "a user name needing percent-encoding (space, @)",
    region="ap-southeast-2",
    hostname="reporting.cxyz12345678.ap-southeast-2.rds.amazonaws.com",
    port=3306, username="app user@x", token=True)
rds("username-punctuation", "a user name with + / = : ~ . _ - (only ~ . _ - stay literal)",
    region="us-west-2",
    hostname="analytics.c0ffee123456.us-west-2.rds.amazonaws.com",
    port=5432, username="jane.doe+ro/a=b:c~d_e-f")
rds("username-utf8", "a non-ASCII user name (UTF-8, percent-encoded)",
    region="eu-central-1",
    hostname="db.cabcdef12345.eu-central-1.rds.amazonaws.com",
    port=5433, username="jürgen_ü")
rds("rds-proxy-other-time", "an RDS Proxy endpoint, another signing time (end of a year)",
    region="ca-central-1",
    hostname="my-proxy.proxy-c1d2e3f4a5b6.ca-central-1.rds.amazonaws.com",
    port=5432, username="svc", token=True, time="20251231T235959Z")
rds("port-443", "port 443: botocore keeps :443 in the token but signs host without it"
    " (the default https port)",
    region="us-east-1",
    hostname="db443.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com",
    port=443, username="app")
rds("uppercase-hostname", "an upper-case host name: botocore keeps it in the token but"
    " signs the lower-cased host",
    region="us-east-1",
    hostname="MyDB.C1A2B3C4D5E6.us-east-1.rds.amazonaws.com",
    port=5432, username="app")

# -- EKS ----------------------------------------------------------------------

EKS = []


def run_cli(argv, env):
    """Runs `aws ARGV` in-process with the given extra environment; returns
    its stdout."""
    _clean_environment()
    os.environ.update(env)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            rc = awscli.clidriver.create_clidriver().main(argv)
    finally:
        _clean_environment()
    if rc != 0:
        raise RuntimeError(f"aws {' '.join(argv)} exited with {rc}")
    return out.getvalue()


def eks_with_boto3(region, cluster, token, sts_regional_endpoints):
    """What `aws eks get-token` does, redone with boto3."""
    session = botocore.session.get_session()
    session.set_config_variable("sts_regional_endpoints", sts_regional_endpoints)
    sts = boto3.session.Session(
        botocore_session=session,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
        aws_session_token=SESSION_TOKEN if token else None,
    ).client("sts", region_name=region)

    def keep_header_param(params, context, **_):
        if "x-k8s-aws-id" in params:
            context["x-k8s-aws-id"] = params.pop("x-k8s-aws-id")

    def add_header(request, **_):
        if "x-k8s-aws-id" in request.context:
            request.headers["x-k8s-aws-id"] = request.context["x-k8s-aws-id"]

    sts.meta.events.register("provide-client-params.sts.GetCallerIdentity",
                             keep_header_param)
    sts.meta.events.register("before-sign.sts.GetCallerIdentity", add_header)
    url = sts.generate_presigned_url(
        "get_caller_identity", Params={"x-k8s-aws-id": cluster},
        ExpiresIn=60, HttpMethod="GET")
    encoded = base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
    return "k8s-aws-v1." + encoded


def eks(name, description, *, region, cluster, token=False, time=DEFAULT_TIME,
        sts_regional_endpoints="regional", option="--cluster-name"):
    env = {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        "AWS_STS_REGIONAL_ENDPOINTS": sts_regional_endpoints,
    }
    if token:
        env["AWS_SESSION_TOKEN"] = SESSION_TOKEN
    argv = ["eks", "get-token", option, cluster, "--region", region, "--output", "json"]
    with signing_time(time):
        output = json.loads(run_cli(argv, env))
        again = eks_with_boto3(region, cluster, token, sts_regional_endpoints)
    value = output["status"]["token"]
    if value != again:
        raise RuntimeError(f"{name}: the CLI and the boto3 re-implementation differ")
    url = base64.urlsafe_b64decode(
        value[len("k8s-aws-v1."):] + "=" * (-len(value) % 4)).decode()
    EKS.append({
        "name": name,
        "description": description,
        "region": region,
        "cluster": cluster,
        "session_token": token,
        "signing_time": time,
        "sts_regional_endpoints": sts_regional_endpoints,
        "sts_host": urlsplit(url).netloc,
        "command": (
            "AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... "
            + ("AWS_SESSION_TOKEN=... " if token else "")
            + f"AWS_STS_REGIONAL_ENDPOINTS={sts_regional_endpoints} aws "
            + " ".join(argv)),
        "api_version": output["apiVersion"],
        "expiration_timestamp": output["status"]["expirationTimestamp"],
        "url": url,
        "token": value,
    })


eks("basic", "regional STS endpoint, no session token",
    region="us-west-2", cluster="prod")
eks("us-east-1-session-token", "us-east-1 with the regional endpoint (sts.us-east-1),"
    " with a session token",
    region="us-east-1", cluster="my-cluster", token=True)
eks("long-name-other-time", "a long cluster name with - and _, another signing time",
    region="eu-central-1", cluster="Team_A-staging-cluster-0123456789", token=True,
    time="20251231T235959Z")
eks("cluster-id", "--cluster-id (an Outposts local cluster's id) instead of --cluster-name",
    region="ap-northeast-1", cluster="0e3f7a2b-1c4d-4e5f-8a9b-0c1d2e3f4a5b",
    option="--cluster-id")
eks("global-endpoint", "AWS_STS_REGIONAL_ENDPOINTS=legacy in us-east-1: the global"
    " endpoint sts.amazonaws.com, signed for us-east-1",
    region="us-east-1", cluster="my-cluster", token=True,
    sts_regional_endpoints="legacy")
eks("china", "a China region: sts.cn-north-1.amazonaws.com.cn",
    region="cn-north-1", cluster="prod")

# -- Output -------------------------------------------------------------------

DOCUMENT = {
    "generator": {
        "script": "tests/vectors/boto3-tokens/generate.py",
        "python": sys.version.split()[0],
        "boto3": boto3.__version__,
        "botocore": botocore.__version__,
        "awscli": awscli.__version__,
    },
    "credentials": {
        "access_key_id": ACCESS_KEY_ID,
        "secret_access_key": SECRET_ACCESS_KEY,
        "session_token": SESSION_TOKEN,
    },
    "rds": RDS,
    "eks": EKS,
}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tokens.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(DOCUMENT, f, indent=2, ensure_ascii=False)
    f.write("\n")
print(f"wrote {len(RDS)} RDS and {len(EKS)} EKS tokens to {path}")
