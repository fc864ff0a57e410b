//! Signing and verification of records, and sealing for two readers (`seal`). The only
//! module that touches ed25519 and HPKE.
//!
//! The signature covers a domain-separation tag and the exact record bytes, so a signature
//! made for anything else (another protocol, another version of this one) never verifies
//! as a record.

pub mod seal;

use std::collections::HashMap;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, spki::der::pem::LineEnding};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

use crate::error::{Error, Refusal, Result};

/// Prepended to the record bytes before signing.
pub const SIGNATURE_DOMAIN: &[u8] = b"fedx/record/v1\0";
/// Prepended to a bundle header's bytes before signing: a header is never a record.
pub const BUNDLE_DOMAIN: &[u8] = b"fedx/bundle/v1\0";

fn signed_message(domain: &[u8], bytes: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(domain.len() + bytes.len());
    message.extend_from_slice(domain);
    message.extend_from_slice(bytes);
    message
}

/// Our agency's signing key.
pub struct Signer {
    key: SigningKey,
    key_id: String,
}

impl Signer {
    pub fn load(path: &Path, key_id: &str) -> Result<Self> {
        let pem = std::fs::read_to_string(path)
            .map_err(|e| Error::config(format!("cannot read signing key {}: {e}", path.display())))?;
        let key = SigningKey::from_pkcs8_pem(&pem).map_err(|e| {
            Error::config(format!(
                "signing key {} is not an ed25519 PKCS#8 PEM: {e}",
                path.display()
            ))
        })?;
        Ok(Signer {
            key,
            key_id: key_id.to_string(),
        })
    }

    /// The key that opens what is sealed to this agency: derived from the signing key.
    pub fn sealing_key(&self) -> seal::SealingKey {
        seal::SealingKey::derive(&self.key.to_bytes(), &self.key_id)
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The public key, base64, as members list it in config.
    pub fn public_key_base64(&self) -> String {
        BASE64.encode(self.key.verifying_key().as_bytes())
    }

    pub fn sign(&self, record: &[u8]) -> Vec<u8> {
        self.sign_in(SIGNATURE_DOMAIN, record)
    }

    /// Signs `bytes` in a signature domain other than records'.
    pub fn sign_in(&self, domain: &[u8], bytes: &[u8]) -> Vec<u8> {
        self.key.sign(&signed_message(domain, bytes)).to_bytes().to_vec()
    }
}

/// A fresh signing key: (PKCS#8 PEM of the private key, base64 public key).
pub fn generate_signing_key() -> Result<(String, String)> {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| Error::Internal(format!("cannot encode signing key: {e}")))?;
    Ok((pem.to_string(), BASE64.encode(key.verifying_key().as_bytes())))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    /// Signs new records.
    Active,
    /// No longer signs; verifies what it signed before `since` (HLC, NTP64), all if none.
    Retired { since: Option<u64> },
    /// Verifies only records stamped before `revoked_at` (HLC, NTP64); all if none.
    Revoked { revoked_at: Option<u64> },
}

impl KeyStatus {
    pub fn name(self) -> &'static str {
        match self {
            KeyStatus::Active => "active",
            KeyStatus::Retired { .. } => "retired",
            KeyStatus::Revoked { .. } => "revoked",
        }
    }
}

struct MemberKey {
    key: VerifyingKey,
    status: KeyStatus,
}

/// The federation's public keys, by (agency, key id).
#[derive(Default)]
pub struct Keyring {
    keys: HashMap<(String, String), MemberKey>,
}

