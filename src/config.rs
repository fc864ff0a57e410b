//! Node configuration (TOML). Every key is documented in `config/node-a.toml`.
//! Relative paths are resolved against the config file's directory.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

mod limits;

pub use limits::{ConsultationsConfig, Limits};

use crate::crypto::{KeyStatus, Keyring};
use crate::error::{Error, Result};
use crate::records::{AdmissionLimits, Collection, Federation, KEYS_COLLECTION, Mode, Policy, RecordKind};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub agency: String,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    #[serde(default = "default_skew", with = "humantime_serde")]
    pub max_clock_skew: Duration,
    pub tls: TlsConfig,
    pub signing: SigningConfig,
    pub members: Vec<MemberConfig>,
    #[serde(default)]
    pub peers: Vec<PeerConfig>,
    pub collections: Vec<CollectionConfig>,
    #[serde(default)]
    pub limits: Limits,
    /// Where to serve Prometheus metrics (`GET /metrics`, plain HTTP); off when absent.
    #[serde(default)]
    pub metrics_listen: Option<SocketAddr>,
    /// For fault drills and tests only: run this node's clock this far ahead of the system
    /// clock, as a skewed host would. Must stay below `max_clock_skew`.
    #[serde(default, with = "humantime_serde")]
    pub clock_ahead: Duration,
    /// How often to compare collections with each peer and repair differences
    /// (anti-entropy). `fedctl sync` runs a comparison at once.
    #[serde(default = "default_anti_entropy", with = "humantime_serde")]
    pub anti_entropy_interval: Duration,
    #[serde(default)]
    pub consultations: ConsultationsConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// The federation CA that issues node and operator certificates.
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningConfig {
    /// ed25519 private key, PKCS#8 PEM.
    pub key: PathBuf,
    pub key_id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberConfig {
    pub agency: String,
    pub keys: Vec<KeyConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    pub id: String,
    /// base64 of the 32-byte ed25519 public key.
    pub public_key: String,
    #[serde(default)]
    pub status: KeyState,
    /// RFC 3339; with `status = "revoked"`, records stamped before it still verify.
    pub revoked_at: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    #[default]
    Active,
    Retired,
    Revoked,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerConfig {
    pub agency: String,
    /// `https://host:port`; plaintext is a configuration error.
    pub endpoint: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionConfig {
    pub name: String,
    pub kind: RecordKind,
    #[serde(default)]
    pub mode: Mode,
    pub writers: Vec<String>,
    /// Agencies the collection may be sent to. Writers are always readers too.
    pub readers: Vec<String>,
}

impl Limits {
    fn check_connections(&self) -> Result<()> {
        if self.operator_connections == 0 || self.operator_connections >= self.max_connections {
            return Err(Error::config(
                "limits.operator_connections must be at least 1 and less than max_connections",
            ));
        }
        if self.connections_per_identity == 0 {
            return Err(Error::config("limits.connections_per_identity must be positive"));
        }
        if self.first_call_timeout.is_zero() || self.idle_timeout.is_zero() {
            return Err(Error::config(
                "limits.first_call_timeout and idle_timeout must be positive",
            ));
        }
        Ok(())
    }
}

/// `path` with a leading `~/` replaced by `home`. Any other leading `~` is refused rather
/// than taken as a folder named `~`.
fn expand_home(key: &str, path: &Path, home: Option<&Path>) -> Result<PathBuf> {
    let Some(first) = path.components().next() else {
        return Ok(path.to_path_buf());
    };
    if first.as_os_str() != "~" {
        if first.as_os_str().to_string_lossy().starts_with('~') {
            return Err(Error::config(format!(
                "{key} {}: only a leading \"~/\" (the home directory) is expanded",
                path.display()
            )));
        }
        return Ok(path.to_path_buf());
    }
    let home = home.filter(|home| home.is_absolute()).ok_or_else(|| {
        Error::config(format!(
            "{key} {}: \"~\" needs $HOME set to an absolute path",
            path.display()
        ))
    })?;
    let rest = path.strip_prefix("~").unwrap_or(path);
    Ok(home.join(rest))
}

fn default_anti_entropy() -> Duration {
    Duration::from_secs(60)
}

/// The smallest sled page cache accepted: below it every read goes to disk.
const MIN_STORE_CACHE_BYTES: u64 = 8 * 1024 * 1024;

/// The largest `max_clock_skew` accepted.
const MAX_CLOCK_SKEW: Duration = Duration::from_secs(24 * 60 * 60);

fn default_skew() -> Duration {
    Duration::from_secs(60)
}

mod humantime_serde {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, de::Error};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text).map_err(|e| D::Error::custom(format!("{text:?}: {e}")))
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::config(format!("cannot read {}: {e}", path.display())))?;
        let mut config: Config =
            toml::from_str(&text).map_err(|e| Error::config(format!("{}: {e}", path.display())))?;
        let home = std::env::var_os("HOME").map(PathBuf::from);
        config.resolve_paths(path.parent().unwrap_or(Path::new(".")), home.as_deref())?;
        config.validate()?;
        Ok(config)
    }

    /// A leading `~/` is `home`; other relative paths are relative to `base`.
    fn resolve_paths(&mut self, base: &Path, home: Option<&Path>) -> Result<()> {
        for (key, path) in [
            ("data_dir", &mut self.data_dir),
            ("tls.ca", &mut self.tls.ca),
            ("tls.cert", &mut self.tls.cert),
            ("tls.key", &mut self.tls.key),
            ("signing.key", &mut self.signing.key),
        ] {
            *path = expand_home(key, path, home)?;
            if path.is_relative() {
                *path = base.join(&*path);
            }
        }
        Ok(())
    }

    /// Checks everything that can be checked without the network, so a bad config fails at
    /// start with a message that names the key.
    pub fn validate(&self) -> Result<()> {
        check_agency_id(&self.agency)?;
        self.consultations.check()?;
        let mut members = BTreeSet::new();
        for member in &self.members {
            check_agency_id(&member.agency)?;
            if !members.insert(member.agency.as_str()) {
                return Err(Error::config(format!("member {} is listed twice", member.agency)));
            }
        }
        let is_member = |agency: &str, what: &str| {
            if members.contains(agency) {
                Ok(())
            } else {
                Err(Error::config(format!("{what}: {agency} is not in [[members]]")))
            }
        };
        is_member(&self.agency, "agency")?;
        if self.anti_entropy_interval < Duration::from_secs(1) {
            return Err(Error::config("anti_entropy_interval must be at least 1s"));
        }
        // Beyond a day the skew bound means nothing (and the clock panics past 2^32 s).
        if self.max_clock_skew > MAX_CLOCK_SKEW {
            return Err(Error::config("max_clock_skew must be at most 24h"));
        }
        if self.clock_ahead >= self.max_clock_skew {
            return Err(Error::config("clock_ahead must be less than max_clock_skew"));
        }
        let keyring = self.keyring()?;
        if keyring.status(&self.agency, &self.signing.key_id) != Some(KeyStatus::Active) {
            return Err(Error::config(format!(
                "signing.key_id {:?} is not an active key of {} in [[members]]",
                self.signing.key_id, self.agency
            )));
        }
        self.check_keys_collection()?;
        let mut names = BTreeSet::new();
        for collection in self.collections.iter().filter(|c| c.name != KEYS_COLLECTION) {
            check_collection_name(&collection.name)?;
            if collection.kind == RecordKind::KeyAnnouncement {
                return Err(Error::config(format!(
                    "collection {}: key announcements live in the built-in {KEYS_COLLECTION} collection only",
                    collection.name
                )));
            }
            if !names.insert(collection.name.as_str()) {
                return Err(Error::config(format!("collection {} is listed twice", collection.name)));
            }
            if collection.writers.is_empty() {
                return Err(Error::config(format!("collection {} has no writers", collection.name)));
            }
            for agency in collection.writers.iter().chain(&collection.readers) {
                is_member(agency, &format!("collection {}", collection.name))?;
            }
        }
        let mut peers = BTreeSet::new();
        for peer in &self.peers {
            check_peer(self, peer)?;
            if !peers.insert(peer.agency.as_str()) {
                return Err(Error::config(format!("peer {} is listed twice", peer.agency)));
            }
        }
        if self.limits.batch_records == 0 || self.limits.max_record_bytes == 0 {
            return Err(Error::config("limits must be positive"));
        }
        if self.limits.store_cache_bytes < MIN_STORE_CACHE_BYTES {
            return Err(Error::config(format!(
                "limits.store_cache_bytes must be at least {MIN_STORE_CACHE_BYTES} (8 MiB)"
            )));
        }
        // A replication batch fills up to half a message and may then take one more record,
        // plus heads: keep room for all of it.
        if self.limits.max_message_bytes < 2 * self.limits.max_record_bytes + 256 * 1024 {
            return Err(Error::config(
                "limits.max_message_bytes must be at least 2 × max_record_bytes + 256 KiB",
            ));
        }
        self.limits.check_connections()
    }

    pub fn keyring(&self) -> Result<Keyring> {
        let mut keyring = Keyring::default();
        for member in &self.members {
            for key in &member.keys {
                keyring.add(
                    &member.agency,
                    &key.id,
                    &key.public_key,
                    key_status(&member.agency, key)?,
                )?;
            }
        }
        Ok(keyring)
    }

    fn collection(&self, name: &str) -> Option<&CollectionConfig> {
        self.collections.iter().find(|c| c.name == name)
    }

    pub fn is_member(&self, agency: &str) -> bool {
        self.members.iter().any(|m| m.agency == agency)
    }

    /// The federation model this file declares (the built-in `_keys` included): the one
    /// source of who may read and write what.
    pub fn federation(&self) -> Federation {
        let collections = self.collections.iter().filter(|c| c.name != KEYS_COLLECTION).map(|c| {
            Collection::new(
                &c.name,
                c.kind,
                c.mode,
                c.writers.iter().cloned(),
                c.readers.iter().cloned(),
            )
        });
        Federation::new(&self.agency, self.members.iter().map(|m| m.agency.clone()), collections)
    }

    /// Admission's policy for this node.
    pub fn policy(&self) -> Result<Policy> {
        let limits = AdmissionLimits {
            max_record_bytes: self.limits.max_record_bytes,
            max_clock_skew: self.max_clock_skew,
            clock_ahead: self.clock_ahead,
        };
        Ok(Policy::new(self.federation(), self.keyring()?, limits))
    }

    /// A `_keys` collection in the file must be the built-in one: restricting who writes or
    /// reads key announcements would cut members off from each other's keys.
    fn check_keys_collection(&self) -> Result<()> {
        let Some(keys) = self.collection(KEYS_COLLECTION) else {
            return Ok(());
        };
        let declared = Collection::new(
            &keys.name,
            keys.kind,
            keys.mode,
            keys.writers.iter().cloned(),
            keys.readers.iter().cloned(),
        );
        if declared == Collection::builtin_keys(self.members.iter().map(|m| m.agency.as_str())) {
            Ok(())
        } else {
            Err(Error::config(format!(
                "collection {KEYS_COLLECTION} is built in (every member writes its own key announcements and reads everyone's); remove it from the config"
            )))
        }
    }
}

