#!/usr/bin/env bash
# What a default `cargo add` of presign costs a user's build, beside rusty-s3
# and aws-sdk-s3: for each, a scratch binary crate in a temporary folder that
# presigns one GET, then
#   - the crates in its normal dependency graph (cargo tree -e normal), and
#     the crates compiled for it (normal and build dependencies, proc macros);
#   - the wall time of a clean `cargo build --release`, dependencies already
#     downloaded (`cargo fetch` first), RUNS times (default 2);
# and checks that the binary prints a presigned URL. The scratch crates have
# no rust-version: cargo picks the newest releases the toolchain builds.
# Needs the crates.io registry. Prints a Markdown table.
#
#   benches/footprint.sh            # all four
#   RUNS=1 benches/footprint.sh presign rusty-s3
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-2}
scratch=$(mktemp -d /tmp/presign-footprint.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(presign presign-aws-credential-types rusty-s3 aws-sdk-s3)

make_crate() { # name, dependencies (TOML lines), main.rs
  mkdir -p "$scratch/$1/src"
  printf '[package]\nname = "footprint-%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n[workspace]\n\n[dependencies]\n%s\n' \
    "$1" "$2" > "$scratch/$1/Cargo.toml"
  printf '%s\n' "$3" > "$scratch/$1/src/main.rs"
}

for case in "${cases[@]}"; do
  case $case in
  presign | presign-aws-credential-types)
    features=""
    [ "$case" = presign ] || features=', features = ["aws-credential-types"]'
    make_crate "$case" "presign = { path = \"$repo\"$features }" '
use std::time::Duration;
fn main() -> Result<(), presign::Error> {
    let creds = presign::Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
    let bucket = presign::s3::Bucket::new("examplebucket", presign::Region::new("us-east-1")?)?;
    let url = bucket.get_object("cat.jpg").presign(&creds, presign::SigningTime::now(), Duration::from_secs(600))?;
    println!("{}", url.as_str());
    Ok(())
}' ;;
  rusty-s3)
    make_crate "$case" 'rusty-s3 = "0.11"' '
use std::time::Duration;
use rusty_s3::S3Action as _;
fn main() {
    let bucket = rusty_s3::Bucket::new("https://s3.us-east-1.amazonaws.com".parse().unwrap(),
        rusty_s3::UrlStyle::VirtualHost, "examplebucket", "us-east-1").unwrap();
    let creds = rusty_s3::Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    println!("{}", bucket.get_object(Some(&creds), "cat.jpg").sign(Duration::from_secs(600)));
}' ;;
  aws-sdk-s3)
    # The SDK presigns in an async call; tokio is already in its graph.
    make_crate "$case" $'aws-sdk-s3 = "1"\ntokio = { version = "1", features = ["rt", "time"] }' '
use std::time::Duration;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::presigning::PresigningConfig;
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None, None, "example"))
        .build();
    let client = aws_sdk_s3::Client::from_conf(config);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
    let request = runtime.block_on(client.get_object().bucket("examplebucket").key("cat.jpg")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(600))?))?;
    println!("{}", request.uri());
    Ok(())
}' ;;
  *) echo "unknown case $case" >&2; exit 2 ;;
  esac
done

echo "| crate (default features) | crates in the dependency graph | crates compiled | clean release build, s (each run) |"
echo "|---|--:|--:|---|"
for case in "${cases[@]}"; do
  dir="$scratch/$case"
  (cd "$dir" && cargo generate-lockfile -q && cargo fetch -q)
  # Unique packages, less the scratch crate itself.
  count() { (cd "$dir" && cargo tree -q -e "$1" --prefix none | sed 's/ (\*)$//; s/ (proc-macro)$//' | sort -u | grep -vc '^footprint-'); }
  normal=$(count normal)
  compiled=$(count normal,build)
  times=()
  for _ in $(seq "$runs"); do
    rm -rf "$dir/target"
    start=$(date +%s.%N)
    (cd "$dir" && CARGO_TARGET_DIR="$dir/target" cargo build -q --release)
    end=$(date +%s.%N)
    times+=("$(printf '%.0f' "$(echo "$end - $start" | bc)")")
  done
  top=$(cd "$dir" && cargo tree -q -e normal --depth 1 --prefix none | sed -n 2p | sed 's/ (.*//')
  echo "| $case ($top) | $normal | $compiled | $(IFS=/; echo "${times[*]}") |"
  # The binary must work: it prints a presigned URL.
  (cd "$dir" && CARGO_TARGET_DIR="$dir/target" cargo run -q --release | grep -q 'X-Amz-Signature=') \
    || { echo "$case: the scratch binary did not print a presigned URL" >&2; exit 1; }
done