impl Keyring {
    /// Adds a key given as base64; refuses malformed and weak (small-order) keys.
    pub fn add(&mut self, agency: &str, key_id: &str, public_key: &str, status: KeyStatus) -> Result<()> {
        let bytes: [u8; 32] = BASE64
            .decode(public_key.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::config(format!("key {agency}/{key_id}: not 32 bytes of base64")))?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|e| Error::config(format!("key {agency}/{key_id}: {e}")))?;
        if key.is_weak() {
            return Err(Error::config(format!("key {agency}/{key_id} is a weak key")));
        }
        let slot = (agency.to_string(), key_id.to_string());
        if self.keys.insert(slot, MemberKey { key, status }).is_some() {
            return Err(Error::config(format!("key {agency}/{key_id} listed twice")));
        }
        Ok(())
    }

    /// Learns a key announced at `at` (HLC) to replace `previous`: the new key becomes
    /// active, the previous one retired from then on. Idempotent.
    pub fn rotate(&mut self, agency: &str, previous: &str, key_id: &str, public_key: &str, at: u64) -> Result<()> {
        if self.status(agency, key_id).is_none() {
            self.add(agency, key_id, public_key, KeyStatus::Active)?;
        }
        if let Some(old) = self.keys.get_mut(&(agency.to_string(), previous.to_string()))
            && old.status == KeyStatus::Active
        {
            old.status = KeyStatus::Retired { since: Some(at) };
        }
        Ok(())
    }

    /// Every key: (agency, key id, base64 public key, status), sorted.
    pub fn list(&self) -> Vec<(String, String, String, KeyStatus)> {
        let mut keys: Vec<_> = self
            .keys
            .iter()
            .map(|((agency, id), k)| (agency.clone(), id.clone(), BASE64.encode(k.key.as_bytes()), k.status))
            .collect();
        keys.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        keys
    }

    pub fn has_agency(&self, agency: &str) -> bool {
        self.keys.keys().any(|(a, _)| a == agency)
    }

    pub fn status(&self, agency: &str, key_id: &str) -> Option<KeyStatus> {
        self.keys
            .get(&(agency.to_string(), key_id.to_string()))
            .map(|k| k.status)
    }

    /// True when `public_key` (base64) is the key listed under (agency, key id).
    pub fn matches(&self, agency: &str, key_id: &str, public_key: &str) -> bool {
        self.keys
            .get(&(agency.to_string(), key_id.to_string()))
            .is_some_and(|k| BASE64.encode(k.key.as_bytes()) == public_key)
    }

    /// Verifies `signature` over `record` as signed by (author, key id) at time `hlc`.
    pub fn verify(&self, author: &str, key_id: &str, hlc: u64, record: &[u8], signature: &[u8]) -> Result<()> {
        self.verify_in(SIGNATURE_DOMAIN, author, key_id, hlc, record, signature)
    }

    /// Like `verify`, in another signature domain.
    pub fn verify_in(
        &self,
        domain: &[u8],
        author: &str,
        key_id: &str,
        hlc: u64,
        bytes: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        if !self.has_agency(author) {
            return Err(Error::refused(
                Refusal::UnknownAuthor,
                format!("{author} is not a federation member"),
            ));
        }
        let member_key = self
            .keys
            .get(&(author.to_string(), key_id.to_string()))
            .ok_or_else(|| Error::refused(Refusal::UnknownKey, format!("{author} has no key {key_id:?}")))?;
        match member_key.status {
            KeyStatus::Revoked { revoked_at } if revoked_at.is_none_or(|at| hlc >= at) => {
                return Err(Error::refused(
                    Refusal::RevokedKey,
                    format!("key {author}/{key_id} was revoked before this record was stamped"),
                ));
            }
            KeyStatus::Retired { since: Some(since) } if hlc > since => {
                return Err(Error::refused(
                    Refusal::RetiredKey,
                    format!("key {author}/{key_id} was replaced before this record was stamped"),
                ));
            }
            _ => {}
        }
        let signature: [u8; 64] = signature
            .try_into()
            .map_err(|_| Error::refused(Refusal::BadSignature, "signature is not 64 bytes"))?;
        member_key
            .key
            .verify_strict(&signed_message(domain, bytes), &Signature::from_bytes(&signature))
            .map_err(|_| {
                Error::refused(
                    Refusal::BadSignature,
                    format!("signature by {author}/{key_id} does not verify"),
                )
            })
    }
}