fn key_status(agency: &str, key: &KeyConfig) -> Result<KeyStatus> {
    Ok(match (key.status, &key.revoked_at) {
        (KeyState::Active, None) => KeyStatus::Active,
        (KeyState::Retired, None) => KeyStatus::Retired { since: None },
        (KeyState::Revoked, None) => KeyStatus::Revoked { revoked_at: None },
        (KeyState::Revoked, Some(at)) => {
            let at = chrono::DateTime::parse_from_rfc3339(at)
                .map_err(|e| Error::config(format!("key {agency}/{}: revoked_at {at:?}: {e}", key.id)))?;
            // The record clock (NTP64) counts 2^32 seconds from 1970: up to 2106-02-07.
            let secs = u32::try_from(at.timestamp().max(0)).map_err(|_| {
                Error::config(format!(
                    "key {agency}/{}: revoked_at {at} is after 2106, beyond the record clock",
                    key.id
                ))
            })?;
            KeyStatus::Revoked {
                revoked_at: Some(crate::records::hlc::from_duration(Duration::from_secs(secs.into()))),
            }
        }
        (_, Some(_)) => {
            return Err(Error::config(format!(
                "key {agency}/{}: revoked_at is only allowed with status = \"revoked\"",
                key.id
            )));
        }
    })
}

