//! Arbitrary text as a node's TOML config: parsing, validation, and what the node derives
//! from a valid config at start (see `fedx_fuzz::config`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fedx_fuzz::config::run(data);
});
