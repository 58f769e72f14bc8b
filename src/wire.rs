//! Names as they travel on the wire, spelled once: the headers, query
//! parameters and POST form fields SigV4 defines, and the services that
//! follow S3's rules.
//!
//! Each name is a constant and a macro that expands to the same literal, so
//! that text built around a name (`&X-Amz-Signature=`) is put together at
//! compile time with `concat!` and still spells the name only here.

/// Defines, for each name, a `const` and a macro expanding to its literal.
macro_rules! names {
    ($($(#[$doc:meta])* $macro_name:ident, $const_name:ident = $text:literal;)*) => {
        $(
            $(#[$doc])*
            pub(crate) const $const_name: &str = $text;
            #[allow(unused_macros)]
            macro_rules! $macro_name {
                () => {
                    $text
                };
            }
            #[allow(unused_imports)]
            pub(crate) use $macro_name;
        )*
    };
}

names! {
    /// The signing algorithm's name.
    algorithm, ALGORITHM = "AWS4-HMAC-SHA256";
    /// The SigV4a signing algorithm's name (also the label of its key
    /// derivation).
    #[cfg_attr(not(feature = "sigv4a"), allow(dead_code))]
    algorithm_v4a, ALGORITHM_V4A = "AWS4-ECDSA-P256-SHA256";
    /// The payload hash of a payload that is not signed.
    unsigned_payload, UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
}

/// Headers, lowercase as canonical requests carry them. S3's POST form
/// fields `x-amz-date` and `x-amz-security-token` use the same spellings.
pub(crate) mod header {
    names! {
        /// The request's host.
        host, HOST = "host";
        /// Header signing's signature.
        authorization, AUTHORIZATION = "authorization";
        /// The signing time (also a POST form field).
        x_amz_date, X_AMZ_DATE = "x-amz-date";
        /// A session token (also a POST form field).
        x_amz_security_token, X_AMZ_SECURITY_TOKEN = "x-amz-security-token";
        /// An S3 Express One Zone session token (from `CreateSession`).
        x_amz_s3session_token, X_AMZ_S3SESSION_TOKEN = "x-amz-s3session-token";
        /// The payload's hash, or how the payload is signed.
        x_amz_content_sha256, X_AMZ_CONTENT_SHA256 = "x-amz-content-sha256";
        /// How the body is encoded (`aws-chunked` for a streaming upload).
        content_encoding, CONTENT_ENCODING = "content-encoding";
        /// The `content-encoding` of a streaming upload.
        aws_chunked, AWS_CHUNKED = "aws-chunked";
        /// A streaming upload's payload length, without the framing.
        x_amz_decoded_content_length, X_AMZ_DECODED_CONTENT_LENGTH = "x-amz-decoded-content-length";
        /// The header a streaming upload's trailer carries.
        x_amz_trailer, X_AMZ_TRAILER = "x-amz-trailer";
        /// The trailer line that signs a streaming upload's trailer.
        x_amz_trailer_signature, X_AMZ_TRAILER_SIGNATURE = "x-amz-trailer-signature";
        /// SigV4a's region set.
        x_amz_region_set, X_AMZ_REGION_SET = "x-amz-region-set";
        /// The access an S3 Express `CreateSession` asks for (`ReadWrite`,
        /// `ReadOnly`).
        x_amz_create_session_mode, X_AMZ_CREATE_SESSION_MODE = "x-amz-create-session-mode";
        /// The checksum algorithm an SDK used (`CRC32`, ..., `SHA256`).
        x_amz_sdk_checksum_algorithm, X_AMZ_SDK_CHECKSUM_ALGORITHM = "x-amz-sdk-checksum-algorithm";
    }
}

/// Query parameters of a presigned request.
pub(crate) mod query {
    names! {
        /// The algorithm.
        x_amz_algorithm, X_AMZ_ALGORITHM = "X-Amz-Algorithm";
        /// The access key id and scope.
        x_amz_credential, X_AMZ_CREDENTIAL = "X-Amz-Credential";
        /// The signing time.
        x_amz_date, X_AMZ_DATE = "X-Amz-Date";
        /// The expiry in seconds.
        x_amz_expires, X_AMZ_EXPIRES = "X-Amz-Expires";
        /// A session token.
        x_amz_security_token, X_AMZ_SECURITY_TOKEN = "X-Amz-Security-Token";
        /// An S3 Express One Zone session token (from `CreateSession`).
        x_amz_s3session_token, X_AMZ_S3SESSION_TOKEN = "X-Amz-S3session-Token";
        /// The signed header names.
        x_amz_signed_headers, X_AMZ_SIGNED_HEADERS = "X-Amz-SignedHeaders";
        /// The signature.
        x_amz_signature, X_AMZ_SIGNATURE = "X-Amz-Signature";
        /// A payload hash in the query (S3).
        x_amz_content_sha256, X_AMZ_CONTENT_SHA256 = "X-Amz-Content-Sha256";
        /// SigV4a's region set.
        x_amz_region_set, X_AMZ_REGION_SET = "X-Amz-Region-Set";
    }

    /// The parameters query signing writes itself, in canonical order.
    pub(crate) const SIGNER_WRITES: [&str; 8] = [
        X_AMZ_ALGORITHM,
        X_AMZ_CREDENTIAL,
        X_AMZ_DATE,
        X_AMZ_EXPIRES,
        X_AMZ_S3SESSION_TOKEN,
        X_AMZ_SECURITY_TOKEN,
        X_AMZ_SIGNED_HEADERS,
        X_AMZ_SIGNATURE,
    ];
}

/// S3 POST form fields the signer writes (besides `x-amz-date` and
/// `x-amz-security-token`, spelled as the headers).
pub(crate) mod form {
    names! {
        /// The algorithm.
        x_amz_algorithm, X_AMZ_ALGORITHM = "x-amz-algorithm";
        /// The access key id and scope.
        x_amz_credential, X_AMZ_CREDENTIAL = "x-amz-credential";
        /// The signature.
        x_amz_signature, X_AMZ_SIGNATURE = "x-amz-signature";
        /// The object key.
        key, KEY = "key";
        /// The policy document, base64.
        policy, POLICY = "policy";
        /// The file (the last field of the form).
        file, FILE = "file";
    }
}

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

#[cfg(test)]
mod tests {
    #[test]
    fn macros_spell_the_constants() {
        assert_eq!(
            super::query::x_amz_signature!(),
            super::query::X_AMZ_SIGNATURE
        );
        assert_eq!(
            concat!("&", super::query::x_amz_date!(), "="),
            "&X-Amz-Date="
        );
        assert_eq!(super::header::host!(), "host");
    }
}