/// Agency ids are short, stable and upper case: `DE-BAFA`, `US-BIS`.
pub fn check_agency_id(agency: &str) -> Result<()> {
    let valid = !agency.is_empty()
        && agency.len() <= 32
        && agency
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    if valid {
        Ok(())
    } else {
        Err(Error::config(format!(
            "agency id {agency:?} must be upper-case letters and digits in dash-separated parts, like DE-BAFA"
        )))
    }
}

fn check_collection_name(name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && !name.starts_with('_')
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
    if valid {
        Ok(())
    } else {
        Err(Error::config(format!(
            "collection name {name:?} must be lower-case letters, digits, '-', '_' or '.', not starting with '_'"
        )))
    }
}

/// A peer must be another member with an `https://` endpoint.
pub fn check_peer(config: &Config, peer: &PeerConfig) -> Result<()> {
    if peer.agency == config.agency {
        return Err(Error::config(format!(
            "peer {}: a node does not peer with itself",
            peer.agency
        )));
    }
    if !config.is_member(&peer.agency) {
        return Err(Error::config(format!(
            "peer {} is not in [[members]]",
            crate::error::excerpt(&peer.agency)
        )));
    }
    check_endpoint(&peer.endpoint)
}

/// The longest peer endpoint accepted.
const ENDPOINT_MAX: usize = 256;

