//! Signs the AWS documentation's example requests and prints the results.
//!
//! ```text
//! cargo run --example sign_aws_examples
//! ```
//!
//! The credentials are AWS's published example keys: they are not real, and
//! nothing is sent anywhere. Each printed signature is the one the AWS
//! documentation gives for the same request.

use std::time::Duration;

use presign::{
    Credentials, Method, Payload, Region, Service, SignableRequest, SignatureLocation, Signer,
    SigningTime,
};

/// Prints a result beside the value AWS publishes for it.
fn check(what: &str, expected: &str, actual: &str, mismatches: &mut u32) {
    let verdict = if expected == actual {
        "ok"
    } else {
        *mismatches += 1;
        "MISMATCH"
    };
    println!("{what}: {actual} ({verdict}; AWS documents {expected})\n");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut mismatches = 0;
    // S3 API Reference, "Authenticating Requests: Using Query Parameters":
    // a presigned GET of examplebucket/test.txt, valid for 24 hours.
    let creds = Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )?;
    let s3 = Signer::new(Region::new("us-east-1")?, Service::s3());
    let time = SigningTime::parse_amz_date("20130524T000000Z")?;
    let host = "examplebucket.s3.amazonaws.com";
    let get = SignableRequest::new(Method::GET, host, "/test.txt").payload(Payload::Unsigned);
    let expires_in = Duration::from_secs(86_400);

    let location = SignatureLocation::Query { expires_in };
    println!("== S3 presigned GET (S3 API Reference example)");
    println!(
        "canonical request:\n{}\n",
        s3.canonical_request(&get, &creds, time, location)?.as_str()
    );
    println!(
        "string to sign:\n{}\n",
        s3.string_to_sign(&get, &creds, time, location)?
    );
    let presigned = s3.presign(&get, &creds, time, expires_in)?;
    println!("presigned URL:\nhttps://{host}{}\n", presigned.uri());
    check(
        "signature",
        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
        &presigned.signature().to_string(),
        &mut mismatches,
    );

    // S3 API Reference, "Signature Calculations for the Authorization Header":
    // GET /test.txt with a Range header, signed in headers.
    let s3_headers =
        Signer::new(Region::new("us-east-1")?, Service::s3()).sign_content_sha256(true);
    let ranged = SignableRequest::new(Method::GET, host, "/test.txt").header("Range", "bytes=0-9");
    let signed = s3_headers.sign_headers(&ranged, &creds, time)?;
    println!("== S3 GET with Range, Authorization header (S3 API Reference example)");
    for (name, value) in signed.iter() {
        println!("{name}: {value}");
    }
    check(
        "signature",
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        &signed.signature().to_string(),
        &mut mismatches,
    );

    // AWS General Reference: IAM ListUsers, signed in headers.
    let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")?;
    let iam = Signer::new(Region::new("us-east-1")?, Service::new("iam")?);
    let time = SigningTime::parse_amz_date("20150830T123600Z")?;
    let list_users = SignableRequest::new(
        Method::GET,
        "iam.amazonaws.com",
        "/?Action=ListUsers&Version=2010-05-08",
    )
    .header(
        "Content-Type",
        "application/x-www-form-urlencoded; charset=utf-8",
    );
    let signed = iam.sign_headers(&list_users, &creds, time)?;
    println!("== IAM ListUsers, Authorization header (AWS General Reference example)");
    for (name, value) in signed.iter() {
        println!("{name}: {value}");
    }
    check(
        "signature",
        "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        &signed.signature().to_string(),
        &mut mismatches,
    );
    if mismatches > 0 {
        return Err(format!("{mismatches} signature(s) differ from AWS's examples").into());
    }
    Ok(())
}
