//! Offline bundles: records carried by hand to a node with no connection to ours. The
//! receiver's want file says what it holds; the sender writes what that agency may read
//! and lacks, as the authors' signed envelopes, under a header its node signs; the
//! receiver admits them exactly as replication does. The file format is in
//! docs/bundles.md; the RPCs are in `api/bundle.rs`.

pub mod export;
pub mod format;
pub mod import;
