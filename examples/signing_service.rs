//! `signing_service`: a small HTTP service that hands out presigned S3
//! links to authenticated callers, each confined to its own prefix
//! `users/USER/`. The routes are in `signing_service/service.rs`.
//!
//! ```text
//! AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... SIGNING_SERVICE_BUCKET=my-bucket \
//!   cargo run --example signing_service
//! curl -s -X POST http://127.0.0.1:3000/uploads -H 'Authorization: Bearer alice-token' \
//!   -H 'Content-Type: application/json' \
//!   -d '{"filename": "notes.txt", "size": 12, "content_type": "text/plain"}'
//! ```
//!
//! Configuration, from the environment:
//!
//! | variable | default |
//! |---|---|
//! | `SIGNING_SERVICE_BUCKET` | `uploads` |
//! | `AWS_REGION`, then `AWS_DEFAULT_REGION` | `us-east-1` |
//! | `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL` | AWS's regional endpoint |
//! | `SIGNING_SERVICE_LISTEN` | `127.0.0.1:3000` |
//! | `SIGNING_SERVICE_EXPIRES_IN` (seconds) | `300` |
//! | `SIGNING_SERVICE_MAX_SIZE` (bytes) | `10485760` |
//! | `SIGNING_SERVICE_TOKENS` (`TOKEN=USER,...`) | `alice-token=alice,bob-token=bob` (a demo) |
//!
//! Credentials come from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
//! `AWS_SESSION_TOKEN` ([`EnvironmentProvider`]), read for every signature;
//! a production service would use a [`presign::provider::CachingProvider`]
//! around its role's temporary credentials. The token table stands in for
//! real authentication. Bad configuration prints one line on stderr and
//! exits with status 2.

#[path = "signing_service/service.rs"]
mod service;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use presign::provider::{EnvironmentProvider, ProvideCredentials};
use presign::s3::{Bucket, Endpoint};
use presign::{Region, SigningTime};

const DEMO_TOKENS: &str = "alice-token=alice,bob-token=bob";

/// A variable's value, if set and not empty.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn number(name: &str, default: u64) -> Result<u64, String> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("{name} must be a positive integer, not {v:?}")),
    }
}

fn config() -> Result<(service::Config, SocketAddr, bool), String> {
    let name = var("SIGNING_SERVICE_BUCKET").unwrap_or_else(|| "uploads".to_owned());
    let region = var("AWS_REGION")
        .or_else(|| var("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| "us-east-1".to_owned());
    let region = Region::new(region).map_err(|e| format!("region: {e}"))?;
    let mut bucket = Bucket::new(name, region).map_err(|e| format!("bucket: {e}"))?;
    if let Some(url) = var("AWS_ENDPOINT_URL_S3").or_else(|| var("AWS_ENDPOINT_URL")) {
        bucket = Endpoint::custom(&url)
            .and_then(|endpoint| bucket.endpoint(endpoint))
            .map_err(|e| format!("endpoint {url:?}: {e}"))?;
    }

    let listen = var("SIGNING_SERVICE_LISTEN").unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let listen: SocketAddr = listen
        .parse()
        .map_err(|_| format!("SIGNING_SERVICE_LISTEN must be IP:PORT, not {listen:?}"))?;

    let mut config = service::Config::new(bucket);
    let expires_in = number(
        "SIGNING_SERVICE_EXPIRES_IN",
        service::DEFAULT_EXPIRES_IN.as_secs(),
    )?;
    config.expires_in = Duration::from_secs(expires_in);
    config.max_size = number("SIGNING_SERVICE_MAX_SIZE", service::DEFAULT_MAX_SIZE)?;

    let tokens = var("SIGNING_SERVICE_TOKENS");
    let demo = tokens.is_none();
    for entry in tokens.as_deref().unwrap_or(DEMO_TOKENS).split(',') {
        let (token, user) = entry
            .split_once('=')
            .filter(|(token, user)| !token.is_empty() && service::valid_user_id(user))
            .ok_or("SIGNING_SERVICE_TOKENS must be TOKEN=USER,... (USER: A-Z a-z 0-9 - _)")?;
        config = config.token(token, user);
    }
    Ok((config, listen, demo))
}

fn run() -> Result<(), String> {
    let (config, listen, demo) = config()?;
    let provider = EnvironmentProvider;
    // Fail now rather than on the first request.
    provider
        .credentials(SigningTime::now())
        .map_err(|e| format!("credentials: {e}"))?;
    if demo {
        eprintln!("signing_service: SIGNING_SERVICE_TOKENS is not set; using the demo tokens");
    }
    let bucket = config.bucket.base_url();
    let app = service::app(config, provider);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start tokio: {e}"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        eprintln!("signing_service: signing for {bucket}, listening on http://{listen}");
        axum::serve(listener, app)
            .await
            .map_err(|e| format!("server: {e}"))
    })
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("signing_service: {message}");
            ExitCode::from(2)
        }
    }
}
