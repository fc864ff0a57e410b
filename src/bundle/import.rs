//! Reading a bundle at its recipient: the header is checked before anything else (a
//! known sender's key signed it, it is for us), then each chunk against the hash the
//! header gives it. What the records are worth is admission's business, as for records a
//! peer sends: the caller runs replication's admission and stores what passes.

use prost::Message as _;

use super::format::{self, Reader};
use crate::crypto::Keyring;
use crate::error::{Error, Refusal, Result};
use crate::proto::{BundleChunk, BundleHeader, SignedBundleHeader, SignedRecord};
use crate::records::sha256;

/// A bundle whose header has been checked.
#[derive(Debug, Clone)]
pub struct Opened {
    pub header: BundleHeader,
    /// `format::bundle_name` of the signed header.
    pub name: String,
}

impl Opened {
    /// Who delivered the bundle's records, as the audit log names it.
    pub fn actor(&self) -> String {
        format!("bundle:{}:{}", self.header.sender, &self.name[..16])
    }
}

/// The next part of a bundle.
pub enum Part {
    Opened(Opened),
    /// A chunk's records. `altered`: the chunk is not what the sender signed (its records
    /// still go to admission one by one: each carries its author's signature end to end,
    /// so a damaged one is refused by name and the others are as good as any peer's).
    Chunk {
        index: usize,
        records: Vec<SignedRecord>,
        altered: Option<Error>,
    },
}

/// Splits a bundle, arriving in pieces, into its checked parts.
pub struct Unpacker {
    us: String,
    reader: Reader,
    opened: Option<Opened>,
    chunks: usize,
}

impl Unpacker {
    pub fn new(us: &str) -> Self {
        Unpacker {
            us: us.to_string(),
            reader: Reader::default(),
            opened: None,
            chunks: 0,
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.reader.push(bytes);
    }

    /// The next whole part, or `None` until more bytes arrive.
    pub fn next(&mut self, keyring: &Keyring) -> Result<Option<Part>> {
        let Some(message) = self.reader.next_message()? else {
            return Ok(None);
        };
        let Some(opened) = &self.opened else {
            let opened = self.open(&message, keyring)?;
            self.opened = Some(opened.clone());
            return Ok(Some(Part::Opened(opened)));
        };
        let index = self.chunks;
        self.chunks += 1;
        let altered = match opened.header.chunk_sha256.get(index) {
            Some(hash) if hash.as_slice() == sha256(&message) => None,
            Some(_) => Some(format!("chunk {index} does not match the hash its sender signed")),
            None => Some(format!(
                "chunk {index} is not in the header, which lists {}",
                opened.header.chunk_sha256.len()
            )),
        }
        .map(|message| Error::refused(Refusal::Altered, message));
        let records = match BundleChunk::decode(message.as_slice()) {
            Ok(chunk) => chunk.records,
            Err(e) => {
                let error = Error::refused(Refusal::Malformed, format!("chunk {index} does not decode: {e}"));
                return Ok(Some(Part::Chunk {
                    index,
                    records: Vec::new(),
                    altered: Some(error),
                }));
            }
        };
        Ok(Some(Part::Chunk {
            index,
            records,
            altered,
        }))
    }

    /// At the end of the file: the whole file was read and every chunk the header lists
    /// arrived.
    pub fn finish(&self) -> Result<()> {
        self.reader.finish()?;
        let Some(opened) = &self.opened else {
            return Err(Error::refused(Refusal::Malformed, "the bundle has no header"));
        };
        let listed = opened.header.chunk_sha256.len();
        if self.chunks < listed {
            return Err(Error::refused(
                Refusal::Altered,
                format!("the bundle is cut short: {} of its {listed} chunks", self.chunks),
            ));
        }
        Ok(())
    }

    fn open(&self, message: &[u8], keyring: &Keyring) -> Result<Opened> {
        let signed = SignedBundleHeader::decode(message)
            .map_err(|e| Error::refused(Refusal::Malformed, format!("the bundle header does not decode: {e}")))?;
        let header = format::verify_header(&signed, keyring)?;
        if header.recipient != self.us {
            return Err(Error::refused(
                Refusal::WrongRecipient,
                format!(
                    "the bundle is for {}, not {}: import it at its recipient's node",
                    crate::error::excerpt(&header.recipient),
                    self.us
                ),
            ));
        }
        Ok(Opened {
            header,
            name: format::bundle_name(message),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::export::{ChunkLimits, Writer};
    use crate::crypto::{KeyStatus, Signer, generate_signing_key};
    use crate::proto::{BundleCoverage, SignedRecord};

    /// A bundle from A to C of three chunks, and a keyring that knows A's key.
    fn bundle() -> (Vec<u8>, Keyring) {
        let dir = tempfile::tempdir().unwrap();
        let (pem, public) = generate_signing_key().unwrap();
        std::fs::write(dir.path().join("a.pem"), pem).unwrap();
        let signer = Signer::load(&dir.path().join("a.pem"), "a-1").unwrap();
        let mut keyring = Keyring::default();
        keyring.add("A", "a-1", &public, KeyStatus::Active).unwrap();
        let limits = ChunkLimits {
            records: 2,
            bytes: 1 << 20,
        };
        let mut writer = Writer::new("A", "C", Vec::<BundleCoverage>::new(), limits);
        let mut file = format::MAGIC.to_vec();
        let mut chunks = Vec::new();
        for n in 0..5u8 {
            let record = SignedRecord {
                record: vec![n; 20],
                signature: vec![n; 64],
            };
            chunks.extend(writer.add("denials", record).map(|c| c.bytes));
        }
        let (last, header) = writer.finish(&signer);
        chunks.extend(last.map(|c| c.bytes));
        file.extend(header);
        file.extend(chunks.concat());
        (file, keyring)
    }

    /// What the unpacker notices in a file: (a refusal of the whole, chunks flagged).
    fn read(file: &[u8], keyring: &Keyring) -> (Option<Error>, usize, usize) {
        let mut unpacker = Unpacker::new("C");
        unpacker.push(file);
        let (mut flagged, mut chunks) = (0, 0);
        loop {
            match unpacker.next(keyring) {
                Ok(Some(Part::Chunk { altered, .. })) => {
                    chunks += 1;
                    flagged += usize::from(altered.is_some());
                }
                Ok(Some(Part::Opened(_))) => {}
                Ok(None) => return (unpacker.finish().err(), chunks, flagged),
                Err(error) => return (Some(error), chunks, flagged),
            }
        }
    }

    #[test]
    fn a_bundle_reads_whole_and_every_flipped_byte_is_noticed() {
        let (file, keyring) = bundle();
        let (error, chunks, flagged) = read(&file, &keyring);
        assert!(error.is_none(), "{error:?}");
        assert_eq!((chunks, flagged), (3, 0));
        for at in 0..file.len() {
            for bit in [0x01, 0x80] {
                let mut damaged = file.clone();
                damaged[at] ^= bit;
                let (error, _, flagged) = read(&damaged, &keyring);
                assert!(
                    error.is_some() || flagged > 0,
                    "byte {at} (bit {bit:#x}) changed and nothing noticed"
                );
            }
        }
    }

    #[test]
    fn a_bundle_for_another_agency_is_refused() {
        let (file, keyring) = bundle();
        let mut unpacker = Unpacker::new("B");
        unpacker.push(&file);
        let Err(error) = unpacker.next(&keyring) else {
            panic!("a bundle for C opened at B")
        };
        assert_eq!(error.refusal_name(), "wrong_recipient");
    }
}