/// Writes a fresh signing key where only the owner can read it, durably, and loads it.
pub fn write_new_key(path: &Path, key_id: &str) -> Result<Signer> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let (pem, _) = generate_signing_key()?;
    let dir = path
        .parent()
        .ok_or_else(|| Error::Internal("key path has no directory".into()))?;
    let io = |e: std::io::Error| Error::Unavailable(format!("cannot write {}: {e}", path.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                Error::FailedPrecondition(format!("key {key_id} already exists; rotate again in a second"))
            }
            _ => io(e),
        })?;
    file.write_all(pem.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
    Signer::load(path, key_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyring_with(agency: &str, public: &str, status: KeyStatus) -> Keyring {
        let mut ring = Keyring::default();
        ring.add(agency, "k1", public, status).unwrap();
        ring
    }

    fn signer() -> (Signer, String) {
        let (pem, public) = generate_signing_key().unwrap();
        let key = SigningKey::from_pkcs8_pem(&pem).unwrap();
        (
            Signer {
                key,
                key_id: "k1".into(),
            },
            public,
        )
    }

    #[test]
    fn signature_verifies_and_binds_the_bytes() {
        let (signer, public) = signer();
        let ring = keyring_with("DE-BAFA", &public, KeyStatus::Active);
        let sig = signer.sign(b"record");
        ring.verify("DE-BAFA", "k1", 1, b"record", &sig).unwrap();
        let err = ring.verify("DE-BAFA", "k1", 1, b"recorD", &sig).unwrap_err();
        assert!(matches!(
            err,
            Error::Refused {
                reason: Refusal::BadSignature,
                ..
            }
        ));
        // A plain signature over the bytes, without the domain tag, is refused.
        let raw = signer.key.sign(b"record").to_bytes();
        assert!(ring.verify("DE-BAFA", "k1", 1, b"record", &raw).is_err());
    }

    #[test]
    fn unknown_author_key_and_revocation_are_refused() {
        let (signer, public) = signer();
        let sig = signer.sign(b"r");
        let ring = keyring_with("DE-BAFA", &public, KeyStatus::Revoked { revoked_at: Some(100) });
        let reason = |r: Result<()>| match r {
            Err(Error::Refused { reason, .. }) => reason,
            other => panic!("expected refusal, got {other:?}"),
        };
        assert_eq!(
            reason(ring.verify("FR-SBDU", "k1", 1, b"r", &sig)),
            Refusal::UnknownAuthor
        );
        assert_eq!(reason(ring.verify("DE-BAFA", "k2", 1, b"r", &sig)), Refusal::UnknownKey);
        assert_eq!(
            reason(ring.verify("DE-BAFA", "k1", 100, b"r", &sig)),
            Refusal::RevokedKey
        );
        ring.verify("DE-BAFA", "k1", 99, b"r", &sig).unwrap();
        assert!(ring.verify("DE-BAFA", "k1", 99, b"r", &sig[..63]).is_err());
    }

    #[test]
    fn a_retired_key_verifies_only_what_it_stamped_before_the_rotation() {
        let (old, old_public) = signer();
        let (new, new_public) = signer();
        let mut ring = keyring_with("DE-BAFA", &old_public, KeyStatus::Active);
        ring.rotate("DE-BAFA", "k1", "k2", &new_public, 500).unwrap();
        assert_eq!(
            ring.status("DE-BAFA", "k1"),
            Some(KeyStatus::Retired { since: Some(500) })
        );
        let sig = old.sign(b"r");
        ring.verify("DE-BAFA", "k1", 500, b"r", &sig).unwrap();
        let late = ring.verify("DE-BAFA", "k1", 501, b"r", &sig).unwrap_err();
        assert!(matches!(
            late,
            Error::Refused {
                reason: Refusal::RetiredKey,
                ..
            }
        ));
        ring.verify("DE-BAFA", "k2", 501, b"r", &new.sign(b"r")).unwrap();
        // Learning the same announcement again changes nothing.
        ring.rotate("DE-BAFA", "k1", "k2", &new_public, 900).unwrap();
        assert_eq!(
            ring.status("DE-BAFA", "k1"),
            Some(KeyStatus::Retired { since: Some(500) })
        );
    }

    #[test]
    fn weak_and_malformed_keys_are_refused() {
        let mut ring = Keyring::default();
        // The identity point: a small-order (weak) key.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(ring.add("X", "k", &BASE64.encode(identity), KeyStatus::Active).is_err());
        assert!(ring.add("X", "k", "not base64!", KeyStatus::Active).is_err());
    }
}
