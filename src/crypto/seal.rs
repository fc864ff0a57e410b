//! End-to-end encryption of what only two agencies may read (a consultation's steps):
//! HPKE (RFC 9180) in base mode with X25519, HKDF-SHA256 and ChaCha20-Poly1305.
//!
//! An agency's sealing key is derived from its ed25519 signing key (through HPKE's own
//! `DeriveKeyPair`, from the seed under a label of ours), so it needs no key file of its own,
//! comes back with the signing key after a restore, and rotates with it. Its public half is
//! announced as a signed record; anyone may seal to it, only the holder opens.

use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};

use crate::error::{Error, Result};

type Kem = X25519HkdfSha256;

/// What the derivation mixes into the signing key's seed, so the two keys are independent.
const DERIVATION_LABEL: &[u8] = b"fedx sealing key v1";
/// HPKE's `info`: binds every sealed message to this use.
const INFO: &[u8] = b"fedx sealed record v1";

/// Our key pair for opening what was sealed to us.
pub struct SealingKey {
    key_id: String,
    secret: <Kem as hpke::Kem>::PrivateKey,
    public: <Kem as hpke::Kem>::PublicKey,
}

/// One sealed copy of a message: HPKE's encapsulated key and the ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub encapsulated_key: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

impl SealingKey {
    /// The sealing key that belongs to an ed25519 signing key seed.
    pub fn derive(signing_seed: &[u8; 32], key_id: &str) -> Self {
        let mut ikm = Vec::with_capacity(DERIVATION_LABEL.len() + 32);
        ikm.extend_from_slice(DERIVATION_LABEL);
        ikm.extend_from_slice(signing_seed);
        let (secret, public) = Kem::derive_keypair(&ikm);
        SealingKey {
            key_id: key_id.to_string(),
            secret,
            public,
        }
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The public half, as announced.
    pub fn public_key(&self) -> Vec<u8> {
        self.public.to_bytes().to_vec()
    }

    /// Opens a copy sealed to this key; `aad` must be what the sealer bound it to.
    pub fn open(&self, sealed: &Sealed, aad: &[u8]) -> Result<Vec<u8>> {
        let encapsulated = <Kem as hpke::Kem>::EncappedKey::from_bytes(&sealed.encapsulated_key)
            .map_err(|e| Error::invalid(format!("sealed message: encapsulated key: {e}")))?;
        hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, Kem>(
            &OpModeR::Base,
            &self.secret,
            &encapsulated,
            INFO,
            &sealed.ciphertext,
            aad,
        )
        .map_err(|e| Error::invalid(format!("sealed message does not open with key {}: {e}", self.key_id)))
    }
}

/// Seals `plaintext` to an announced public key, bound to `aad` (which the opener must
/// present again: the record's identity, so a copy cannot be moved to another record).
pub fn seal(public_key: &[u8], plaintext: &[u8], aad: &[u8]) -> Result<Sealed> {
    let public = <Kem as hpke::Kem>::PublicKey::from_bytes(public_key)
        .map_err(|e| Error::invalid(format!("sealing public key: {e}")))?;
    let (encapsulated, ciphertext) = hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, Kem, _>(
        &OpModeS::Base,
        &public,
        INFO,
        plaintext,
        aad,
        &mut rand::rngs::OsRng,
    )
    .map_err(|e| Error::Internal(format!("sealing failed: {e}")))?;
    Ok(Sealed {
        encapsulated_key: encapsulated.to_bytes().to_vec(),
        ciphertext,
    })
}

/// Whether bytes are a valid public sealing key (checked when an announcement is admitted).
pub fn check_public_key(public_key: &[u8]) -> Result<()> {
    <Kem as hpke::Kem>::PublicKey::from_bytes(public_key)
        .map(drop)
        .map_err(|e| Error::invalid(format!("not an X25519 public key: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_recipient_opens_and_only_with_the_same_binding() {
        let ours = SealingKey::derive(&[7; 32], "A-1");
        let theirs = SealingKey::derive(&[8; 32], "B-1");
        assert_eq!(
            ours.public_key(),
            SealingKey::derive(&[7; 32], "A-1").public_key(),
            "deterministic"
        );
        assert_ne!(ours.public_key(), theirs.public_key());
        let sealed = seal(&ours.public_key(), b"confidential reasons", b"record A/1").unwrap();
        assert!(!sealed.ciphertext.windows(12).any(|w| w == b"confidential"));
        assert_eq!(ours.open(&sealed, b"record A/1").unwrap(), b"confidential reasons");
        assert!(ours.open(&sealed, b"record A/2").is_err(), "bound to its record");
        assert!(
            theirs.open(&sealed, b"record A/1").is_err(),
            "another key does not open it"
        );
        let mut tampered = sealed.clone();
        tampered.ciphertext[0] ^= 1;
        assert!(ours.open(&tampered, b"record A/1").is_err());
    }
}
