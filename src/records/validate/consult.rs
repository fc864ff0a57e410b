//! Content rules of the built-in consultation kinds: sealing keys, sealed consultation
//! steps and grant notices. What a relay can check without opening anything is checked
//! here; what needs the record's header (who signed it, under which id) is in `admit`.

use super::{ID_MAX, Path, TEXT_MAX, check_len, require_date, require_text};
use crate::error::Result;
use crate::proto::{GrantNotice, SealedStep, SealingKey};

/// A sealed copy is at most this big: a step's plaintext is bounded by the record size.
const COPY_MAX: usize = 48 * 1024;

/// A consultation id: `C-` and 16 lower-case hex digits, chosen at random by R's node.
pub fn check_consultation_id(id: &str) -> bool {
    id.strip_prefix("C-")
        .is_some_and(|hex| hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

pub(super) fn check_sealing_key(key: &SealingKey) -> Result<()> {
    let p = Path::root("sealing_key");
    require_text(p.field("key_id"), &key.key_id, ID_MAX)?;
    crate::crypto::seal::check_public_key(&key.public_key).map_err(|e| p.field("public_key").error(e))
}

pub(super) fn check_sealed_step(step: &SealedStep) -> Result<()> {
    let p = Path::root("sealed_step");
    if !check_consultation_id(&step.consultation) {
        return Err(p.field("consultation").error(format_args!(
            "{:?} is not a consultation id (C- and 16 hex digits)",
            step.consultation
        )));
    }
    require_text(p.field("requester"), &step.requester, ID_MAX)?;
    require_text(p.field("denier"), &step.denier, ID_MAX)?;
    if step.requester == step.denier {
        return Err(p
            .field("denier")
            .error("is the requester: a consultation is between two authorities"));
    }
    let copies = p.field("copies");
    let mut recipients: Vec<&str> = step.copies.iter().map(|c| c.agency.as_str()).collect();
    recipients.sort_unstable();
    let mut parties = [step.requester.as_str(), step.denier.as_str()];
    parties.sort_unstable();
    if recipients != parties {
        return Err(copies.error("must hold exactly one copy for the requester and one for the denier"));
    }
    for (i, copy) in step.copies.iter().enumerate() {
        let at = copies.at(i);
        require_text(at.field("key_id"), &copy.key_id, ID_MAX)?;
        if copy.encapsulated_key.len() != 32 {
            return Err(at.field("encapsulated_key").error("is not 32 bytes"));
        }
        if copy.ciphertext.is_empty() || copy.ciphertext.len() > COPY_MAX {
            return Err(at
                .field("ciphertext")
                .error(format_args!("must be 1 to {COPY_MAX} bytes")));
        }
    }
    Ok(())
}

pub(super) fn check_grant_notice(notice: &GrantNotice) -> Result<()> {
    let p = Path::root("grant_notice");
    require_text(p.field("denial_collection"), &notice.denial_collection, ID_MAX)?;
    require_text(p.field("denial_id"), &notice.denial_id, ID_MAX)?;
    require_text(p.field("denial_version_hash"), &notice.denial_version_hash, ID_MAX)?;
    require_text(p.field("denial_author"), &notice.denial_author, ID_MAX)?;
    check_len(p.field("denial_reference"), &notice.denial_reference, ID_MAX)?;
    require_text(p.field("licence_reference"), &notice.licence_reference, ID_MAX)?;
    require_text(p.field("reasons"), &notice.reasons, TEXT_MAX)?;
    require_date(p.field("granted_date"), &notice.granted_date)?;
    require_text(p.field("granted_by"), &notice.granted_by, ID_MAX)?;
    Ok(())
}
