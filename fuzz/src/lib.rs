//! The logic of the fuzz targets, in one place so that the top-level
//! `tests/fuzz_corpus.rs` runs exactly what the fuzzers run (it includes this file as a
//! module with `#[path]`). So: no crate attributes here, no `crate::` paths, and only
//! crates that fedx itself depends on (fedx, prost, ed25519-dalek, base64, toml).
//!
//! The contract both targets check: bad input is refused with an error, never a panic,
//! and what is accepted is consistent (see the assertions).

/// Record decoding and admission: the path a record from a peer takes before storage
/// (`replication::link`: `key_hint`, `Policy::admit_remote`; the store's `from_stored`).
pub mod record {
    use std::sync::OnceLock;
    use std::time::Duration;

    use base64::Engine as _;
    use ed25519_dalek::{Signer as _, SigningKey};
    use fedx::config::Config;
    use fedx::crypto::{KeyStatus, SIGNATURE_DOMAIN};
    use fedx::proto::record_body::Kind;
    use fedx::proto::{
        Address, CheckOutcome, CheckReason, CheckStatus, CheckType, DenialAction, DenialStatus, EndUseCheck,
        EntityType, FollowUp, Identifier, IdentifierType, KeyAnnouncement, LicenseDenial, Name, NameKind, Party,
        Record, RecordBody, RecordHeader, Regime, SignedRecord, WatchlistEntry, WatchlistStatus,
    };
    use fedx::records::{Envelope, Policy, hlc, key_hint, sha256};
    use fedx::{Error, Refusal};
    use prost::Message as _;

    /// The receiving node's clock during admission: 2026-01-01T00:00:00Z, fixed so a
    /// run is reproducible.
    pub fn now() -> u64 {
        hlc::from_duration(Duration::from_secs(1_767_225_600))
    }

