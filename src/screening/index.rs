//! The screening index: parties, their tokenized names, postings per token, identifiers.

use std::collections::HashMap;
use std::hash::Hash;

use super::bound::{NameOutline, NameShape};
use super::evidence::{Listed, party_evidence};
use super::jaro::Sketch;
use super::name_parts::{DROPPED_PART, QUERY_DROPPED_PART, Surname};
use super::optional_parts::{indexed_forms, query_forms};
use super::score::{
    BOUND_SLACK, DirectPairs, ExpandedPairs, ListedForm, NameScore, PairSource, QueryForm, Scratch, score_name,
};
use super::text::{NameForm, normalize_country, normalize_identifier};
use super::vocab::{FastMap, PREFETCH_BATCH, TokenId, Vocab};
use super::{
    DEFAULT_MIN_SCORE, EntityKind, Feature, Hit, NUMBER_MISMATCH_PENALTY, NameStrength, Particulars, PartyDoc, Query,
    WEAK_ALIAS_CAP,
};

mod candidates;
#[cfg(test)]
mod exhaustive;

#[cfg(test)]
pub(crate) use candidates::POSTINGS_BUDGET;
use candidates::best_bound_first;

type NameId = u32;
type PartyId = u32;

/// One indexed spelling (Latin or original script) of one listed name.
#[derive(Debug)]
struct NameEntry {
    party: PartyId,
    name_index: usize,
    strength: NameStrength,
    abjad: bool,
    tokens: Box<[TokenId]>,
    /// A person's surname tokens (`name_parts`), and how many parts this form leaves out.
    surname: Surname,
    dropped: u8,
}

#[derive(Debug)]
struct Party<K> {
    key: K,
    names: Vec<(String, NameStrength)>,
    entity: EntityKind,
    countries: Vec<String>,
    identifiers: Vec<String>,
    /// Normalized; `None` for the many parties that list no places or birth dates.
    particulars: Option<Box<Particulars>>,
    name_ids: Vec<NameId>,
}

/// Best evidence found for one party during a query.
#[derive(Debug, Default)]
struct PartyMatch {
    identifier: bool,
    strong: Option<(NameScore, NameId)>,
    weak: Option<(NameScore, NameId)>,
    /// The party's hit score as of the names above, once `Index::cutoff` needed it.
    hit_score: Option<f64>,
}

impl PartyMatch {
    /// Penalties and the weak-alias cap only lower a name score, and lifts are at most the query's
    /// `max_lift`, which callers take off `min_score`: below it, the party cannot hit.
    fn could_reach(&self, min_score: f64) -> bool {
        let best = [self.strong, self.weak]
            .into_iter()
            .flatten()
            .map(|(s, _)| f64::from(s.total()))
            .fold(0.0, f64::max);
        // Slack: this compares the f32 total of a name score, the hit its f64 feature sum.
        self.identifier || best >= min_score - f64::from(BOUND_SLACK)
    }

    /// Score of the weak alias if a strong name reaching `DEFAULT_MIN_SCORE` would lift its cap.
    fn capped_alias(&self) -> f64 {
        let strong = self.strong.map_or(0.0, |(s, _)| f64::from(s.total()));
        match self.weak {
            Some((weak, _)) if strong < DEFAULT_MIN_SCORE && f64::from(weak.total()) > strong => {
                f64::from(weak.total())
            }
            _ => f64::NEG_INFINITY,
        }
    }

    fn offer(&mut self, strength: NameStrength, score: NameScore, name: NameId) {
        let slot = match strength {
            NameStrength::Strong => &mut self.strong,
            NameStrength::Weak => &mut self.weak,
        };
        // Ties go to the lowest name id whatever the order names are scored in, as in brute force.
        let better = |(best, id): (NameScore, NameId)| (score.total(), id) > (best.total(), name);
        if slot.is_none_or(better) {
            *slot = Some((score, name));
            self.hit_score = None;
        }
    }
}

/// Fuzzy screening index over the parties of caller records keyed by `K`.
#[derive(Debug)]
pub struct Index<K> {
    vocab: Vocab,
    /// Names containing each token, by token id.
    postings: Vec<Vec<NameId>>,
    names: Vec<Option<NameEntry>>,
    /// Outline and shape of each name by id, for `candidates` to bound scores without reading the
    /// scattered entries.
    outlines: Vec<NameOutline>,
    shapes: Vec<NameShape>,
    free_names: Vec<NameId>,
    parties: Vec<Option<Party<K>>>,
    free_parties: Vec<PartyId>,
    by_key: HashMap<K, Vec<PartyId>>,
    identifiers: HashMap<String, Vec<PartyId>>,
    live_parties: usize,
    /// `candidates::POSTINGS_BUDGET`, lowered by tests so that small corpora skip common tokens too.
    postings_budget: usize,
    /// Rarity counts at least this many names (`rarity::MIN_NAMES`; tests lower it).
    rarity_floor: usize,
}

