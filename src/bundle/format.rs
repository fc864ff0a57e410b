//! The bundle file format, version 1 (docs/bundles.md): the magic line, the signed header,
//! then the chunks, each a length-delimited protobuf message. Reading is incremental, so
//! neither fedctl nor the node ever holds a whole bundle.

use prost::Message as _;

use crate::crypto::{BUNDLE_DOMAIN, Keyring, Signer};
use crate::error::{Error, Refusal, Result};
use crate::proto::{BundleHeader, SignedBundleHeader};
use crate::records::{hlc, sha256};

/// The first bytes of every bundle file.
pub const MAGIC: &[u8] = b"fedx-bundle\n";
pub const FORMAT: u32 = 1;
/// The largest message a reader accepts: a chunk holds at most one replication batch,
/// far below this. A damaged length prefix must not make a reader wait for gigabytes.
const MAX_FRAME: u64 = 256 << 20;
/// A varint is at most this long.
const MAX_VARINT: usize = 10;

/// Hex SHA-256 of the signed header's bytes: the name a bundle goes by in summaries and
/// the audit log (it covers every chunk's hash, so it names the contents too).
pub fn bundle_name(signed_header: &[u8]) -> String {
    hex::encode(sha256(signed_header))
}

/// `bundle_name` of a signed header as the file holds it (length-delimited).
pub fn framed_bundle_name(framed: &[u8]) -> String {
    let mut message = framed;
    match prost::encoding::decode_varint(&mut message) {
        Ok(_) => bundle_name(message),
        Err(_) => bundle_name(framed),
    }
}

/// Signs a header with the sender node's key.
pub fn sign_header(header: &BundleHeader, signer: &Signer) -> SignedBundleHeader {
    let bytes = header.encode_to_vec();
    SignedBundleHeader {
        signature: signer.sign_in(BUNDLE_DOMAIN, &bytes),
        header: bytes,
        key_id: signer.key_id().to_string(),
    }
}

/// The header, if it is of a format we read and its sender's key signed it.
pub fn verify_header(signed: &SignedBundleHeader, keyring: &Keyring) -> Result<BundleHeader> {
    let header = BundleHeader::decode(signed.header.as_slice())
        .map_err(|e| Error::refused(Refusal::Malformed, format!("the bundle header does not decode: {e}")))?;
    if header.format != FORMAT {
        return Err(Error::refused(
            Refusal::UnknownSchema,
            format!("bundle format {} (this node reads format {FORMAT})", header.format),
        ));
    }
    let at = header.created.saturating_mul(1 << 32).min(hlc::wall_clock());
    keyring
        .verify_in(
            BUNDLE_DOMAIN,
            &header.sender,
            &signed.key_id,
            at,
            &signed.header,
            &signed.signature,
        )
        .map_err(|e| match e {
            Error::Refused { reason, detail } => Error::refused(reason, format!("the bundle header: {detail}")),
            other => other,
        })?;
    Ok(header)
}

/// Splits a bundle file's bytes, as they arrive, into its messages.
#[derive(Default)]
pub struct Reader {
    buffer: Vec<u8>,
    magic_read: bool,
    /// Bytes of the file consumed so far: where a damage is, in error messages.
    offset: u64,
}

impl Reader {
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole message's bytes, or `None` until more of the file arrives.
    pub fn next_message(&mut self) -> Result<Option<Vec<u8>>> {
        if !self.magic_read {
            let seen = self.buffer.len().min(MAGIC.len());
            if self.buffer[..seen] != MAGIC[..seen] {
                return Err(damaged(
                    "this is not a fedx bundle (it does not start with \"fedx-bundle\")",
                ));
            }
            if seen < MAGIC.len() {
                return Ok(None);
            }
            self.consume(MAGIC.len());
            self.magic_read = true;
        }
        let Some(end) = self.buffer.iter().take(MAX_VARINT).position(|b| b & 0x80 == 0) else {
            if self.buffer.len() >= MAX_VARINT {
                return Err(damaged(format!("no message length at byte {}", self.offset)));
            }
            return Ok(None);
        };
        let mut prefix = &self.buffer[..=end];
        let length = prost::encoding::decode_varint(&mut prefix)
            .map_err(|e| damaged(format!("message length at byte {}: {e}", self.offset)))?;
        if length > MAX_FRAME {
            return Err(damaged(format!(
                "a message of {length} bytes at byte {}; the largest is {MAX_FRAME}",
                self.offset
            )));
        }
        let whole = end + 1 + length as usize;
        if self.buffer.len() < whole {
            return Ok(None);
        }
        let message = self.buffer[end + 1..whole].to_vec();
        self.consume(whole);
        Ok(Some(message))
    }

    /// At the end of the file: nothing may be left over.
    pub fn finish(&self) -> Result<()> {
        if !self.magic_read {
            return Err(damaged("the bundle is empty or cut short before its header"));
        }
        if !self.buffer.is_empty() {
            return Err(damaged(format!(
                "the bundle ends inside a message (byte {}, {} bytes left over)",
                self.offset,
                self.buffer.len()
            )));
        }
        Ok(())
    }

    fn consume(&mut self, bytes: usize) {
        self.buffer.drain(..bytes);
        self.offset += bytes as u64;
    }
}

fn damaged(message: impl Into<String>) -> Error {
    Error::refused(Refusal::Malformed, format!("damaged bundle: {}", message.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{BundleChunk, SignedRecord};

    fn file() -> Vec<u8> {
        let chunk = BundleChunk {
            records: vec![SignedRecord {
                record: vec![7; 300],
                signature: vec![1; 64],
            }],
        };
        let mut file = MAGIC.to_vec();
        file.extend(SignedBundleHeader::default().encode_length_delimited_to_vec());
        file.extend(chunk.encode_length_delimited_to_vec());
        file
    }

    #[test]
    fn reads_messages_whatever_the_pieces_they_arrive_in() {
        let file = file();
        for piece in [1, 2, 5, 64, file.len()] {
            let mut reader = Reader::default();
            let mut messages = Vec::new();
            for bytes in file.chunks(piece) {
                reader.push(bytes);
                while let Some(message) = reader.next_message().unwrap() {
                    messages.push(message);
                }
            }
            reader.finish().unwrap();
            assert_eq!(messages.len(), 2, "pieces of {piece}");
            let chunk = BundleChunk::decode(messages[1].as_slice()).unwrap();
            assert_eq!(chunk.records[0].record.len(), 300);
        }
    }

    #[test]
    fn a_wrong_start_a_huge_length_and_a_cut_are_damage() {
        let mut reader = Reader::default();
        reader.push(b"fedx-bundlX");
        assert!(
            reader
                .next_message()
                .unwrap_err()
                .to_string()
                .contains("not a fedx bundle")
        );

        let mut reader = Reader::default();
        reader.push(MAGIC);
        reader.push(&[0xff, 0xff, 0xff, 0xff, 0x7f]);
        assert!(
            reader
                .next_message()
                .unwrap_err()
                .to_string()
                .contains("the largest is")
        );

        let file = file();
        let mut reader = Reader::default();
        reader.push(&file[..file.len() - 1]);
        while reader.next_message().unwrap().is_some() {}
        assert!(
            reader
                .finish()
                .unwrap_err()
                .to_string()
                .contains("ends inside a message")
        );
    }
}
