//! The `Operator` service: our own agency's operators and applications only.

use std::sync::Arc;

use tonic::{Request, Response, Status};

use super::replies::{one, peer_entries, stored};
use super::{Context, input, pages};
use crate::config::PeerConfig;
use crate::error::Error;
use crate::proto::operator_server::Operator;
use crate::proto::*;
use crate::records::{hlc, validate};
use crate::store::audit::Verification;
use crate::store::{Applied, AuditEvent, LocalWrite};
use crate::transport::Caller;

const DEFAULT_LIST_LIMIT: usize = 100;
const MAX_LIST_LIMIT: usize = 1000;

pub struct OperatorApi {
    context: Arc<Context>,
}

impl OperatorApi {
    pub fn new(context: Arc<Context>) -> Self {
        OperatorApi { context }
    }

    /// Checks a put and fills the defaults a new record gets (status, review date).
    fn prepare(&self, put: PutRequest) -> Result<LocalWrite, Error> {
        let PutRequest { collection, id, body } = put;
        let mut body = body.ok_or_else(|| Error::invalid("body is required"))?;
        validate::normalize_body(&mut body);
        self.context.policy.check_local_put(&collection, &id, &body)?;
        Ok(LocalWrite::Put {
            collection,
            id,
            body: Box::new(body),
        })
    }

    /// Stores checked writes; a refusal is audited and nothing is stored.
    async fn write(&self, caller: &Caller, writes: Result<Vec<LocalWrite>, Error>) -> Result<Vec<PutResponse>, Status> {
        let writes = match writes {
            Ok(writes) => writes,
            Err(error) => {
                self.context.audit_refusal(&caller.to_string(), "write", &error).await;
                return Err(error.into());
            }
        };
        let results = self.context.store.put(writes, caller.to_string()).await?;
        for result in &results {
            let outcome = match result {
                Ok(applied) => applied
                    .outcome
                    .as_str_name()
                    .trim_start_matches("PUT_OUTCOME_")
                    .to_lowercase(),
                Err(_) => "failed".into(),
            };
            let labels = crate::metrics::OutcomeLabel { outcome };
            self.context.metrics.local_writes.get_or_create(&labels).inc();
        }
        results
            .into_iter()
            .map(|result| {
                result
                    .map(
                        |Applied {
                             header,
                             current,
                             outcome,
                         }| PutResponse {
                            header: Some(header),
                            current,
                            outcome: outcome as i32,
                        },
                    )
                    .map_err(Status::from)
            })
            .collect()
    }
}

fn write_hold(hold: crate::store::WriteHold) -> WriteHold {
    match hold {
        crate::store::WriteHold::AwaitingPeerHeads(cause) => WriteHold {
            reason: cause.reason().to_string(),
            ..WriteHold::default()
        },
        crate::store::WriteHold::Stream {
            collection,
            peer,
            held_here,
            held_by_peer,
        } => WriteHold {
            collection,
            peer,
            held_here,
            held_by_peer,
            reason: String::new(),
        },
    }
}

impl OperatorApi {
    /// A response, or the refusal audited under `target` and mapped to its status.
    async fn answer<T>(&self, caller: &Caller, target: &str, answer: Result<T, Error>) -> Result<Response<T>, Status> {
        match answer {
            Ok(response) => Ok(Response::new(response)),
            Err(error) => {
                self.context.audit_refusal(&caller.to_string(), target, &error).await;
                Err(error.into())
            }
        }
    }
}

#[tonic::async_trait]
impl Operator for OperatorApi {
    async fn put(&self, request: Request<PutRequest>) -> Result<Response<PutResponse>, Status> {
        let caller = self.context.operator(&request, "Put").await?;
        let write = self.prepare(request.into_inner());
        one(self.write(&caller, write.map(|w| vec![w])).await?)
    }