impl<K: Clone + Eq + Hash> Default for Index<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Clone + Eq + Hash> Index<K> {
    pub fn new() -> Self {
        Self {
            vocab: Vocab::default(),
            postings: Vec::new(),
            names: Vec::new(),
            outlines: Vec::new(),
            shapes: Vec::new(),
            free_names: Vec::new(),
            parties: Vec::new(),
            free_parties: Vec::new(),
            by_key: HashMap::new(),
            identifiers: HashMap::new(),
            live_parties: 0,
            postings_budget: candidates::POSTINGS_BUDGET,
            rarity_floor: super::rarity::MIN_NAMES,
        }
    }

    #[cfg(test)]
    pub(crate) fn set_postings_budget(&mut self, budget: usize) {
        self.postings_budget = budget;
    }

    #[cfg(test)]
    pub(crate) fn set_rarity_floor(&mut self, names: usize) {
        self.rarity_floor = names;
    }

    /// Number of parties indexed.
    pub fn len(&self) -> usize {
        self.live_parties
    }

    pub fn is_empty(&self) -> bool {
        self.live_parties == 0
    }

    /// Indexes the parties of a record, replacing whatever the record had before.
    pub fn upsert(&mut self, key: K, parties: Vec<PartyDoc>) {
        self.remove(&key);
        if parties.is_empty() {
            return;
        }
        let ids = parties
            .into_iter()
            .map(|doc| self.insert_party(key.clone(), doc))
            .collect();
        self.by_key.insert(key, ids);
    }

    /// Unindexes a record; its parties stop matching immediately.
    pub fn remove(&mut self, key: &K) {
        for party_id in self.by_key.remove(key).unwrap_or_default() {
            self.remove_party(party_id);
        }
    }

    /// Hits best first, at most one per party, each scoring at least `min_score`, at most `limit`.
    ///
    /// Candidates are scored best score bound first, and once `limit` hits are known, names that cannot
    /// change them (see `cutoff`) are skipped or only bounded.
    pub fn screen(&self, query: &Query) -> Vec<Hit<K>> {
        if query.limit == 0 {
            return Vec::new();
        }
        let mut matches = self.identifier_matches(query);
        let forms = query_forms(&query.name, query.entity);
        let numbers = numbers_of(&forms);
        for form in &forms {
            self.score_candidates(&QueryForm::new(form), query, &numbers, &mut matches);
        }
        self.rank(matches, query, &numbers)
    }

    /// Scores the candidates of one query form into `matches`, best bound first, until the others
    /// cannot change the hits returned.
    fn score_candidates(
        &self,
        form: &QueryForm,
        query: &Query,
        numbers: &[String],
        matches: &mut FastMap<PartyId, PartyMatch>,
    ) {
        let pairs = self.expand(form);
        let mut scratch = Scratch::default();
        // Thresholds are on hit scores; a name's score may be lifted by party evidence.
        let lift = query.max_lift();
        let mut min_score = self.cutoff(matches, query, numbers).max(query.min_score);
        for bucket in best_bound_first(self.candidates(form, &pairs, query.min_score - lift)) {
            for batch in bucket.names.chunks(PREFETCH_BATCH) {
                if f64::from(bucket.max_bound) + lift < min_score - f64::from(BOUND_SLACK) {
                    return;
                }
                self.prefetch(batch);
                let mut offered = false;
                for name_id in batch {
                    offered |= self.score_into(form, *name_id, &pairs, min_score - lift, matches, &mut scratch);
                }
                if offered {
                    min_score = self.cutoff(matches, query, numbers).max(query.min_score);
                }
            }
        }
    }

