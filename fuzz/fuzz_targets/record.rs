//! Arbitrary bytes as a wire `SignedRecord` from a peer: decoding, signature verification
//! and full admission against a fixed three-agency federation (see `fedx_fuzz::record`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fedx_fuzz::record::run(data);
});