/// `https://host[:port][/]`, the port (443 if absent) in 1–65535.
pub fn check_endpoint(endpoint: &str) -> Result<()> {
    if endpoint.len() > ENDPOINT_MAX {
        return Err(Error::config(format!(
            "endpoint {} is too long: at most {ENDPOINT_MAX} bytes",
            crate::error::excerpt(endpoint)
        )));
    }
    let rest = endpoint.strip_prefix("https://").ok_or_else(|| {
        Error::config(format!(
            "endpoint {endpoint:?} must start with https:// (plaintext is never used)"
        ))
    })?;
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    let bad = || {
        Error::config(format!(
            "endpoint {endpoint:?} must be https://host:port, the port 1-65535"
        ))
    };
    if authority.is_empty() || authority.contains('/') {
        return Err(bad());
    }
    if authority.ends_with(']') {
        return Ok(()); // an IPv6 address without a port
    }
    match authority.rsplit_once(':') {
        None => Ok(()),
        Some((host, port)) => match port.parse::<u16>() {
            Ok(port) if port > 0 && !host.is_empty() => Ok(()),
            _ => Err(bad()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keys_collection_cannot_be_redefined() {
        let config = Config::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config/node-a.toml"))).unwrap();
        let members: Vec<String> = config.members.iter().map(|m| m.agency.clone()).collect();
        let keys = |writers: &[String]| CollectionConfig {
            name: KEYS_COLLECTION.into(),
            kind: RecordKind::KeyAnnouncement,
            mode: Mode::Owner,
            writers: writers.to_vec(),
            readers: members.clone(),
        };
        let mut builtin = config.clone();
        builtin.collections.push(keys(&members));
        builtin.validate().unwrap();
        let mut restricted = config.clone();
        restricted.collections.push(keys(&members[..1]));
        let error = restricted.validate().unwrap_err().to_string();
        assert!(error.contains("built in"), "{error}");
    }

    #[test]
    fn a_leading_tilde_is_the_home_directory() {
        let home = Path::new("/home/op");
        let expand = |path: &str, home| expand_home("data_dir", Path::new(path), home);
        assert_eq!(
            expand("~/fedx/data", Some(home)).unwrap(),
            Path::new("/home/op/fedx/data")
        );
        assert_eq!(expand("~", Some(home)).unwrap(), Path::new("/home/op"));
        assert_eq!(expand("data/~x", Some(home)).unwrap(), Path::new("data/~x"));
        assert!(expand("~/data", None).unwrap_err().to_string().contains("$HOME"));
        assert!(expand("~/data", Some(Path::new("rel"))).is_err());
        assert!(
            expand("~bob/data", Some(home))
                .unwrap_err()
                .to_string()
                .contains("only a leading")
        );
    }

    #[test]
    fn agency_ids_and_endpoints() {
        check_agency_id("DE-BAFA").unwrap();
        check_agency_id("US-BIS2").unwrap();
        for bad in ["de-bafa", "", "DE--BAFA", "DE BAFA", "-DE"] {
            assert!(check_agency_id(bad).is_err(), "{bad}");
        }
        check_endpoint("https://127.0.0.1:7101").unwrap();
        assert!(check_endpoint("http://127.0.0.1:7101").is_err());
        assert!(check_endpoint("127.0.0.1:7101").is_err());
        check_endpoint("https://[::1]:7101/").unwrap();
        check_endpoint("https://node.example.org").unwrap();
        for bad in [
            "https://127.0.0.1:0",
            "https://127.0.0.1:99999",
            "https://:7101",
            "https://h:x",
            "https://h:7101/x",
        ] {
            assert!(check_endpoint(bad).is_err(), "{bad}");
        }
        let long = format!("https://{}:7101", "h".repeat(1 << 20));
        let message = check_endpoint(&long).unwrap_err().to_string();
        assert!(message.len() < 300, "{message}");
    }

    #[test]
    fn revoked_at_is_the_cut_off_in_the_clock_records_are_stamped_with() {
        let key = |status, revoked_at: Option<&str>| KeyConfig {
            id: "k1".into(),
            public_key: String::new(),
            status,
            revoked_at: revoked_at.map(String::from),
        };
        let at = chrono::DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z").unwrap();
        let expected = crate::records::hlc::from_duration(Duration::from_secs(at.timestamp() as u64));
        let status = key_status("DE-BAFA", &key(KeyState::Revoked, Some("2026-06-01T12:00:00Z"))).unwrap();
        assert_eq!(
            status,
            KeyStatus::Revoked {
                revoked_at: Some(expected)
            }
        );
        // Records stamped a second either side of the cut-off fall on the right side of it.
        let stamped =
            |secs: i64| crate::records::hlc::from_duration(Duration::from_secs((at.timestamp() + secs) as u64));
        assert!(stamped(-1) < expected && expected < stamped(1));
        assert!(key_status("DE-BAFA", &key(KeyState::Revoked, Some("June 1st"))).is_err());
        assert!(key_status("DE-BAFA", &key(KeyState::Active, Some("2026-06-01T12:00:00Z"))).is_err());
        assert_eq!(
            key_status("DE-BAFA", &key(KeyState::Revoked, None)).unwrap(),
            KeyStatus::Revoked { revoked_at: None }
        );
    }
}
