//! The `[limits]` and `[consultations]` sections of the node configuration, with their
//! defaults (documented in `config/node-a.toml`).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::humantime_serde;
use crate::licensing::Regime;

/// Consultations (`fedctl consult`). No regime publishes a reply deadline: it is ours to set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsultationsConfig {
    /// How long the denying authority is given to reply, counted from the opening (the
    /// clock stands still while information it requested is awaited).
    #[serde(with = "humantime_serde")]
    pub reply_within: Duration,
    /// Another window for consultations about items of a regime (`nsg = "60days"`),
    /// the regime read from the denied entries' codes (`licensing::regime`).
    pub reply_within_by_regime: BTreeMap<Regime, Window>,
}

/// A reply window as the configuration writes it (humantime: "30days").
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Window(#[serde(with = "humantime_serde")] pub Duration);

impl ConsultationsConfig {
    /// How long the denier is given to reply about denials of these control-list entries:
    /// the longest window among them, each entry's being its regime's or the default. A
    /// denier is never given less than any of its regimes allows.
    pub fn reply_window<'a>(&self, denied_entries: impl IntoIterator<Item = &'a str>) -> Duration {
        denied_entries
            .into_iter()
            .map(|entry| {
                Regime::of(entry)
                    .and_then(|regime| self.reply_within_by_regime.get(&regime))
                    .map_or(self.reply_within, |window| window.0)
            })
            .max()
            .unwrap_or(self.reply_within)
    }
}

impl Default for ConsultationsConfig {
    fn default() -> Self {
        ConsultationsConfig {
            reply_within: Duration::from_secs(30 * 24 * 3600),
            reply_within_by_regime: BTreeMap::new(),
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
    /// Compress what this node answers (replication batches, anti-entropy answers,
    /// operator answers) with zstd or gzip, whichever the caller accepts; a caller that
    /// accepts neither gets it plain. Compressed requests are always accepted.
    pub compression: bool,
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
            compression: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_consultation_gets_the_longest_window_of_its_entries_regimes() {
        let config: ConsultationsConfig = toml::from_str(
            r#"
            reply_within = "30days"
            [reply_within_by_regime]
            nsg = "60days"
            wassenaar = "10days"
            "#,
        )
        .unwrap();
        let days = |entries: &[&str]| config.reply_window(entries.iter().copied()).as_secs() / 86_400;
        assert_eq!(
            days(&["3A001.a.5"]),
            10,
            "Wassenaar's own window, shorter than the default"
        );
        assert_eq!(
            days(&["3A001", "2B201"]),
            60,
            "the longest of Wassenaar's and the NSG's"
        );
        assert_eq!(days(&["3A001", "5A992"]), 30, "an entry of no regime has the default");
        assert_eq!(days(&["9A101"]), 30, "a regime without a setting has the default");
        assert_eq!(days(&[]), 30, "a catch-all denial has the default");
        let unknown = toml::from_str::<ConsultationsConfig>("[reply_within_by_regime]\nopec = \"1day\"");
        assert!(unknown.is_err(), "an unknown regime is a configuration error");
    }
}
