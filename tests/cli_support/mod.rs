//! Running the command-line tools (feature `cli`) and the example binaries
//! as real processes, for the contract tests.
//!
//! Cargo builds the tools before it runs the integration tests and names
//! them in `CARGO_BIN_EXE_*`; `cargo test` builds the examples too, into
//! `target/<profile>/examples/`.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// AWS's published example credentials (S3 documentation).
pub const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// The path of a command-line tool, by its name or by its example-era name
/// (`presign_post`, `verify`, `sign_request`). `None` for an example.
pub fn tool_binary(name: &str) -> Option<PathBuf> {
    let path = match name {
        "presign" => option_env!("CARGO_BIN_EXE_presign"),
        "presign-post" | "presign_post" => option_env!("CARGO_BIN_EXE_presign-post"),
        "presign-verify" | "verify" => option_env!("CARGO_BIN_EXE_presign-verify"),
        "presign-sign-request" | "sign_request" => {
            option_env!("CARGO_BIN_EXE_presign-sign-request")
        }
        _ => return None,
    };
    Some(PathBuf::from(path.unwrap_or_else(|| {
        panic!("the {name} tool is built with the `cli` feature: cargo test --all-features")
    })))
}

/// The path of an example binary (or of a tool, by name).
pub fn example_binary(name: &str) -> PathBuf {
    if let Some(tool) = tool_binary(name) {
        return tool;
    }
    // target/<profile>/deps/TEST-HASH -> target/<profile>/examples/NAME
    let mut path = std::env::current_exe().expect("test binary path");
    path.pop();
    path.pop();
    path.push("examples");
    path.push(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run through `cargo test`, which builds the examples",
        path.display()
    );
    path
}

/// Runs example `name` with the example credentials, a clean AWS
/// environment, and `env` on top.
pub fn run_with_env(name: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(example_binary(name));
    cmd.args(args);
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_ACCESS_KEY_ID", AKID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run the example")
}

/// Asserts exit 0 and returns stdout (whole) and stderr.
pub fn ok(out: &Output) -> (String, String) {
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    assert!(stdout.ends_with('\n'), "stdout: {stdout:?}");
    (stdout, stderr)
}

/// Asserts exit 2, nothing on stdout and one line on stderr containing
/// `needle`.
pub fn fails(out: &Output, needle: &str) {
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(out.stdout.is_empty(), "stdout: {:?}", out.stdout);
    assert_eq!(stderr.lines().count(), 1, "stderr: {stderr:?}");
    assert!(
        stderr.contains(needle),
        "stderr {stderr:?} should mention {needle:?}"
    );
}
