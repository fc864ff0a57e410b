//! The `[limits]` and `[consultations]` sections of the node configuration, with their
//! defaults (documented in `config/node-a.toml`).

use std::time::Duration;

use serde::Deserialize;

use super::humantime_serde;

/// Consultations (`fedctl consult`). No regime publishes a reply deadline: it is ours to set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsultationsConfig {
    /// How long the denying authority is given to reply, counted from the opening (the
    /// clock stands still while information it requested is awaited).
    #[serde(with = "humantime_serde")]
    pub reply_within: Duration,
}

impl Default for ConsultationsConfig {
    fn default() -> Self {
        ConsultationsConfig {
            reply_within: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest encoded record accepted.
    pub max_record_bytes: usize,
    /// Largest gRPC message, either direction.
    pub max_message_bytes: usize,
    /// Records per replication batch and per batch put.
    pub batch_records: usize,
    /// Records per second accepted from one peer; a faster peer is slowed down by
    /// flow control (we stop reading its stream), so no peer can monopolise the node.
    pub peer_records_per_second: u32,
    /// sled's page cache: most of the store's memory (docs/operations.md).
    pub store_cache_bytes: u64,
    /// Open client connections, at most (handshakes in progress are bounded apart).
    pub max_connections: usize,
    /// Of `max_connections`, how many only our own operators may take, so callers of
    /// other agencies cannot lock them out.
    pub operator_connections: usize,
    /// Open connections one identity (an agency's node, or its operators) may hold, our
    /// own operators excepted.
    pub connections_per_identity: usize,
    /// A connection that has not started a call this long after its TLS handshake is
    /// closed (a silent client holds no slot).
    #[serde(with = "humantime_serde")]
    pub first_call_timeout: Duration,
    /// A connection with no call in progress for this long is closed. Replication links
    /// keep their stream open, so they are never idle.
    #[serde(with = "humantime_serde")]
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_record_bytes: 64 * 1024,
            max_message_bytes: 8 * 1024 * 1024,
            batch_records: 512,
            peer_records_per_second: 50_000,
            store_cache_bytes: crate::store::DEFAULT_CACHE_BYTES,
            max_connections: 512,
            operator_connections: 64,
            connections_per_identity: 32,
            first_call_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(120),
        }
    }
}
