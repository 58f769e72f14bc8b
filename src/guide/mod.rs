//! Guides: the long-form documentation, rendered here on docs.rs (the README
//! keeps the quickstart). Each is a module with no items, only text.
//!
//! | guide | for |
//! |---|---|
//! | [`how_it_works`] | the SigV4 pipeline, module by module; one presign through the code; the rules (paths, query, headers, tokens, expiry, endpoints) |
//! | [`verifying`] | what the verifier checks and leaves to you; `http::Request`s; the gateway and command-line examples |
//! | [`security`] | handing out presigned URLs safely; how secrets are kept |
//! | [`performance`] | signing, verifying and streaming beside their floors; what the crate costs a build |
//! | [`bad_input`] | every bad input and the typed error it gets |
//! | [`testing`] | what the test suite checks, and against what |
//! | [`fuzzing`] | the fuzz targets and their properties |
//!
//! The cargo features are in the [crate docs](crate#cargo-features).

#[doc = include_str!("how_it_works.md")]
pub mod how_it_works {}

#[doc = include_str!("verifying.md")]
pub mod verifying {}

#[doc = include_str!("security.md")]
pub mod security {}

#[doc = include_str!("performance.md")]
pub mod performance {}

#[doc = include_str!("bad_input.md")]
pub mod bad_input {}

#[doc = include_str!("testing.md")]
pub mod testing {}

#[doc = include_str!("fuzzing.md")]
pub mod fuzzing {}
