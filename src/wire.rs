//! Names as they travel on the wire, spelled once: the headers, query
//! parameters and POST form fields SigV4 defines, and the services that
//! follow S3's rules.

/// Whether S3's rules apply to `service`: `s3`, `s3express`, `s3-outposts`
/// and `s3-object-lambda` (the path is encoded once and never normalized,
/// requests carry `x-amz-content-sha256`, presigned URLs sign
/// `UNSIGNED-PAYLOAD`). The one place that decides it.
pub(crate) fn is_s3_like(service: &str) -> bool {
    matches!(
        service,
        "s3" | "s3express" | "s3-outposts" | "s3-object-lambda"
    )
}
