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
//! around its role's temporary credentials, or the AWS SDK's chain.
//!
//! With the `aws-credential-types` feature
//! (`cargo run --features aws-credential-types --example signing_service`),
//! the service signs through `presign::aws_sdk::SdkCredentialsProvider`
//! instead: an SDK credentials provider behind a cache that a task on the
//! service's runtime refreshes ahead of expiry. The SDK provider here reads
//! the same three variables; a real service passes `aws-config`'s default
//! chain (environment, profiles, SSO, web identity, container and instance
//! roles) there, see `sdk_chain`.
//!
//! The token table stands in for real authentication. Bad configuration
//! prints one line on stderr and exits with status 2.

#[path = "signing_service/service.rs"]
mod service;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

#[cfg(not(feature = "aws-credential-types"))]
use presign::provider::EnvironmentProvider;
use presign::provider::ProvideCredentials;
use presign::s3::{Bucket, Endpoint};
use presign::{Region, SigningTime};
use tokio::runtime::Runtime;

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

/// The credentials the service signs with: the environment's, read for
/// every signature.
#[cfg(not(feature = "aws-credential-types"))]
fn provider(_runtime: &Runtime) -> Result<impl ProvideCredentials + 'static, String> {
    Ok(EnvironmentProvider)
}

/// The SDK provider to sign with. A stand-in for `aws-config`, which this
/// crate does not depend on; with it, the whole AWS chain is:
///
/// ```text
/// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// config.credentials_provider().expect("a credentials provider")
/// ```
#[cfg(feature = "aws-credential-types")]
fn sdk_chain() -> aws_credential_types::provider::SharedCredentialsProvider {
    use aws_credential_types::provider::error::CredentialsError;
    aws_credential_types::provider::SharedCredentialsProvider::new(
        aws_credential_types::credential_fn::provide_credentials_fn(|| async {
            let id = var("AWS_ACCESS_KEY_ID")
                .ok_or_else(|| CredentialsError::not_loaded("AWS_ACCESS_KEY_ID is not set"))?;
            let secret = var("AWS_SECRET_ACCESS_KEY")
                .ok_or_else(|| CredentialsError::not_loaded("AWS_SECRET_ACCESS_KEY is not set"))?;
            let token = var("AWS_SESSION_TOKEN");
            Ok(aws_credential_types::Credentials::new(
                id,
                secret,
                token,
                None,
                "environment",
            ))
        }),
    )
}

/// The credentials the service signs with: the SDK chain's, cached, and
/// refreshed ahead of expiry by a task on the service's runtime.
#[cfg(feature = "aws-credential-types")]
fn provider(runtime: &Runtime) -> Result<impl ProvideCredentials + 'static, String> {
    use presign::aws_sdk::SdkCredentialsProvider;
    use std::sync::Arc;

    let provider = Arc::new(SdkCredentialsProvider::new(sdk_chain()));
    runtime
        .block_on(provider.refresh(SigningTime::now()))
        .map_err(|e| format!("credentials: {e}"))?;
    runtime.spawn(Arc::clone(&provider).refresh_loop(SigningTime::now, tokio::time::sleep));
    Ok(provider)
}

fn run() -> Result<(), String> {
    let (config, listen, demo) = config()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start tokio: {e}"))?;
    let provider = provider(&runtime)?;
    // Fail now rather than on the first request.
    provider
        .credentials(SigningTime::now())
        .map_err(|e| format!("credentials: {e}"))?;
    if demo {
        eprintln!("signing_service: SIGNING_SERVICE_TOKENS is not set; using the demo tokens");
    }
    let bucket = config.bucket.base_url();
    let app = service::app(config, provider);

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
