//! Commands about the node itself: status, peers, members, signing keys, the audit log
//! and anti-entropy on demand.

use tonic::transport::Channel;

use super::args::{AuditCommand, PeersCommand};
use super::table::Table;
use super::{ExitCode, Failure, Output, print};
use crate::proto::operator_client::OperatorClient;
use crate::proto::*;

type Client = OperatorClient<Channel>;

pub(super) async fn status(client: &mut Client, output: Output) -> Result<(), Failure> {
    let status = client.status(StatusRequest {}).await?.into_inner();
    print(output, &status, || status_table(&status))
}

pub(super) async fn peers(client: &mut Client, command: PeersCommand, output: Output) -> Result<(), Failure> {
    let peers = match command {
        PeersCommand::List => client.list_peers(ListPeersRequest {}).await?.into_inner().peers,
        PeersCommand::Add { agency, peer_endpoint } => {
            let peer = Some(PeerEntry {
                agency,
                endpoint: peer_endpoint,
            });
            client.add_peer(AddPeerRequest { peer }).await?.into_inner().peers
        }
        PeersCommand::Remove { agency } => {
            let request = RemovePeerRequest { agency };
            client.remove_peer(request).await?.into_inner().peers
        }
    };
    print(output, &peers, || peers_table(&peers))
}

pub(super) async fn members(client: &mut Client, output: Output) -> Result<(), Failure> {
    let members = client.list_members(ListMembersRequest {}).await?.into_inner().members;
    print(output, &members, || members_table(&members))
}

pub(super) async fn rotate_key(client: &mut Client, output: Output) -> Result<(), Failure> {
    let rotated = client.rotate_key(RotateKeyRequest {}).await?.into_inner();
    print(output, &rotated, || {
        format!(
            "signing key {} replaced by {} (public key {}); announced to the federation",
            rotated.previous_key_id, rotated.key_id, rotated.public_key
        )
    })
}

pub(super) async fn audit(client: &mut Client, command: AuditCommand, output: Output) -> Result<(), Failure> {
    match command {
        AuditCommand::Tail { limit, after } => {
            let request = AuditTailRequest {
                limit,
                after_seq: after,
            };
            let entries = client.audit_tail(request).await?.into_inner().entries;
            print(output, &entries, || audit_table(&entries))
        }
        AuditCommand::Verify => {
            let verdict = client.audit_verify(AuditVerifyRequest {}).await?.into_inner();
            print(output, &verdict, || match verdict.ok {
                true => format!(
                    "audit log intact: {} entries, head {}",
                    verdict.entries,
                    short(&verdict.head)
                ),
                false => format!(
                    "audit log BROKEN at entry {}: {}",
                    verdict.first_bad_seq, verdict.problem
                ),
            })?;
            match verdict.ok {
                true => Ok(()),
                false => Err(Failure {
                    code: ExitCode::Error,
                    message: format!("audit entry {} does not verify", verdict.first_bad_seq),
                }),
            }
        }
    }
}

pub(super) async fn sync(client: &mut Client, peer: Option<String>, output: Output) -> Result<(), Failure> {
    let request = SyncRequest {
        peer: peer.unwrap_or_default(),
    };
    let report = client.sync(request).await?.into_inner();
    print(output, &report, || sync_table(&report))?;
    match report.peers.iter().find(|p| !p.error.is_empty()) {
        None => Ok(()),
        Some(failed) => Err(Failure {
            code: ExitCode::Connection,
            message: format!("sync with {} failed: {}", failed.agency, failed.error),
        }),
    }
}

fn short(digest: &str) -> String {
    digest.chars().take(16).collect()
}

