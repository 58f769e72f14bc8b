//! `eks_token`: print an EKS cluster token, the `status.token` of
//! `aws eks get-token --cluster-name CLUSTER` (a presigned STS
//! `GetCallerIdentity` URL for the regional endpoint, valid for 60 seconds).
//!
//! ```text
//! AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//!   cargo run --example eks_token -- my-cluster --region us-west-2
//! ```
//!
//! Credentials come from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, if
//! set, `AWS_SESSION_TOKEN`; the region from `--region`, then `$AWS_REGION`,
//! then `$AWS_DEFAULT_REGION`. Nothing is sent anywhere. Bad input prints one
//! line on stderr and exits with status 2.

#[path = "../src/bin/common/cli.rs"]
mod cli;

use std::process::ExitCode;

use presign::SigningTime;
use presign::provider::{EnvironmentProvider, ProvideCredentials};
use presign::tokens::eks_token;

const USAGE: &str = "\
usage: eks_token CLUSTER [--region REGION]
credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, and AWS_SESSION_TOKEN if set";

fn run() -> Result<Option<String>, String> {
    let Some((positional, region)) = cli::positional_and_region(std::env::args().skip(1))? else {
        return Ok(None);
    };
    let [cluster] = <[String; 1]>::try_from(positional).map_err(|_| "expected one CLUSTER")?;
    if cluster.is_empty() {
        return Err("CLUSTER must not be empty".into());
    }
    let now = SigningTime::now();
    let creds = EnvironmentProvider
        .credentials(now)
        .map_err(|e| e.to_string())?;
    eks_token(&creds, &region, &cluster, now)
        .map(Some)
        .map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    cli::main("eks_token", USAGE, run)
}
