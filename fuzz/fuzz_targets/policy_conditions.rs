//! POST policy conditions: whatever parses serializes to JSON that parses
//! back to the same condition, and a policy document parses without
//! panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use presign::s3::{Condition, parse_policy_conditions};

fuzz_target!(|input: &str| {
    if let Ok(c) = Condition::from_json(input) {
        let json = c.to_string();
        assert!(json.is_ascii());
        assert_eq!(Condition::from_json(&json).unwrap(), c);
    }
    if let Ok(conditions) = parse_policy_conditions(input) {
        for c in conditions {
            assert_eq!(Condition::from_json(&c.to_string()).unwrap(), c);
        }
    }
});