fn status_table(status: &StatusResponse) -> String {
    let mut collections = Table::new(&["COLLECTION", "KIND", "MODE", "RECORDS", "DIGEST"]);
    for c in &status.collections {
        collections.row(vec![
            c.name.clone(),
            c.kind.clone(),
            c.mode.clone(),
            c.records.to_string(),
            short(&c.digest),
        ]);
    }
    let mut peers = Table::new(&["PEER", "STATE", "LAG", "RECEIVED", "SENT", "SYNC", "DIVERGED SINCE"]);
    let mut notes = Vec::new();
    for p in &status.peers {
        peers.row(vec![
            p.agency.clone(),
            p.state.clone(),
            p.lag_records.to_string(),
            p.records_received.to_string(),
            p.records_sent.to_string(),
            p.sync_state.clone(),
            p.diverged_since.clone(),
        ]);
        if !p.last_error.is_empty() {
            notes.push(format!("{}: {}", p.agency, p.last_error));
        }
    }
    if !status.clock_warning.is_empty() {
        notes.push(format!("CLOCK: {}", status.clock_warning));
    }
    for hold in &status.write_holds {
        notes.push(if hold.collection.is_empty() {
            let reason = match hold.reason.as_str() {
                "" => "no write of ours is taken until a peer has said how much of our records it holds",
                reason => reason,
            };
            format!("WRITES HELD: {reason}")
        } else {
            format!(
                "WRITES HELD: {} holds our {} records up to #{}, this node only up to #{}; writes to {} resume \
                 once they are back",
                hold.peer, hold.collection, hold.held_by_peer, hold.held_here, hold.collection
            )
        });
    }
    for e in &status.equivocations {
        notes.push(format!(
            "EQUIVOCATION: {} signed two records as seq {} of {} ({} and {})",
            e.author,
            e.seq,
            e.collection,
            short(&e.held_sha256),
            short(&e.other_sha256)
        ));
    }
    let mut text = format!(
        "agency {}   clock {}   refused {}   audit entries {}\n\n{}\n\n{}",
        status.agency,
        status.clock,
        status.refused_records,
        status.audit_entries,
        collections.render(),
        peers.render()
    );
    for note in notes {
        text.push('\n');
        text.push_str(&note);
    }
    text
}

fn audit_table(entries: &[AuditEntry]) -> String {
    let mut table = Table::new(&["SEQ", "TIME", "ACTOR", "ACTION", "TARGET", "DETAIL"]);
    for e in entries {
        table.row(vec![
            e.seq.to_string(),
            e.time.clone(),
            e.actor.clone(),
            e.action.clone(),
            e.target.clone(),
            e.detail.clone(),
        ]);
    }
    table.render()
}

fn sync_table(report: &SyncResponse) -> String {
    let mut table = Table::new(&["PEER", "COLLECTION", "IN SYNC", "BUCKETS", "FETCHED", "STORED", "ERROR"]);
    for p in &report.peers {
        for c in &p.collections {
            table.row(vec![
                p.agency.clone(),
                c.collection.clone(),
                c.in_sync.to_string(),
                c.differing_buckets.to_string(),
                c.fetched.to_string(),
                c.stored.to_string(),
                String::new(),
            ]);
        }
        if !p.error.is_empty() {
            table.row(vec![
                p.agency.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                p.error.clone(),
            ]);
        }
    }
    table.render()
}

fn peers_table(peers: &[PeerEntry]) -> String {
    let mut table = Table::new(&["PEER", "ENDPOINT"]);
    for p in peers {
        table.row(vec![p.agency.clone(), p.endpoint.clone()]);
    }
    table.render()
}

fn members_table(members: &[Member]) -> String {
    let mut table = Table::new(&["AGENCY", "KEY", "STATUS", "PUBLIC KEY"]);
    for m in members {
        for k in &m.keys {
            table.row(vec![
                m.agency.clone(),
                k.id.clone(),
                k.status.clone(),
                k.public_key.clone(),
            ]);
        }
    }
    table.render()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_table_says_why_writes_are_held() {
        let restored = StatusResponse {
            write_holds: vec![WriteHold {
                reason: "this node was started as restored from a copy".into(),
                ..WriteHold::default()
            }],
            ..StatusResponse::default()
        };
        assert!(status_table(&restored).contains("WRITES HELD: this node was started as restored from a copy"));
        let behind = StatusResponse {
            write_holds: vec![WriteHold {
                collection: "denials".into(),
                peer: "FR-SBDU".into(),
                held_here: 1,
                held_by_peer: 3,
                reason: String::new(),
            }],
            ..StatusResponse::default()
        };
        assert!(
            status_table(&behind)
                .contains("WRITES HELD: FR-SBDU holds our denials records up to #3, this node only up to #1")
        );
        assert!(!status_table(&StatusResponse::default()).contains("WRITES HELD"));
    }
}