    /// The fixed federation: (agency, key id, secret key seed, TOML key attributes).
    /// Seeds are public: these keys sign nothing but fuzz inputs.
    const KEYS: &[(&str, &str, u8, &str)] = &[
        ("DE-BAFA", "DE-BAFA-1", 0x11, ""),
        ("DE-BAFA", "DE-BAFA-0", 0x10, r#", status = "retired""#),
        ("FR-SBDU", "FR-SBDU-1", 0x21, ""),
        (
            "FR-SBDU",
            "FR-SBDU-0",
            0x20,
            r#", status = "revoked", revoked_at = "2025-06-01T00:00:00Z""#,
        ),
        ("NL-CDIU", "NL-CDIU-1", 0x31, ""),
    ];

    /// The node that admits: DE-BAFA, with a small record limit so that oversize is
    /// reachable within libFuzzer's default input length.
    const CONFIG: &str = r#"
agency = "DE-BAFA"
listen = "127.0.0.1:0"
data_dir = "unused"
max_clock_skew = "60s"

[tls]
ca = "unused"
cert = "unused"
key = "unused"

[signing]
key = "unused"
key_id = "DE-BAFA-1"

[limits]
max_record_bytes = 2048

[[collections]]
name = "denials"
kind = "license_denial"
writers = ["DE-BAFA", "FR-SBDU", "NL-CDIU"]
readers = ["DE-BAFA", "FR-SBDU", "NL-CDIU"]

[[collections]]
name = "end-use-checks"
kind = "end_use_check"
mode = "owner"
writers = ["DE-BAFA", "FR-SBDU"]
readers = ["DE-BAFA", "FR-SBDU"]

[[collections]]
name = "watchlist.national"
kind = "watchlist_entry"
writers = ["DE-BAFA", "FR-SBDU", "NL-CDIU"]
readers = ["DE-BAFA", "FR-SBDU", "NL-CDIU"]

[[collections]]
name = "watchlist.eu-shared"
kind = "watchlist_entry"
mode = "shared"
writers = ["DE-BAFA", "FR-SBDU", "NL-CDIU"]
readers = ["DE-BAFA", "FR-SBDU", "NL-CDIU"]

[[collections]]
name = "nl-internal"
kind = "watchlist_entry"
writers = ["NL-CDIU"]
readers = ["NL-CDIU"]
"#;

    pub struct Federation {
        pub config: Config,
        pub policy: Policy,
        signers: Vec<(&'static str, &'static str, SigningKey)>,
    }

    impl Federation {
        fn new() -> Self {
            let signers: Vec<_> = KEYS
                .iter()
                .map(|&(agency, id, seed, _)| (agency, id, SigningKey::from_bytes(&[seed; 32])))
                .collect();
            let mut text = CONFIG.to_string();
            for agency in ["DE-BAFA", "FR-SBDU", "NL-CDIU"] {
                text.push_str(&format!("\n[[members]]\nagency = \"{agency}\"\nkeys = [\n"));
                for ((_, id, _, attributes), (_, _, key)) in KEYS.iter().zip(&signers).filter(|(k, _)| k.0 == agency) {
                    let public = base64::engine::general_purpose::STANDARD.encode(key.verifying_key().as_bytes());
                    text.push_str(&format!(
                        "  {{ id = \"{id}\", public_key = \"{public}\"{attributes} }},\n"
                    ));
                }
                text.push_str("]\n");
            }
            let config: Config = toml::from_str(&text).expect("the fuzz federation config parses");
            config.validate().expect("the fuzz federation config is valid");
            let policy = config.policy().expect("the fuzz federation policy builds");
            Federation {
                config,
                policy,
                signers,
            }
        }

        /// Signs record bytes as `(agency, key id)`, if that is one of the federation's keys.
        pub fn sign(&self, agency: &str, key_id: &str, record: &[u8]) -> Option<Vec<u8>> {
            let (_, _, key) = self.signers.iter().find(|(a, k, _)| *a == agency && *k == key_id)?;
            let mut message = SIGNATURE_DOMAIN.to_vec();
            message.extend_from_slice(record);
            Some(key.sign(&message).to_bytes().to_vec())
        }

        /// The same record bytes with a valid signature by the key its header names, if
        /// the bytes decode that far and the key is one of ours: so mutated records get
        /// past verification and reach the checks behind it.
        fn resign(&self, signed: &SignedRecord) -> Option<SignedRecord> {
            let header = Record::decode(signed.record.as_slice()).ok()?.header?;
            let signature = self.sign(&header.author, &header.key_id, &signed.record)?;
            (signature != signed.signature).then(|| SignedRecord {
                record: signed.record.clone(),
                signature,
            })
        }
    }

    pub fn federation() -> &'static Federation {
        static FEDERATION: OnceLock<Federation> = OnceLock::new();
        FEDERATION.get_or_init(Federation::new)
    }

    /// One fuzz input: the bytes of a wire `SignedRecord` (as in a replication `Batch`).
    /// `None` when they do not decode as one; otherwise the admission verdict of the bytes
    /// as they are. A record whose header decodes is admitted a second time re-signed by
    /// the key it names (when that is one of the federation's), which must never be
    /// refused as badly signed.
    pub fn run(data: &[u8]) -> Option<fedx::Result<()>> {
        let federation = federation();
        // How the store decodes what it keeps: may refuse, must not panic.
        if let Ok(envelope) = Envelope::from_stored(data) {
            let _ = envelope.version();
        }
        let signed = SignedRecord::decode(data).ok()?;
        let _ = key_hint(&signed);
        let verdict = admit(federation, signed.clone());
        if let Some(resigned) = federation.resign(&signed)
            && let Err(Error::Refused {
                reason: Refusal::BadSignature,
                detail,
            }) = admit(federation, resigned)
        {
            panic!("a record signed by the key its header names was refused: {detail}");
        }
        Some(verdict)
    }