    /// Same scoring as `screen`, applied to every indexed name: the baseline the index must agree with.
    pub fn screen_brute_force(&self, query: &Query) -> Vec<Hit<K>> {
        let mut matches = self.identifier_matches(query);
        let forms = query_forms(&query.name, query.entity);
        for form in &forms {
            let form = QueryForm::new(form);
            let mut scratch = Scratch::default();
            for name_id in 0..self.names.len() as NameId {
                self.score_into(
                    &form,
                    name_id,
                    &DirectPairs,
                    query.min_score - query.max_lift(),
                    &mut matches,
                    &mut scratch,
                );
            }
        }
        self.rank(matches, query, &numbers_of(&forms))
    }

    fn insert_party(&mut self, key: K, doc: PartyDoc) -> PartyId {
        let party_id = match self.free_parties.pop() {
            Some(id) => id,
            None => {
                self.parties.push(None);
                (self.parties.len() - 1) as PartyId
            }
        };
        let identifiers: Vec<String> = doc.identifiers.iter().filter_map(|i| normalize_identifier(i)).collect();
        for identifier in &identifiers {
            self.identifiers.entry(identifier.clone()).or_default().push(party_id);
        }
        let mut name_ids = Vec::new();
        for (name_index, (text, strength)) in doc.names.iter().enumerate() {
            // A listed name is also indexed without the parts a query may leave out
            // (`optional_parts`).
            for indexed in indexed_forms(text, doc.entity) {
                let tokens = indexed.form.tokens.iter().map(|t| self.vocab.intern(t)).collect();
                let entry = NameEntry {
                    party: party_id,
                    name_index,
                    strength: *strength,
                    abjad: indexed.form.abjad,
                    tokens,
                    surname: indexed.surname,
                    dropped: indexed.form.dropped,
                };
                name_ids.push(self.insert_name(entry));
            }
        }
        self.parties[party_id as usize] = Some(Party {
            key,
            names: doc.names,
            entity: doc.entity,
            countries: doc.countries.iter().map(|c| normalize_country(c)).collect(),
            identifiers,
            particulars: Some(doc.particulars.normalized())
                .filter(|p| !p.is_empty())
                .map(Box::new),
            name_ids,
        });
        self.live_parties += 1;
        party_id
    }

    fn insert_name(&mut self, entry: NameEntry) -> NameId {
        let name_id = match self.free_names.pop() {
            Some(id) => id,
            None => {
                self.names.push(None);
                self.outlines.push(NameOutline::default());
                self.shapes.push(NameShape::default());
                (self.names.len() - 1) as NameId
            }
        };
        let sketches: Vec<Sketch> = entry.tokens.iter().map(|id| self.vocab.sketch(*id)).collect();
        let outline = NameOutline::of(&sketches);
        self.outlines[name_id as usize] = outline;
        self.shapes[name_id as usize] = NameShape::of(&sketches);
        self.postings.resize_with(self.vocab.len(), Vec::new);
        for token in distinct(&entry.tokens) {
            self.postings[token as usize].push(name_id);
        }
        self.names[name_id as usize] = Some(entry);
        name_id
    }

    fn remove_party(&mut self, party_id: PartyId) {
        let Some(party) = self.parties.get_mut(party_id as usize).and_then(Option::take) else {
            return;
        };
        for identifier in &party.identifiers {
            if let Some(ids) = self.identifiers.get_mut(identifier) {
                ids.retain(|id| *id != party_id);
                if ids.is_empty() {
                    self.identifiers.remove(identifier);
                }
            }
        }
        for name_id in party.name_ids {
            self.remove_name(name_id);
        }
        self.free_parties.push(party_id);
        self.live_parties -= 1;
    }

    /// Postings are unordered, so removal is a scan plus `swap_remove`: linear in the token's document
    /// frequency, which stays well under a millisecond even for the most common tokens.
    fn remove_name(&mut self, name_id: NameId) {
        let Some(entry) = self.names.get_mut(name_id as usize).and_then(Option::take) else {
            return;
        };
        for token in distinct(&entry.tokens) {
            let postings = &mut self.postings[token as usize];
            if let Some(pos) = postings.iter().position(|id| *id == name_id) {
                postings.swap_remove(pos);
            }
        }
        self.free_names.push(name_id);
    }

    fn identifier_matches(&self, query: &Query) -> FastMap<PartyId, PartyMatch> {
        let mut matches: FastMap<PartyId, PartyMatch> = FastMap::default();
        for identifier in query.identifiers.iter().filter_map(|i| normalize_identifier(i)) {
            for party_id in self.identifiers.get(&identifier).into_iter().flatten() {
                matches.entry(*party_id).or_default().identifier = true;
            }
        }
        matches
    }

