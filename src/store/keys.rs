//! The key layout of the one sled tree. Prefixes keep each family contiguous; `\0`
//! separates parts (collection names, ids and agency ids never contain it).
//!
//! | prefix | key                              | value                                  |
//! |--------|----------------------------------|----------------------------------------|
//! | `r`    | collection, id                   | winner: hash, hlc, log key (`Winner`)   |
//! | `l`    | collection, author, seq (BE u64) | every accepted version                 |
//! | `v`    | collection, author               | highest contiguous seq (BE u64)        |
//! | `m`    | name                             | node metadata (clock, peers)           |
//! | `a`    | seq (BE u64)                     | audit entry (JSON)                     |
//! | `e`    | collection, author, seq (BE u64) | equivocation evidence (the other one)  |
//! | `s`    | author, hlc (BE u64)             | log key of a peer author's first version with that timestamp (our own clock never repeats one) |

pub const RECORD: u8 = b'r';
pub const LOG: u8 = b'l';
pub const VERSION_VECTOR: u8 = b'v';
pub const META: u8 = b'm';
pub const AUDIT: u8 = b'a';
pub const EVIDENCE: u8 = b'e';
pub const STAMP: u8 = b's';

fn key(prefix: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut key = vec![prefix];
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            key.push(0);
        }
        key.extend_from_slice(part);
    }
    key
}

pub fn record(collection: &str, id: &str) -> Vec<u8> {
    key(RECORD, &[collection.as_bytes(), id.as_bytes()])
}

/// Prefix of all records of a collection whose id starts with `id_prefix`.
pub fn record_prefix(collection: &str, id_prefix: &str) -> Vec<u8> {
    let mut key = key(RECORD, &[collection.as_bytes(), b""]);
    key.extend_from_slice(id_prefix.as_bytes());
    key
}

pub fn log(collection: &str, author: &str, seq: u64) -> Vec<u8> {
    key(LOG, &[collection.as_bytes(), author.as_bytes(), &seq.to_be_bytes()])
}

pub fn evidence(collection: &str, author: &str, seq: u64) -> Vec<u8> {
    key(
        EVIDENCE,
        &[collection.as_bytes(), author.as_bytes(), &seq.to_be_bytes()],
    )
}

/// An author's timestamp: no two of its versions may share one.
pub fn stamp(author: &str, hlc: u64) -> Vec<u8> {
    key(STAMP, &[author.as_bytes(), &hlc.to_be_bytes()])
}

/// (collection, author, seq) of a log key.
pub fn parse_log(key: &[u8]) -> Option<(&str, &str, u64)> {
    let rest = key.strip_prefix(&[LOG])?;
    let (names, seq) = rest.split_at_checked(rest.len().checked_sub(8)?)?;
    let names = names.strip_suffix(&[0])?;
    let split = names.iter().position(|&b| b == 0)?;
    Some((
        std::str::from_utf8(&names[..split]).ok()?,
        std::str::from_utf8(&names[split + 1..]).ok()?,
        be_u64(seq)?,
    ))
}

/// (collection, id) of a record key.
pub fn parse_record(key: &[u8]) -> Option<(&str, &str)> {
    let rest = key.strip_prefix(&[RECORD])?;
    let split = rest.iter().position(|&b| b == 0)?;
    Some((
        std::str::from_utf8(&rest[..split]).ok()?,
        std::str::from_utf8(&rest[split + 1..]).ok()?,
    ))
}

pub fn version_vector(collection: &str, author: &str) -> Vec<u8> {
    key(VERSION_VECTOR, &[collection.as_bytes(), author.as_bytes()])
}

/// The stream of a version-vector key.
pub fn parse_version_vector(key: &[u8]) -> Option<super::StreamId> {
    let rest = key.strip_prefix(&[VERSION_VECTOR])?;
    let split = rest.iter().position(|&b| b == 0)?;
    let collection = std::str::from_utf8(&rest[..split]).ok()?;
    let author = std::str::from_utf8(&rest[split + 1..]).ok()?;
    Some(super::StreamId::new(collection, author))
}

pub fn meta(name: &str) -> Vec<u8> {
    key(META, &[name.as_bytes()])
}

pub fn audit(seq: u64) -> Vec<u8> {
    key(AUDIT, &[&seq.to_be_bytes()])
}

pub fn be_u64(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}
