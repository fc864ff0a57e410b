//! The baseline benchmarks report against: single-core `verify_strict` of a realistic
//! signed denial, through a node's keyring, measured in the same run as what it scales.

use std::time::Instant;

use fedx::proto::*;
use prost::Message as _;

use super::{Federation, denial};

/// Verifications per second on one core, over `n` verifications.
pub fn verify_strict_per_second(fed: &Federation, n: usize) -> f64 {
    let files = &fed.pki.agencies[0];
    let signer = fedx::crypto::Signer::load(&files.signing_key, &files.signing_key_id).unwrap();
    let author = fed.agency(0).to_string();
    let record = Record {
        header: Some(RecordHeader {
            collection: "denials".into(),
            id: format!("{author}/1"),
            author: author.clone(),
            seq: 1,
            hlc: fedx::records::hlc::wall_clock(),
            key_id: files.signing_key_id.clone(),
            schema_version: 1,
            tombstone: false,
        }),
        body: Some(denial("BASELINE")),
    }
    .encode_to_vec();
    let signature = signer.sign(&record);
    let keyring = fed.configs[0].keyring().unwrap();
    let started = Instant::now();
    for _ in 0..n {
        keyring
            .verify(&author, &files.signing_key_id, 1, &record, &signature)
            .unwrap();
    }
    n as f64 / started.elapsed().as_secs_f64()
}