    async fn batch_put(&self, request: Request<BatchPutRequest>) -> Result<Response<BatchPutResponse>, Status> {
        let caller = self.context.operator(&request, "BatchPut").await?;
        let puts = request.into_inner().puts;
        let limit = self.context.config.limits.batch_records;
        let writes = if puts.len() > limit {
            Err(Error::InvalidArgument(format!(
                "{} puts in one batch; the limit is {limit}",
                puts.len()
            )))
        } else {
            // All or nothing: one bad record refuses the batch, naming it.
            puts.into_iter()
                .enumerate()
                .map(|(i, put)| {
                    self.prepare(put).map_err(|e| match e {
                        Error::Refused { reason, detail } => Error::refused(reason, format!("puts[{i}]: {detail}")),
                        other => other,
                    })
                })
                .collect()
        };
        let results = self.write(&caller, writes).await?;
        Ok(Response::new(BatchPutResponse { results }))
    }

    async fn get(&self, request: Request<GetRequest>) -> Result<Response<StoredRecord>, Status> {
        let caller = self.context.operator(&request, "Get").await?;
        let GetRequest { collection, id } = request.into_inner();
        let checks = input::check_collection(&collection).and_then(|()| input::check_id("id", &id));
        self.context.check_input(&caller, "Get", checks).await?;
        let key = format!("{collection}/{id}");
        let found = self.context.store.read(move |s| s.get(&collection, &id)).await?;
        let envelope = found.ok_or(Error::NotFound(key))?;
        Ok(Response::new(stored(envelope)))
    }

    async fn list(&self, request: Request<ListRequest>) -> Result<Response<ListResponse>, Status> {
        let caller = self.context.operator(&request, "List").await?;
        let ListRequest {
            collection,
            id_prefix,
            start_after,
            limit,
        } = request.into_inner();
        let checks = input::check_collection(&collection)
            .and_then(|()| input::check_id("id prefix", &id_prefix))
            .and_then(|()| input::check_id("start_after", &start_after));
        self.context.check_input(&caller, "List", checks).await?;
        let federation = &self.context.policy.federation;
        if federation.held(&collection).is_none() {
            let message = match federation.declared(&collection) {
                Some(_) => format!(
                    "collection {collection:?} is not held here: {} is not among its readers",
                    federation.us()
                ),
                None => format!("no collection {collection:?} on this node"),
            };
            return Err(Error::NotFound(message).into());
        }
        let limit = match limit as usize {
            0 => DEFAULT_LIST_LIMIT,
            n => n.min(MAX_LIST_LIMIT),
        };
        let budget = pages::list_budget(self.context.config.limits.max_message_bytes);
        let _turn = self.context.heavy_reads.turn().await?;
        let page = self
            .context
            .store
            .read(move |s| s.list(&collection, &id_prefix, &start_after, limit, budget))
            .await?;
        let next_start_after = match page.records.last() {
            Some(last) if page.more => last.header().id.clone(),
            _ => String::new(),
        };
        Ok(Response::new(ListResponse {
            records: page.records.into_iter().map(stored).collect(),
            next_start_after,
        }))
    }

    async fn revoke(&self, request: Request<RevokeRequest>) -> Result<Response<PutResponse>, Status> {
        let caller = self.context.operator(&request, "Revoke").await?;
        let RevokeRequest { collection, id } = request.into_inner();
        // Over-long names are refused there too (unknown collection, invalid id), unechoed.
        let write = self
            .context
            .policy
            .check_local_write(&collection, &id)
            .map(|_| vec![LocalWrite::Revoke { collection, id }]);
        one(self.write(&caller, write).await?)
    }

