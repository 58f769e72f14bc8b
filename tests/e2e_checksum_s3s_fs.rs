//! End to end: presigned PUTs bound to a checksum
//! ([`presign::s3::ObjectRequest::checksum`]), sent to the in-process S3
//! server (s3s + s3s-fs on 127.0.0.1, see `tests/s3s_fs/mod.rs`).
//!
//! s3s-fs 0.14 checks a PutObject body against every `x-amz-checksum-*`
//! header (CRC32, CRC32C, CRC64/NVME, SHA-1, SHA-256) and answers
//! `BadDigest` on a mismatch (though it keeps the refused body on disk,
//! where S3 stores nothing). It does not check checksums on UploadPart, so
//! UploadPart is covered by the botocore vectors only.

mod s3s_fs;

use presign::{Checksum, ChecksumAlgorithm};
use s3s_fs::{assert_error, assert_object, assert_status, call, server_with_bucket};

#[test]
fn a_put_bound_to_a_checksum_stores_that_body_only() {
    let (server, bucket) = server_with_bucket("checksums");
    let body = b"id,total\n1,42\n";
    let other = b"id,total\n1,43\n";
    for algorithm in ChecksumAlgorithm::ALL {
        let checksum = Checksum::compute(algorithm, body).expect("non-empty");
        let key = format!("{}.csv", algorithm.name());

        // Another body of the same length: S3 (and s3s-fs) refuse it.
        let put = bucket.put_object(&key).checksum(&checksum);
        let r = call(&server, &put, other);
        assert_error(
            &r,
            400,
            "BadDigest",
            &format!("PUT {key} with another body"),
        );
        // s3s-fs writes the file before it compares the checksum and
        // leaves it there (S3 stores nothing), so no assert_no_object here.

        // The body it was computed from is stored.
        let r = call(&server, &put, body);
        assert_status(&r, 200, &format!("PUT {key}"));
        assert_object(&server, &bucket, &key, body);
    }
}

#[test]
fn an_empty_body_checksum_uploads_an_empty_object_only() {
    let (server, bucket) = server_with_bucket("empty-checksum");
    let empty = Checksum::of_empty_body(ChecksumAlgorithm::Crc32c);
    let put = bucket.put_object("empty.txt").checksum(&empty);
    let r = call(&server, &put, b"");
    assert_status(&r, 200, "PUT an empty object");
    assert_object(&server, &bucket, "empty.txt", b"");
}
