//! The `[limits]` and `[consultations]` sections of the node configuration, with their
//! defaults (documented in `config/node-a.toml`).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::humantime_serde;
use crate::error::{Error, Result};
use crate::proto::Regime;

/// Consultations (`fedctl consult`). No regime publishes a reply deadline: it is ours to set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsultationsConfig {
    /// How long the denying authority is given to reply, counted from the opening (the
    /// clock stands still while information it requested is awaited).
    #[serde(with = "humantime_serde")]
    pub reply_within: Duration,
    /// Another window for consultations about denials of a regime, keyed by the regime
    /// as denials name it, without its prefix and in lower case (`nsg = "60days"`; keys:
    /// wa_du, wa_ml, nsg, mtcr, ag, eu_du, national).
    pub reply_within_by_regime: BTreeMap<String, Window>,
}

/// A reply window as the configuration writes it (humantime: "30days").
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Window(#[serde(with = "humantime_serde")] pub Duration);

impl ConsultationsConfig {
    /// How long the denier is given to reply about denials of these regimes: the longest
    /// of their windows (a regime without one has the default), so a denier never has
    /// less time than one of its regimes gives it.
    pub fn reply_window(&self, regimes: impl IntoIterator<Item = Regime>) -> Duration {
        regimes
            .into_iter()
            .map(|regime| {
                self.reply_within_by_regime
                    .get(&regime_key(regime))
                    .map_or(self.reply_within, |window| window.0)
            })
            .max()
            .unwrap_or(self.reply_within)
    }

    /// Refuses a window keyed by a name that is no regime's.
    pub fn check(&self) -> Result<()> {
        for key in self.reply_within_by_regime.keys() {
            let regime = Regime::from_str_name(&format!("REGIME_{}", key.to_ascii_uppercase()));
            if regime.is_none_or(|r| r == Regime::Unspecified) {
                return Err(Error::config(format!(
                    "consultations.reply_within_by_regime: {key:?} is no regime \
                     (wa_du, wa_ml, nsg, mtcr, ag, eu_du, national)"
                )));
            }
        }
        Ok(())
    }
}

/// `REGIME_NSG` → `nsg`: the key of a regime's window.
fn regime_key(regime: Regime) -> String {
    let name = regime.as_str_name();
    name.strip_prefix("REGIME_").unwrap_or(name).to_ascii_lowercase()
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
    fn a_consultation_gets_the_longest_window_of_its_denials_regimes() {
        let config: ConsultationsConfig = toml::from_str(
            r#"
            reply_within = "30days"
            [reply_within_by_regime]
            nsg = "60days"
            wa_du = "10days"
            "#,
        )
        .unwrap();
        config.check().unwrap();
        let days = |regimes: &[Regime]| config.reply_window(regimes.iter().copied()).as_secs() / 86_400;
        assert_eq!(
            days(&[Regime::WaDu]),
            10,
            "the regime's own window, shorter than the default"
        );
        assert_eq!(days(&[Regime::WaDu, Regime::Nsg]), 60, "the longest of the two");
        assert_eq!(
            days(&[Regime::WaDu, Regime::National]),
            30,
            "a regime without a window has the default"
        );
        assert_eq!(days(&[Regime::Unspecified]), 30);
        assert_eq!(days(&[]), 30);
        for wrong in ["opec", "unspecified", "REGIME_NSG"] {
            let config: ConsultationsConfig =
                toml::from_str(&format!("[reply_within_by_regime]\n{wrong} = \"1day\"")).unwrap();
            let refused = config.check().unwrap_err().to_string();
            assert!(refused.contains("is no regime"), "{wrong}: {refused}");
        }
    }
}