    async fn status(&self, request: Request<StatusRequest>) -> Result<Response<StatusResponse>, Status> {
        self.context.operator(&request, "Status").await?;
        let snapshot = self.context.store.snapshot();
        let collections = self
            .context
            .policy
            .federation
            .held_collections()
            .map(|c| {
                let stats = snapshot.collections.get(&c.name).copied().unwrap_or_default();
                CollectionStatus {
                    name: c.name.clone(),
                    kind: c.kind.as_str().into(),
                    mode: c.mode.as_str().into(),
                    records: stats.records,
                    digest: hex::encode(stats.digest),
                }
            })
            .collect();
        let peers = self
            .context
            .replicator
            .status()
            .into_iter()
            .map(|(peer, link)| PeerStatus {
                agency: peer.agency,
                endpoint: peer.endpoint,
                state: link.state.as_str().into(),
                lag_records: link.lag_records,
                records_received: link.records_received,
                records_sent: link.records_sent,
                last_error: link.last_error,
                sync_state: link.sync_state.as_str().into(),
                diverged_since: link.diverged_since.unwrap_or_default(),
                last_sync: link.last_sync.unwrap_or_default(),
            })
            .collect();
        let equivocations = self
            .context
            .store
            .read(|s| s.equivocations())
            .await?
            .into_iter()
            .map(|e| {
                // The conflicting version's place: for twins by sequence number it is the
                // held one's too; for twins by timestamp it is where the second one sits.
                let header = e.other.header();
                Equivocation {
                    collection: header.collection.clone(),
                    author: header.author.clone(),
                    seq: header.seq,
                    held_sha256: hex::encode(e.held.hash),
                    other_sha256: hex::encode(e.other.hash),
                }
            })
            .collect();
        let version_vector = snapshot.cursors(|_| true);
        let write_holds = self
            .context
            .store
            .write_holds(&self.context.config.agency)
            .into_iter()
            .map(write_hold)
            .collect();
        Ok(Response::new(StatusResponse {
            agency: self.context.config.agency.clone(),
            collections,
            peers,
            refused_records: self.context.replicator.refused(),
            clock: hlc::to_rfc3339(hlc::wall_clock()),
            equivocations,
            audit_entries: snapshot.audit_entries,
            version_vector,
            write_holds,
            clock_warning: self.context.store.clock_warning().unwrap_or_default(),
            consultations: Some(super::consult::counts(&self.context).await?),
        }))
    }

    async fn delete(&self, request: Request<DeleteRequest>) -> Result<Response<PutResponse>, Status> {
        let caller = self.context.operator(&request, "Delete").await?;
        let DeleteRequest { collection, id } = request.into_inner();
        // Over-long names are refused there too (unknown collection, invalid id), unechoed.
        let write = self
            .context
            .policy
            .check_local_write(&collection, &id)
            .map(|_| vec![LocalWrite::Delete { collection, id }]);
        one(self.write(&caller, write).await?)
    }

    async fn rotate_key(&self, request: Request<RotateKeyRequest>) -> Result<Response<RotateKeyResponse>, Status> {
        let caller = self.context.operator(&request, "RotateKey").await?;
        let config = &self.context.config;
        let key_id = format!(
            "{}-{}",
            config.agency.to_lowercase(),
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        );
        let path = crate::store::rotated_key_path(&config.data_dir, &key_id);
        let signer = {
            let (path, key_id) = (path.clone(), key_id.clone());
            tokio::task::spawn_blocking(move || crate::crypto::write_new_key(&path, &key_id))
                .await
                .map_err(|e| Error::Internal(format!("key task: {e}")))??
        };
        let public_key = signer.public_key_base64();
        let applied = self.context.store.rotate_key(signer, caller.to_string()).await?;
        let (collection, id) = (applied.header.collection.clone(), applied.header.id.clone());
        let announcement = self.context.store.read(move |s| s.get(&collection, &id)).await?;
        let announcement = announcement.ok_or_else(|| Error::Internal("the key announcement is missing".into()))?;
        self.context.policy.learn(&announcement)?;
        let previous_key_id = match announcement.record.body.and_then(|b| b.kind) {
            Some(record_body::Kind::KeyAnnouncement(a)) => a.previous_key_id,
            _ => String::new(),
        };
        tracing::info!(%previous_key_id, %key_id, "signing key rotated");
        Ok(Response::new(RotateKeyResponse {
            previous_key_id,
            key_id,
            public_key,
            announcement: Some(applied.header),
        }))
    }