    /// Fuzzy vocabulary expansion of each query token. Initials are left out: they would expand to
    /// every token with that first letter.
    fn expand(&self, form: &QueryForm) -> ExpandedPairs {
        let per_token = form
            .tokens
            .iter()
            .map(|token| match token.len() {
                0 | 1 => Vec::new(),
                _ => self.vocab.similar(token),
            })
            .collect();
        ExpandedPairs::new(per_token, self.vocab.len())
    }

    /// Loads the entries, tokens and token sketches of `names` in a tight loop, so that their cache misses
    /// overlap instead of stalling `score_name` one after another.
    fn prefetch(&self, names: &[NameId]) {
        let entries = names.iter().filter_map(|id| self.names.get(*id as usize)?.as_ref());
        let lens = entries.flat_map(|entry| entry.tokens.iter().map(|id| self.vocab.token_len(*id)));
        std::hint::black_box(lens.fold(0usize, usize::wrapping_add));
    }

    fn postings_of(&self, token: TokenId) -> &[NameId] {
        self.postings.get(token as usize).map_or(&[], Vec::as_slice)
    }

    /// `rarity::factor` of a token, from how many names its postings list.
    fn rarity(&self, token: TokenId) -> f32 {
        let names = self.names.len() - self.free_names.len();
        super::rarity::factor(self.postings_of(token).len(), names.max(self.rarity_floor))
    }

    fn score_into(
        &self,
        form: &QueryForm,
        name_id: NameId,
        pairs: &impl PairSource,
        min_score: f64,
        matches: &mut FastMap<PartyId, PartyMatch>,
        scratch: &mut Scratch,
    ) -> bool {
        let Some(Some(entry)) = self.names.get(name_id as usize) else {
            return false;
        };
        if form.dropped > 0 && (entry.dropped > 0 || entry.tokens.len() > form.tokens.len()) {
            return false; // see `query_forms`
        }
        let listed = ListedForm {
            tokens: &entry.tokens,
            abjad: entry.abjad,
            surname: entry.surname,
        };
        let mut score = score_name(
            form,
            listed,
            &self.vocab,
            pairs,
            &|id| self.rarity(id),
            min_score as f32,
            scratch,
        );
        if score.total() > 0.0 {
            score.dropped = -DROPPED_PART * f32::from(entry.dropped) - QUERY_DROPPED_PART * f32::from(form.dropped);
        }
        // A party's score never exceeds its best name score plus the query's lift (`min_score`
        // has it taken off), so weaker names cannot matter.
        let offered = score.total() > 0.0 && f64::from(score.total()) >= min_score - f64::from(BOUND_SLACK);
        if offered {
            matches
                .entry(entry.party)
                .or_default()
                .offer(entry.strength, score, name_id);
        }
        offered
    }

    /// The `limit`-th best hit score so far (or minus infinity): a name scoring below it less the query's
    /// lift (`Query::max_lift`) cannot change the hits returned. Its party would score below the `limit`
    /// hits known, as a party scores at most its best name plus that lift, and the score of a party at or above the cutoff comes from better names (see
    /// `choose_name`). The exception is a strong name lifting the cap off a weak alias: while a capped
    /// alias could score above the cutoff, there is none.
    fn cutoff(&self, matches: &mut FastMap<PartyId, PartyMatch>, query: &Query, numbers: &[String]) -> f64 {
        if query.limit == 0 {
            return f64::INFINITY; // `screen` returns no hits anyway
        }
        let mut scores = Vec::with_capacity(matches.len());
        let mut best_capped = f64::NEG_INFINITY;
        for (party_id, m) in matches.iter_mut() {
            let score = match m.hit_score {
                Some(score) => score,
                None => {
                    let score = self
                        .hit(*party_id, m, query, numbers)
                        .map_or(f64::NEG_INFINITY, |h| h.score);
                    *m.hit_score.insert(score)
                }
            };
            if score >= query.min_score && m.could_reach(query.min_score - query.max_lift()) {
                scores.push(score);
            }
            best_capped = best_capped.max(m.capped_alias() + query.max_lift());
        }
        if scores.len() < query.limit {
            return f64::NEG_INFINITY;
        }
        let (_, cutoff, _) = scores.select_nth_unstable_by(query.limit - 1, |a, b| b.total_cmp(a));
        if best_capped >= *cutoff {
            return f64::NEG_INFINITY;
        }
        *cutoff
    }