    /// `admit_remote` with the invariants of an admitted record checked.
    fn admit(federation: &Federation, signed: SignedRecord) -> fedx::Result<()> {
        let bytes = signed.record.clone();
        let envelope = federation.policy.admit_remote(signed, now())?;
        assert_eq!(envelope.signed.record, bytes, "admission re-encoded the signed bytes");
        assert_eq!(envelope.hash, sha256(&bytes));
        let header = envelope.header();
        assert!(header.hlc <= now() + hlc::from_duration(federation.config.max_clock_skew));
        // What the store keeps decodes to the same version.
        let stored = Envelope::from_stored(&envelope.to_stored()).expect("an admitted record decodes as stored");
        assert_eq!(stored.version(), envelope.version());
        // An admitted key announcement is learnt (on a fresh policy: runs stay independent).
        if let Some(Kind::KeyAnnouncement(announcement)) = envelope.record.body.as_ref().and_then(|b| b.kind.as_ref()) {
            let policy = federation.config.policy().expect("the fuzz federation policy builds");
            policy.learn(&envelope).expect("an admitted key announcement is learnt");
            let status = policy.keyring().status(&header.author, &announcement.key_id);
            assert!(status.is_some(), "the announced key is in the keyring");
            if header.key_id != announcement.key_id {
                assert!(
                    matches!(
                        policy.keyring().status(&header.author, &header.key_id),
                        Some(KeyStatus::Retired { .. })
                    ),
                    "the announcing key is retired"
                );
            }
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------
    // Seed corpus: valid records of each kind and near misses, each named
    // `seed-<expected>-<what>`, <expected> being `ok`, a refusal (`Refusal::as_str`) or
    // `any` (no expectation: e.g. does not decode as a `SignedRecord` at all).
    // -----------------------------------------------------------------------------------

    fn party(name: &str, entity_type: EntityType, country: &str) -> Party {
        Party {
            names: vec![Name {
                full_name: name.into(),
                kind: NameKind::Primary as i32,
            }],
            entity_type: entity_type as i32,
            countries: vec![country.into()],
            ..Default::default()
        }
    }

    fn watchlist_entry() -> Kind {
        let mut party = party("Novatek Elektron Komponent OOO", EntityType::Organisation, "RU");
        party.names.push(Name {
            full_name: "ООО Новатек Электрон Компонент".into(),
            kind: NameKind::Alias as i32,
        });
        party.addresses.push(Address {
            street: "ul. Promyshlennaya 12".into(),
            city: "Moscow".into(),
            postal_code: "115201".into(),
            country: "RU".into(),
        });
        party.identifiers.push(Identifier {
            r#type: IdentifierType::Tax as i32,
            value: "7724418290".into(),
            issuing_country: "RU".into(),
        });
        Kind::WatchlistEntry(WatchlistEntry {
            list: "national".into(),
            party: Some(party),
            reason: "Procurement of dual-use microelectronics for military end users".into(),
            listing_date: "2025-05-20".into(),
            end_date: "2027-05-20".into(),
            status: WatchlistStatus::Active as i32,
            source_url: "https://example.org/list".into(),
            ..Default::default()
        })
    }

    fn person() -> Kind {
        let mut person = party("Ivan Petrov", EntityType::Person, "BY");
        person.birth_dates.push("1970-05-01".into());
        Kind::WatchlistEntry(WatchlistEntry {
            list: "EU".into(),
            party: Some(person),
            listing_date: "2025-01-15".into(),
            status: WatchlistStatus::Active as i32,
            ..Default::default()
        })
    }

    fn license_denial() -> Kind {
        Kind::LicenseDenial(LicenseDenial {
            reference: "FR-DN-2025-0042".into(),
            regime: Regime::WaDu as i32,
            action: DenialAction::Refusal as i32,
            control_list_entries: vec!["2B001.b.2".into(), "ML10".into()],
            item_description: "Five-axis CNC machining centre".into(),
            quantity: "2 units".into(),
            destination_country: "AE".into(),
            consignee: Some(party(
                "Gulf Precision Machinery Trading LLC",
                EntityType::Organisation,
                "AE",
            )),
            end_user: Some(party("Pars Aero Components", EntityType::Organisation, "IR")),
            intermediaries: vec![party("Baltic Tooling Supply OU", EntityType::Organisation, "EE")],
            decision_date: "2025-03-14".into(),
            review_due_date: "2028-03-14".into(),
            status: DenialStatus::Active as i32,
            ..Default::default()
        })
    }

    fn end_use_check() -> Kind {
        Kind::EndUseCheck(EndUseCheck {
            check_type: CheckType::PostShipmentVerification as i32,
            license_reference: "BAFA-AG-2025-77310".into(),
            parties: vec![party(
                "Orion Industrial Instruments Pte Ltd",
                EntityType::Organisation,
                "SG",
            )],
            items: vec!["3A001.a.2 microcircuits, 400 pcs".into()],
            site_address: Some(Address {
                city: "Singapore".into(),
                country: "SG".into(),
                ..Default::default()
            }),
            conducted_date: "2025-09-02".into(),
            outcome: CheckOutcome::Unfavorable as i32,
            reason: CheckReason::ItemsUnaccounted as i32,
            follow_up: FollowUp::WatchlistListing as i32,
            status: CheckStatus::Active as i32,
        })
    }

    /// 2025-12-31T23:00:00Z plus `offset` seconds (NTP64).
    fn stamp(offset: i64) -> u64 {
        hlc::from_duration(Duration::from_secs((1_767_222_000 + offset) as u64)) | 0x1234
    }

    fn header(collection: &str, id: &str, key_id: &str, seq: u64) -> RecordHeader {
        RecordHeader {
            collection: collection.into(),
            id: id.into(),
            author: key_id.rsplit_once('-').map_or(key_id, |(agency, _)| agency).into(),
            seq,
            hlc: stamp(seq as i64),
            key_id: key_id.into(),
            schema_version: fedx::records::SCHEMA_VERSION,
            tombstone: false,
        }
    }

    fn encode(header: RecordHeader, kind: Option<Kind>) -> Vec<u8> {
        Record {
            header: Some(header),
            body: kind.map(|kind| RecordBody { kind: Some(kind) }),
        }
        .encode_to_vec()
    }

    /// Signed by the key the header names (or DE-BAFA-1 for keys outside the federation).
    fn signed(record: Vec<u8>) -> Vec<u8> {
        let federation = federation();
        let header = Record::decode(record.as_slice()).unwrap().header.unwrap();
        let signature = federation
            .sign(&header.author, &header.key_id, &record)
            .unwrap_or_else(|| federation.sign("DE-BAFA", "DE-BAFA-1", &record).unwrap());
        SignedRecord { record, signature }.encode_to_vec()
    }

    /// The seed corpus of the `record` target (`tests/fuzz_corpus.rs` writes it).
    pub fn seeds() -> Vec<(String, Vec<u8>)> {
        let mut seeds: Vec<(&str, Vec<u8>)> = Vec::new();
        let mut add = |name, record| seeds.push((name, signed(record)));
        let h = header;

        // Accepted: every kind, both modes, tombstones, key announcements, older keys.
        add(
            "ok-watchlist-entry",
            encode(
                h("watchlist.national", "DE-BAFA/wl-1", "DE-BAFA-1", 1),
                Some(watchlist_entry()),
            ),
        );
        add(
            "ok-watchlist-person-shared-by-nl",
            encode(h("watchlist.eu-shared", "EU/shared-7", "NL-CDIU-1", 3), Some(person())),
        );
        add(
            "ok-license-denial-fr",
            encode(h("denials", "FR-SBDU/dn-42", "FR-SBDU-1", 2), Some(license_denial())),
        );
        add(
            "ok-end-use-check",
            encode(
                h("end-use-checks", "DE-BAFA/euc-1", "DE-BAFA-1", 1),
                Some(end_use_check()),
            ),
        );
        let mut tombstone = h("denials", "DE-BAFA/dn-1", "DE-BAFA-1", 4);
        tombstone.tombstone = true;
        add("ok-tombstone", encode(tombstone, None));
        let announcement = |key_id: &str, previous: &str| {
            Kind::KeyAnnouncement(KeyAnnouncement {
                key_id: key_id.into(),
                public_key: "orvpXYC7QpOsD/SmtktBx8mC5e/RG/eCKUjEftFXGzo=".into(),
                previous_key_id: previous.into(),
            })
        };
        add(
            "ok-key-announcement",
            encode(
                h("_keys", "DE-BAFA/DE-BAFA-2", "DE-BAFA-1", 1),
                Some(announcement("DE-BAFA-2", "DE-BAFA-1")),
            ),
        );
        add(
            "ok-retired-key",
            encode(
                h("watchlist.national", "DE-BAFA/wl-2", "DE-BAFA-0", 5),
                Some(watchlist_entry()),
            ),
        );
        let mut before_revocation = h("denials", "FR-SBDU/dn-1", "FR-SBDU-0", 1);
        before_revocation.hlc = hlc::from_duration(Duration::from_secs(1_740_000_000)); // 2025-02-19
        add(
            "ok-revoked-key-before-revocation",
            encode(before_revocation, Some(license_denial())),
        );

        // Refused, one seed per check.
        add(
            "revoked_key-after-revocation",
            encode(h("denials", "FR-SBDU/dn-2", "FR-SBDU-0", 2), Some(license_denial())),
        );
        add(
            "unknown_author",
            encode(h("denials", "XX-NONE/dn-1", "XX-NONE-1", 1), Some(license_denial())),
        );
        add(
            "unknown_key",
            encode(h("denials", "DE-BAFA/dn-1", "DE-BAFA-9", 1), Some(license_denial())),
        );
        add(
            "not_writer",
            encode(
                h("end-use-checks", "NL-CDIU/euc-1", "NL-CDIU-1", 1),
                Some(end_use_check()),
            ),
        );
        add(
            "foreign_id-owner-mode",
            encode(h("denials", "FR-SBDU/dn-42", "DE-BAFA-1", 1), Some(license_denial())),
        );
        add(
            "unknown_collection-not-held",
            encode(h("nl-internal", "NL-CDIU/x", "NL-CDIU-1", 1), Some(watchlist_entry())),
        );
        add(
            "unknown_collection-absent",
            encode(h("nothing", "DE-BAFA/x", "DE-BAFA-1", 1), Some(watchlist_entry())),
        );
        let mut future = h("watchlist.national", "DE-BAFA/wl-3", "DE-BAFA-1", 6);
        future.hlc = hlc::from_duration(Duration::from_secs(1_767_225_600 + 120));
        add("future_timestamp", encode(future, Some(watchlist_entry())));
        let mut schema = h("watchlist.national", "DE-BAFA/wl-4", "DE-BAFA-1", 7);
        schema.schema_version = 2;
        add("unknown_schema", encode(schema, Some(watchlist_entry())));
        add(
            "invalid_content-wrong-kind",
            encode(h("denials", "DE-BAFA/dn-5", "DE-BAFA-1", 5), Some(end_use_check())),
        );
        let Kind::LicenseDenial(mut denial) = license_denial() else {
            unreachable!()
        };
        denial.consignee = None;
        denial.destination_country = "XX".into();
        add(
            "invalid_content-bad-denial",
            encode(
                h("denials", "DE-BAFA/dn-6", "DE-BAFA-1", 6),
                Some(Kind::LicenseDenial(denial)),
            ),
        );
        add(
            "invalid_content-announcement-not-by-previous-key",
            encode(
                h("_keys", "DE-BAFA/DE-BAFA-3", "DE-BAFA-0", 2),
                Some(announcement("DE-BAFA-3", "DE-BAFA-1")),
            ),
        );
        add(
            "invalid_content-empty-body",
            encode(h("denials", "DE-BAFA/dn-7", "DE-BAFA-1", 7), None),
        );
        let mut tombstone_with_body = h("denials", "DE-BAFA/dn-8", "DE-BAFA-1", 8);
        tombstone_with_body.tombstone = true;
        add(
            "malformed-tombstone-with-body",
            encode(tombstone_with_body, Some(license_denial())),
        );
        add(
            "malformed-no-author",
            encode(h("denials", "DE-BAFA/dn-9", "", 9), Some(license_denial())),
        );
        add(
            "invalid_content-id-whitespace",
            encode(h("denials", " DE-BAFA/x", "DE-BAFA-1", 9), None),
        );
        let mut big = h("watchlist.national", "DE-BAFA/wl-big", "DE-BAFA-1", 9);
        big.collection.push_str(&" ".repeat(2048));
        add("oversize", encode(big, None));

        let mut seeds: Vec<(String, Vec<u8>)> = seeds.into_iter().map(|(n, b)| (n.to_string(), b)).collect();

        // Damaged copies of a valid record: a flipped signature bit, flipped record bits,
        // a short signature, truncations, no signature at all.
        let valid = SignedRecord::decode(seeds[2].1.as_slice()).unwrap();
        let mut flipped = valid.clone();
        flipped.signature[7] ^= 0x01;
        seeds.push(("bad_signature-flipped-signature-bit".into(), flipped.encode_to_vec()));
        let mut short = valid.clone();
        short.signature.pop();
        seeds.push(("bad_signature-short-signature".into(), short.encode_to_vec()));
        let mut unsigned = valid.clone();
        unsigned.signature.clear();
        seeds.push(("bad_signature-unsigned".into(), unsigned.encode_to_vec()));
        let mut reordered = valid.clone();
        let at = reordered.record.len() - 3; // inside the last string of the body
        reordered.record[at] ^= 0x20;
        seeds.push(("bad_signature-flipped-record-bit".into(), reordered.encode_to_vec()));
        let mut wrong_tag = valid.clone();
        wrong_tag.record[0] ^= 0x80;
        seeds.push(("any-flipped-record-tag".into(), wrong_tag.encode_to_vec()));
        let mut truncated_record = valid.clone();
        truncated_record.record.truncate(valid.record.len() / 2);
        seeds.push(("malformed-truncated-record".into(), truncated_record.encode_to_vec()));
        let whole = seeds[0].1.clone();
        seeds.push(("any-truncated-half".into(), whole[..whole.len() / 2].to_vec()));
        seeds.push(("any-truncated-by-one".into(), whole[..whole.len() - 1].to_vec()));
        seeds.push(("any-empty".into(), Vec::new()));
        seeds.push(("any-not-protobuf".into(), b"\xff\xff\xff\xff not a record".to_vec()));
        seeds
    }
}

/// Config parsing: TOML text through `Config` and `validate`, as `Config::load` and then
/// the node's start (`node.rs`) use it.
pub mod config {
    use fedx::Error;
    use fedx::config::Config;
    use fedx::records::hlc::Clock;

    /// One fuzz input: the text of a config file. `None` when it is not UTF-8, otherwise
    /// the verdict of parsing and validation. A config that validates must also give the
    /// node what it derives from it at start (the built-in collections, the admission
    /// policy, the clock) without an error or a panic.
    pub fn run(data: &[u8]) -> Option<fedx::Result<()>> {
        let text = std::str::from_utf8(data).ok()?;
        let config: Config = match toml::from_str(text) {
            Ok(config) => config,
            Err(e) => return Some(Err(Error::config(e.to_string()))),
        };
        if let Err(e) = config.validate() {
            return Some(Err(e));
        }
        let policy = config.policy().expect("a valid config gives an admission policy");
        assert_eq!(policy.agency(), config.agency);
        let clock = Clock::new(config.max_clock_skew, config.clock_ahead, None);
        let _ = clock.now();
        Some(Ok(()))
    }
}
