//! The federation model: the members, the collections and who may read and write them.
//!
//! This is the one place that answers "may agency X read collection C" (releasability,
//! docs/design.md) and "may X write C under id I". Admission, replication (serve, link,
//! repair) and both APIs ask it; none of them reads a collection's readers or writers.

use std::collections::BTreeSet;

use crate::error::{Error, Refusal, Result};
use crate::records::{
    CONSULTATIONS_COLLECTION, KEYS_COLLECTION, Mode, RecordKind, SEALING_KEYS_COLLECTION, grants_collection,
};

/// One collection as the federation declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    pub name: String,
    pub kind: RecordKind,
    pub mode: Mode,
    writers: BTreeSet<String>,
    /// Writers are readers too; this set holds both.
    readers: BTreeSet<String>,
}

impl Collection {
    pub fn new(
        name: impl Into<String>,
        kind: RecordKind,
        mode: Mode,
        writers: impl IntoIterator<Item = String>,
        readers: impl IntoIterator<Item = String>,
    ) -> Self {
        let writers: BTreeSet<String> = writers.into_iter().collect();
        let readers = readers.into_iter().chain(writers.iter().cloned()).collect();
        Collection {
            name: name.into(),
            kind,
            mode,
            writers,
            readers,
        }
    }

    /// The built-in `_keys`: every member writes its own key announcements and reads
    /// everyone's, so no member can be cut off from another's keys.
    pub fn builtin_keys<'a>(members: impl IntoIterator<Item = &'a str>) -> Self {
        let members: Vec<String> = members.into_iter().map(str::to_owned).collect();
        Collection::new(
            KEYS_COLLECTION,
            RecordKind::KeyAnnouncement,
            Mode::Owner,
            members.clone(),
            members,
        )
    }

    /// Every member writes its own records and reads everyone's: `_keys`, `_sealing_keys`
    /// and `_consultations` (whose content is sealed to its two authorities).
    fn among_all(name: &str, kind: RecordKind, members: &[String]) -> Self {
        Collection::new(name, kind, Mode::Owner, members.to_vec(), members.to_vec())
    }

    /// The grant notices about a denial collection's denials: whoever may read a denial
    /// may grant after consulting, and every reader learns of it.
    fn grants_of(denials: &Collection) -> Self {
        let readers: Vec<String> = denials.readers.iter().cloned().collect();
        Collection::new(
            grants_collection(&denials.name),
            RecordKind::GrantNotice,
            Mode::Owner,
            readers.clone(),
            readers,
        )
    }

    pub fn may_read(&self, agency: &str) -> bool {
        self.readers.contains(agency)
    }

    pub fn may_write(&self, agency: &str) -> bool {
        self.writers.contains(agency)
    }

    /// The author may write this collection, and in `owner` mode only ids of its own.
    pub fn check_write(&self, author: &str, id: &str) -> Result<()> {
        if !self.may_write(author) {
            return Err(Error::refused(
                Refusal::NotWriter,
                format!("{author} may not write collection {}", self.name),
            ));
        }
        if self.mode == Mode::Owner {
            let own = id.strip_prefix(author).and_then(|rest| rest.strip_prefix('/'));
            if own.is_none_or(str::is_empty) {
                return Err(Error::refused(
                    Refusal::ForeignId,
                    format!(
                        "collection {} is owner-mode: ids of {author} look like \"{author}/...\", not {}",
                        self.name,
                        crate::error::excerpt(id)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The federation as this node sees it: who we are, the members, every collection.
#[derive(Debug, Clone)]
pub struct Federation {
    us: String,
    members: BTreeSet<String>,
    /// In the order the configuration declares them, `_keys` last: a handful, so a scan
    /// is as quick as a map and status lists them as the operator wrote them.
    collections: Vec<Collection>,
}

impl Federation {
    /// The federation of `members` with `collections`, plus the built-in ones: `_keys`,
    /// `_sealing_keys`, `_consultations` and `_grants.<c>` for each denial collection.
    pub fn new(
        us: impl Into<String>,
        members: impl IntoIterator<Item = String>,
        collections: impl IntoIterator<Item = Collection>,
    ) -> Self {
        let members: BTreeSet<String> = members.into_iter().collect();
        let mut collections: Vec<Collection> = collections.into_iter().collect();
        collections.retain(|c| !c.name.starts_with('_'));
        let grants: Vec<Collection> = collections
            .iter()
            .filter(|c| c.kind == RecordKind::LicenseDenial)
            .map(Collection::grants_of)
            .collect();
        let all: Vec<String> = members.iter().cloned().collect();
        collections.push(Collection::builtin_keys(members.iter().map(String::as_str)));
        collections.push(Collection::among_all(
            SEALING_KEYS_COLLECTION,
            RecordKind::SealingKey,
            &all,
        ));
        collections.push(Collection::among_all(
            CONSULTATIONS_COLLECTION,
            RecordKind::ConsultationStep,
            &all,
        ));
        collections.extend(grants);
        Federation {
            us: us.into(),
            members,
            collections,
        }
    }

    /// Our own agency.
    pub fn us(&self) -> &str {
        &self.us
    }

    pub fn is_member(&self, agency: &str) -> bool {
        self.members.contains(agency)
    }

    /// A collection the federation declares, whether or not this node holds it.
    pub fn declared(&self, name: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.name == name)
    }

    /// A collection this node holds (our agency may read it), whoever asks.
    pub fn held(&self, name: &str) -> Option<&Collection> {
        self.held_collections().find(|c| c.name == name)
    }

    /// Every collection this node holds, by name.
    pub fn held_collections(&self) -> impl Iterator<Item = &Collection> {
        self.collections.iter().filter(|c| c.may_read(&self.us))
    }

    /// A collection we hold and may release to `agency`: the releasability rule. Whatever
    /// it answers `None` for is neither sent to that agency nor named to it.
    pub fn releasable(&self, name: &str, agency: &str) -> Option<&Collection> {
        self.held(name).filter(|c| c.may_read(agency))
    }

    /// Every collection we hold and may release to `agency`.
    pub fn releasable_to<'a>(&'a self, agency: &'a str) -> impl Iterator<Item = &'a Collection> {
        self.held_collections().filter(move |c| c.may_read(agency))
    }

    /// A stream (an author's versions in one collection) we may hold: we hold the
    /// collection and the author may write it.
    pub fn may_hold_stream(&self, collection: &str, author: &str) -> bool {
        self.held(collection).is_some_and(|c| c.may_write(author))
    }

    /// Whether a collection's records travel ahead of bulk traffic (replication's urgent
    /// lane): licence denials, which a licensing officer must see before granting, and
    /// the federation's own small collections (signing and sealing keys, consultations,
    /// grants), which records on either lane may depend on.
    pub fn urgent(&self, collection: &str) -> bool {
        collection.starts_with('_')
            || self
                .declared(collection)
                .is_some_and(|c| c.kind == RecordKind::LicenseDenial)
    }

    /// A held collection, or the refusal a record or put for an unknown one gets.
    pub fn held_or_refuse(&self, name: &str) -> Result<&Collection> {
        self.held(name).ok_or_else(|| {
            Error::refused(
                Refusal::UnknownCollection,
                format!("no collection {} on this node", crate::error::excerpt(name)),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agencies(list: &[&str]) -> Vec<String> {
        list.iter().map(|a| a.to_string()).collect()
    }

    fn federation(us: &str) -> Federation {
        Federation::new(
            us,
            agencies(&["A", "B", "C"]),
            [
                Collection::new(
                    "all",
                    RecordKind::LicenseDenial,
                    Mode::Owner,
                    agencies(&["A", "B", "C"]),
                    [],
                ),
                Collection::new(
                    "ab",
                    RecordKind::EndUseCheck,
                    Mode::Owner,
                    agencies(&["A"]),
                    agencies(&["B"]),
                ),
            ],
        )
    }

    #[test]
    fn writers_read_and_releasability_needs_both_sides() {
        let a = federation("A");
        assert!(a.releasable("ab", "B").is_some());
        assert!(a.releasable("ab", "C").is_none(), "C is no reader");
        let c = federation("C");
        assert!(c.held("ab").is_none(), "C does not hold what it may not read");
        assert!(
            c.releasable("ab", "A").is_none(),
            "nothing is released that is not held"
        );
        let names: Vec<&str> = a.releasable_to("C").map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["all", "_keys", "_sealing_keys", "_consultations", "_grants.all"]
        );
    }

    #[test]
    fn keys_are_built_in_for_every_member() {
        let b = federation("B");
        let keys = b.held(KEYS_COLLECTION).unwrap();
        assert!(keys.may_write("C") && keys.may_read("A"));
        assert!(b.may_hold_stream("ab", "A"));
        assert!(!b.may_hold_stream("ab", "B"), "B reads ab but does not write it");
        let grants = b.held("_grants.all").unwrap();
        assert!(grants.may_write("C") && grants.kind == RecordKind::GrantNotice);
        assert!(b.held("_grants.ab").is_none(), "ab holds end-use checks, not denials");
    }

    #[test]
    fn owner_mode_ids_start_with_the_author() {
        let a = federation("A");
        let all = a.held("all").unwrap();
        assert!(all.check_write("A", "A/1").is_ok());
        assert!(all.check_write("A", "B/1").is_err());
        assert!(all.check_write("A", "A/").is_err());
        assert!(a.held("ab").unwrap().check_write("B", "B/1").is_err(), "B is no writer");
    }
}