    async fn audit_tail(&self, request: Request<AuditTailRequest>) -> Result<Response<AuditTailResponse>, Status> {
        self.context.operator(&request, "AuditTail").await?;
        let AuditTailRequest { limit, after_seq } = request.into_inner();
        let limit = match limit as usize {
            0 => 20,
            n => n.min(MAX_LIST_LIMIT),
        };
        let entries = self.context.store.read(move |s| s.audit_tail(after_seq, limit)).await?;
        Ok(Response::new(AuditTailResponse {
            entries: entries
                .into_iter()
                .map(|e| AuditEntry {
                    seq: e.seq,
                    time: e.time,
                    actor: e.event.actor,
                    action: e.event.action,
                    target: e.event.target,
                    detail: e.event.detail,
                    prev: e.prev,
                    hash: e.hash,
                })
                .collect(),
        }))
    }

    async fn audit_verify(
        &self,
        request: Request<AuditVerifyRequest>,
    ) -> Result<Response<AuditVerifyResponse>, Status> {
        self.context.operator(&request, "AuditVerify").await?;
        let verification = self.context.store.read(|s| s.audit_verify()).await?;
        Ok(Response::new(match verification {
            Verification::Intact { entries, head } => AuditVerifyResponse {
                ok: true,
                entries,
                head,
                ..Default::default()
            },
            Verification::Broken { entries, seq, problem } => AuditVerifyResponse {
                ok: false,
                entries,
                first_bad_seq: seq,
                problem,
                head: String::new(),
            },
        }))
    }

    async fn sync(&self, request: Request<SyncRequest>) -> Result<Response<SyncResponse>, Status> {
        let caller = self.context.operator(&request, "Sync").await?;
        let peer = request.into_inner().peer;
        let peers = self
            .context
            .replicator
            .sync((!peer.is_empty()).then_some(peer.as_str()))
            .await?;
        let stored: u64 = peers.iter().flat_map(|p| &p.collections).map(|c| c.stored).sum();
        let event = AuditEvent {
            actor: caller.to_string(),
            action: "sync".into(),
            target: peer,
            detail: format!("{stored} records repaired"),
        };
        self.context.store.record(vec![event], None).await?;
        Ok(Response::new(SyncResponse { peers }))
    }

    async fn list_peers(&self, request: Request<ListPeersRequest>) -> Result<Response<ListPeersResponse>, Status> {
        self.context.operator(&request, "ListPeers").await?;
        Ok(Response::new(ListPeersResponse {
            peers: peer_entries(self.context.replicator.peers()),
        }))
    }

    async fn add_peer(&self, request: Request<AddPeerRequest>) -> Result<Response<PeersChanged>, Status> {
        let caller = self.context.operator(&request, "AddPeer").await?;
        let entry = request
            .into_inner()
            .peer
            .ok_or_else(|| Error::InvalidArgument("peer is required".into()))?;
        let peer = PeerConfig {
            agency: entry.agency,
            endpoint: entry.endpoint,
        };
        let peers = self.context.replicator.add_peer(peer, &caller.to_string()).await?;
        Ok(Response::new(PeersChanged {
            peers: peer_entries(peers),
        }))
    }

    async fn remove_peer(&self, request: Request<RemovePeerRequest>) -> Result<Response<PeersChanged>, Status> {
        let caller = self.context.operator(&request, "RemovePeer").await?;
        let agency = request.into_inner().agency;
        let peers = self
            .context
            .replicator
            .remove_peer(&agency, &caller.to_string())
            .await?;
        Ok(Response::new(PeersChanged {
            peers: peer_entries(peers),
        }))
    }

    type ScreenBatchStream = tokio_stream::wrappers::ReceiverStream<Result<ScreenResponse, Status>>;
    type ExportBundleStream = super::bundle::ExportStream;

    async fn want_bundle(&self, request: Request<BundleWantRequest>) -> Result<Response<BundleWant>, Status> {
        self.context.operator(&request, "WantBundle").await?;
        Ok(Response::new(super::bundle::want(&self.context)))
    }

    async fn export_bundle(
        &self,
        request: Request<BundleExportRequest>,
    ) -> Result<Response<Self::ExportBundleStream>, Status> {
        let caller = self.context.operator(&request, "ExportBundle").await?;
        let answer = super::bundle::export(self.context.clone(), caller.clone(), request.into_inner());
        self.answer(&caller, "bundle.export", answer).await
    }

