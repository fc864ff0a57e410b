//! Replies of the `Operator` service built from store and config types: a stored record,
//! the one answer of a single write, the peer list.

use tonic::{Response, Status};

use crate::config::PeerConfig;
use crate::proto::{PeerEntry, PutResponse, StoredRecord};
use crate::records::Envelope;

pub(super) fn stored(envelope: Envelope) -> StoredRecord {
    StoredRecord {
        sha256: hex::encode(envelope.hash),
        signed: Some(envelope.signed),
        record: Some(envelope.record),
    }
}

pub(super) fn one(mut responses: Vec<PutResponse>) -> Result<Response<PutResponse>, Status> {
    responses
        .pop()
        .map(Response::new)
        .ok_or_else(|| Status::internal("no result for the write"))
}

pub(super) fn peer_entries(peers: Vec<PeerConfig>) -> Vec<PeerEntry> {
    peers
        .into_iter()
        .map(|p| PeerEntry {
            agency: p.agency,
            endpoint: p.endpoint,
        })
        .collect()
}
