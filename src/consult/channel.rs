//! The confidential channel between the two authorities of a consultation: a step is
//! sealed once to each of them, bound to the record it travels in (author, id,
//! consultation), so a relay carries and verifies it but cannot read it, and no one can
//! move a sealed copy into a record of their own.

use prost::Message as _;

use super::keys::OwnKeys;
use crate::crypto::seal::{self, Sealed};
use crate::error::{Error, Result};
use crate::proto::{ConsultationStep, SealedCopy, SealedStep};

/// Who a step is between, and the record it travels in.
pub struct Envelope<'a> {
    pub consultation: &'a str,
    pub requester: &'a str,
    pub denier: &'a str,
    pub author: &'a str,
    pub record_id: &'a str,
}

impl Envelope<'_> {
    fn binding(&self) -> Vec<u8> {
        [
            self.author,
            self.record_id,
            self.consultation,
            self.requester,
            self.denier,
        ]
        .join("\0")
        .into_bytes()
    }
}

/// A recipient's announced sealing key.
pub struct Recipient<'a> {
    pub agency: &'a str,
    pub key_id: &'a str,
    pub public_key: &'a [u8],
}

/// Seals a step to both authorities.
pub fn seal_step(step: &ConsultationStep, envelope: &Envelope, recipients: [Recipient; 2]) -> Result<SealedStep> {
    let plaintext = step.encode_to_vec();
    let binding = envelope.binding();
    let copies = recipients
        .iter()
        .map(|r| {
            let sealed = seal::seal(r.public_key, &plaintext, &binding)?;
            Ok(SealedCopy {
                agency: r.agency.to_string(),
                key_id: r.key_id.to_string(),
                encapsulated_key: sealed.encapsulated_key,
                ciphertext: sealed.ciphertext,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(SealedStep {
        consultation: envelope.consultation.to_string(),
        requester: envelope.requester.to_string(),
        denier: envelope.denier.to_string(),
        copies,
    })
}

/// Opens our copy of a step, if we are one of its authorities and hold the key.
pub fn open_step(
    sealed: &SealedStep,
    author: &str,
    record_id: &str,
    us: &str,
    keys: &OwnKeys,
) -> Result<ConsultationStep> {
    let copy =
        sealed.copies.iter().find(|c| c.agency == us).ok_or_else(|| {
            Error::PermissionDenied(format!("consultation {} is not ours to read", sealed.consultation))
        })?;
    let envelope = Envelope {
        consultation: &sealed.consultation,
        requester: &sealed.requester,
        denier: &sealed.denier,
        author,
        record_id,
    };
    let copy_sealed = Sealed {
        encapsulated_key: copy.encapsulated_key.clone(),
        ciphertext: copy.ciphertext.clone(),
    };
    let plaintext = keys
        .with(&copy.key_id, |key| key.open(&copy_sealed, &envelope.binding()))
        .ok_or_else(|| Error::FailedPrecondition(format!("we hold no sealing key {}", copy.key_id)))??;
    ConsultationStep::decode(plaintext.as_slice())
        .map_err(|e| Error::invalid(format!("consultation step {record_id} does not decode: {e}")))
}