    async fn import_bundle(
        &self,
        request: Request<tonic::Streaming<BundlePiece>>,
    ) -> Result<Response<BundleImportSummary>, Status> {
        let caller = self.context.operator(&request, "ImportBundle").await?;
        let answer = super::bundle::import(&self.context, &caller, request.into_inner()).await;
        self.answer(&caller, "bundle.import", answer).await
    }

    async fn screen(&self, request: Request<ScreenRequest>) -> Result<Response<ScreenResponse>, Status> {
        let caller = self.context.operator(&request, "Screen").await?;
        let answer = super::screen::screen(&self.context, request.into_inner()).await;
        self.answer(&caller, "screen", answer).await
    }

    async fn check_application(&self, request: Request<CheckRequest>) -> Result<Response<CheckResponse>, Status> {
        let caller = self.context.operator(&request, "CheckApplication").await?;
        let answer = super::check::check(&self.context, request.into_inner()).await;
        self.answer(&caller, "check", answer).await
    }

    async fn consult_open(&self, request: Request<ConsultOpenRequest>) -> Result<Response<Consultation>, Status> {
        let caller = self.context.operator(&request, "ConsultOpen").await?;
        let answer = super::consult::open(&self.context, &caller, request.into_inner()).await;
        self.answer(&caller, "consult.open", answer).await
    }

    async fn consult_list(
        &self,
        request: Request<ConsultListRequest>,
    ) -> Result<Response<ConsultListResponse>, Status> {
        let caller = self.context.operator(&request, "ConsultList").await?;
        let answer = super::consult::list(&self.context, request.into_inner()).await;
        self.answer(&caller, "consult.list", answer).await
    }

    async fn consult_show(&self, request: Request<ConsultShowRequest>) -> Result<Response<Consultation>, Status> {
        let caller = self.context.operator(&request, "ConsultShow").await?;
        let answer = super::consult::show(&self.context, request.into_inner().id).await;
        self.answer(&caller, "consult.show", answer).await
    }

    async fn consult_reply(&self, request: Request<ConsultReplyRequest>) -> Result<Response<Consultation>, Status> {
        let caller = self.context.operator(&request, "ConsultReply").await?;
        let answer = super::consult::reply(&self.context, &caller, request.into_inner()).await;
        self.answer(&caller, "consult.reply", answer).await
    }

    async fn consult_inform(&self, request: Request<ConsultInformRequest>) -> Result<Response<Consultation>, Status> {
        let caller = self.context.operator(&request, "ConsultInform").await?;
        let answer = super::consult::inform(&self.context, &caller, request.into_inner()).await;
        self.answer(&caller, "consult.inform", answer).await
    }

    async fn consult_close(
        &self,
        request: Request<ConsultCloseRequest>,
    ) -> Result<Response<ConsultCloseResponse>, Status> {
        let caller = self.context.operator(&request, "ConsultClose").await?;
        let answer = super::consult::close(&self.context, &caller, request.into_inner()).await;
        self.answer(&caller, "consult.close", answer).await
    }

    async fn screen_batch(
        &self,
        request: Request<tonic::Streaming<ScreenRequest>>,
    ) -> Result<Response<Self::ScreenBatchStream>, Status> {
        let caller = self.context.operator(&request, "ScreenBatch").await?;
        Ok(Response::new(super::screen::screen_batch(
            self.context.clone(),
            caller.to_string(),
            request.into_inner(),
        )))
    }

    async fn list_members(
        &self,
        request: Request<ListMembersRequest>,
    ) -> Result<Response<ListMembersResponse>, Status> {
        self.context.operator(&request, "ListMembers").await?;
        // The live keyring: configured keys plus those announced by rotations since.
        let mut members: Vec<Member> = Vec::new();
        for (agency, id, public_key, status) in self.context.policy.keyring().list() {
            let key = MemberKey {
                id,
                public_key,
                status: status.name().into(),
            };
            match members.last_mut() {
                Some(member) if member.agency == agency => member.keys.push(key),
                _ => members.push(Member {
                    agency,
                    keys: vec![key],
                }),
            }
        }
        Ok(Response::new(ListMembersResponse { members }))
    }
}
