//! Verification of arbitrary requests, given as HTTP/1.1 request text
//! (request line, then `Name:value` header lines) so that the AWS test
//! suite's signed requests seed the corpus. The verifier knows the suite's
//! credentials and clock, so seeds verify and the fuzzer explores from
//! there. Properties: no panic, the same answer twice, a verified request
//! names the only known key and stops verifying when an unsigned `x-amz-*`
//! header is added to it, and no error shows the secret.
#![no_main]

use libfuzzer_sys::fuzz_target;
use presign::verify::{ReceivedRequest, Verifier, VerifyError};
use presign::{Credentials, PathMode, Service, SigningTime};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let Some(request_line) = lines.next() else {
        return;
    };
    let mut words = request_line.splitn(3, ' ');
    let (Some(method), Some(target)) = (words.next(), words.next()) else {
        return;
    };
    let mut request = ReceivedRequest::new(method, target);
    for line in lines.take_while(|l| !l.is_empty()) {
        if let Some((name, value)) = line.split_once(':') {
            request = request.header(name, value);
        }
    }
    let creds = Credentials::new("AKIDEXAMPLE", SECRET).unwrap();
    let verifier =
        Verifier::new(move |id: &str| (id == creds.access_key_id()).then(|| creds.clone()))
            .service(Service::new("service").unwrap())
            .path_mode(PathMode::Standard);
    let now = SigningTime::parse_amz_date("20150830T123600Z").unwrap();
    for presigned in [true, false] {
        let verify = |request: &ReceivedRequest<'_>| {
            if presigned {
                verifier.verify_presigned(request, now).map(|_| ())
            } else {
                verifier.verify_authorization(request, now).map(|_| ())
            }
        };
        let result = if presigned {
            verifier.verify_presigned(&request, now)
        } else {
            verifier.verify_authorization(&request, now)
        };
        match result {
            Ok(v) => {
                assert_eq!(v.access_key_id(), "AKIDEXAMPLE");
                // The gate: any x-amz-* header the signature does not cover
                // makes the request fail, whatever its case.
                for name in ["x-amz-copy-source", "X-Amz-Acl", "x-AMZ-fuzz"] {
                    if v.signed_headers().contains(name) {
                        continue;
                    }
                    let tampered = request.clone().header(name, "x");
                    assert_eq!(
                        verify(&tampered),
                        Err(VerifyError::UnsignedHeader {
                            name: name.to_ascii_lowercase()
                        }),
                        "{name}"
                    );
                }
            }
            Err(e) => {
                let shown = format!("{e} {e:?}");
                assert!(!shown.contains(SECRET), "{shown}");
            }
        }
    }
    assert_eq!(
        verifier.verify_presigned(&request, now),
        verifier.verify_presigned(&request, now)
    );
});