    fn rank(&self, matches: FastMap<PartyId, PartyMatch>, query: &Query, numbers: &[String]) -> Vec<Hit<K>> {
        let mut hits: Vec<(PartyId, Hit<K>)> = matches
            .into_iter()
            .filter(|(_, m)| m.could_reach(query.min_score - query.max_lift()))
            .filter_map(|(party_id, m)| Some((party_id, self.hit(party_id, &m, query, numbers)?)))
            .filter(|(_, hit)| hit.score >= query.min_score)
            .collect();
        hits.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then(a.0.cmp(&b.0)));
        hits.truncate(query.limit);
        hits.into_iter().map(|(_, hit)| hit).collect()
    }

    fn hit(&self, party_id: PartyId, m: &PartyMatch, query: &Query, numbers: &[String]) -> Option<Hit<K>> {
        let party = self.parties.get(party_id as usize)?.as_ref()?;
        if m.identifier {
            return Some(Hit {
                key: party.key.clone(),
                score: 1.0,
                matched_name: party.names.first().map(|(n, _)| n.clone()).unwrap_or_default(),
                features: vec![Feature {
                    name: "identifier_match",
                    weight: 1.0,
                }],
            });
        }
        let (name_score, name_id, weak_cap) = choose_name(m)?;
        let entry = self.names.get(name_id as usize)?.as_ref()?;
        let mut features = name_score.features();
        if weak_cap < 0.0 {
            features.push(Feature {
                name: "weak_alias_cap",
                weight: weak_cap,
            });
        }
        if self.numbers_disagree(entry, numbers) {
            features.push(Feature {
                name: "number_mismatch",
                weight: NUMBER_MISMATCH_PENALTY,
            });
        }
        let listed = Listed {
            countries: &party.countries,
            entity: party.entity,
            particulars: party.particulars.as_deref(),
        };
        features.extend(party_evidence(listed, query));
        let score = features.iter().map(|f| f.weight).sum::<f64>().clamp(0.0, 1.0);
        Some(Hit {
            key: party.key.clone(),
            score,
            matched_name: party.names.get(entry.name_index)?.0.clone(),
            features,
        })
    }
}

impl<K> Index<K> {
    /// Both names carry numbers and share none ("Grace 1" vs "Grace 2"): a strong sign of distinct
    /// vessels or companies that the fuzzy score cannot see.
    fn numbers_disagree(&self, entry: &NameEntry, numbers: &[String]) -> bool {
        let mut listed = entry
            .tokens
            .iter()
            .map(|id| &self.vocab.token(*id).chars)
            .filter(|c| is_number(c))
            .peekable();
        listed.peek().is_some()
            && !numbers.is_empty()
            && !listed.any(|chars| numbers.iter().any(|n| n.chars().eq(chars.iter().copied())))
    }
}

fn is_number(chars: &[char]) -> bool {
    !chars.is_empty() && chars.iter().all(char::is_ascii_digit)
}

/// Numeric tokens of the query (any form: digits transliterate to themselves).
fn numbers_of(forms: &[NameForm]) -> Vec<String> {
    let mut numbers: Vec<String> = forms
        .iter()
        .flat_map(|f| &f.tokens)
        .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()))
        .cloned()
        .collect();
    numbers.dedup();
    numbers
}

fn distinct(tokens: &[TokenId]) -> Vec<TokenId> {
    let mut unique = tokens.to_vec();
    unique.sort_unstable();
    unique.dedup();
    unique
}

/// The name that speaks for the party, with the (non-positive) weak-alias adjustment.
///
/// Weak aliases ("Abu Ali") collide too often to trigger a hit: a hit carried by one alone is capped
/// below the default threshold. Once a strong name triggers by itself, a better weak alias may raise it.
fn choose_name(m: &PartyMatch) -> Option<(NameScore, NameId, f64)> {
    let strong_total = m.strong.map_or(0.0, |(s, _)| f64::from(s.total()));
    let Some((weak, weak_id)) = m.weak.filter(|(w, _)| f64::from(w.total()) > strong_total) else {
        return m.strong.map(|(s, id)| (s, id, 0.0));
    };
    let weak_total = f64::from(weak.total());
    if strong_total >= DEFAULT_MIN_SCORE {
        return Some((weak, weak_id, 0.0));
    }
    let capped = weak_total.min(WEAK_ALIAS_CAP);
    match m.strong {
        Some((strong, id)) if strong_total >= capped => Some((strong, id, 0.0)),
        _ => Some((weak, weak_id, capped - weak_total)),
    }
}
