//! Date parsing: anything that parses formats back to the same text, and
//! errors name the expected format without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use presign::{ScopeDate, SigningTime};

fuzz_target!(|text: &str| {
    match SigningTime::parse_amz_date(text) {
        Ok(t) => {
            assert_eq!(t.amz_date().as_str(), text);
            assert_eq!(
                SigningTime::from_unix_timestamp(t.unix_timestamp()).unwrap(),
                t
            );
        }
        Err(e) => assert!(e.to_string().contains("YYYYMMDDTHHMMSSZ")),
    }
    match ScopeDate::parse(text) {
        Ok(d) => assert_eq!(d.to_string(), text),
        Err(e) => assert!(e.to_string().contains("YYYYMMDD")),
    }
    // Any 8 bytes as a Unix time: in range, it round-trips.
    if let Ok(bytes) = <[u8; 8]>::try_from(text.as_bytes().get(..8).unwrap_or_default()) {
        let unix = i64::from_le_bytes(bytes) % 400_000_000_000;
        if let Ok(t) = SigningTime::from_unix_timestamp(unix) {
            assert_eq!(t.unix_timestamp(), unix);
            assert_eq!(
                SigningTime::parse_amz_date(t.amz_date().as_str()).unwrap(),
                t
            );
        }
    }
});
