//! The peer list an operator changed at runtime (`fedctl peers add|remove`), as the store
//! keeps it: its own stored type, so that renaming a config key never changes what is on
//! disk. It overrides `[[peers]]` in the config from then on.
//!
//! Format 1 is `{"format": 1, "peers": [{"agency", "endpoint"}]}`. Builds before it saved
//! the config's peer tables as a bare JSON array; [`decode`] still reads that.

use serde::{Deserialize, Serialize};

use crate::config::PeerConfig;
use crate::error::{Error, Result};

/// The store metadata key.
pub const META: &str = "peers";

const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct SavedPeer {
    agency: String,
    endpoint: String,
}

#[derive(Serialize, Deserialize)]
struct SavedPeers {
    format: u32,
    peers: Vec<SavedPeer>,
}

/// What the store keeps for `peers`.
pub fn encode(peers: &[PeerConfig]) -> Result<Vec<u8>> {
    let saved = SavedPeers {
        format: FORMAT,
        peers: peers
            .iter()
            .map(|p| SavedPeer {
                agency: p.agency.clone(),
                endpoint: p.endpoint.clone(),
            })
            .collect(),
    };
    serde_json::to_vec(&saved).map_err(|e| Error::Internal(format!("cannot encode the peer list: {e}")))
}

/// The saved peer list, in this format or the bare array older builds wrote.
pub fn decode(saved: &[u8]) -> Result<Vec<PeerConfig>> {
    let unreadable = |e: serde_json::Error| Error::Internal(format!("stored peer list: {e}"));
    let value: serde_json::Value = serde_json::from_slice(saved).map_err(unreadable)?;
    let peers = if value.is_array() {
        serde_json::from_value::<Vec<SavedPeer>>(value).map_err(unreadable)?
    } else {
        // The format first: a later one may shape its peers differently.
        let format = value.get("format").and_then(serde_json::Value::as_u64);
        if format != Some(u64::from(FORMAT)) {
            return Err(Error::Internal(format!(
                "stored peer list: format {} is not one this build reads ({FORMAT})",
                format.map_or("missing".to_string(), |f| f.to_string())
            )));
        }
        serde_json::from_value::<SavedPeers>(value).map_err(unreadable)?.peers
    };
    Ok(peers
        .into_iter()
        .map(|p| PeerConfig {
            agency: p.agency,
            endpoint: p.endpoint,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(agency: &str, endpoint: &str) -> PeerConfig {
        PeerConfig {
            agency: agency.into(),
            endpoint: endpoint.into(),
        }
    }

    #[test]
    fn a_list_saved_by_an_older_build_is_read() {
        // Byte for byte what builds before format 1 stored under `peers`.
        let older = br#"[{"agency":"FR-SBDU","endpoint":"https://127.0.0.1:7102"},{"agency":"NL-CDIU","endpoint":"https://127.0.0.1:7103"}]"#;
        let peers = decode(older).unwrap();
        assert_eq!(
            peers,
            vec![
                peer("FR-SBDU", "https://127.0.0.1:7102"),
                peer("NL-CDIU", "https://127.0.0.1:7103")
            ]
        );
    }

    #[test]
    fn a_list_round_trips_and_a_newer_format_is_refused() {
        let peers = vec![peer("FR-SBDU", "https://127.0.0.1:7102")];
        assert_eq!(decode(&encode(&peers).unwrap()).unwrap(), peers);
        assert_eq!(decode(&encode(&[]).unwrap()).unwrap(), vec![]);
        let newer = br#"{"format":2,"peers":{"FR-SBDU":"https://127.0.0.1:7102"}}"#;
        assert!(decode(newer).unwrap_err().to_string().contains("format 2 is not one"));
        assert!(decode(b"not json").is_err());
    }
}
