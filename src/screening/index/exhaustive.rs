//! Brute force with the index's own token similarities, for the pruning property test.

use std::hash::Hash;

use super::{Index, NameId};
use crate::screening::optional_parts::query_forms;
use crate::screening::score::{QueryForm, Scratch};
use crate::screening::{Hit, Query};

use super::numbers_of;

impl<K: Clone + Eq + Hash> Index<K> {
    /// `screen_brute_force` with the token similarities of the vocabulary expansion that `screen` uses:
    /// tells what the pruning changes apart from pairs the expansion misses.
    pub(crate) fn screen_expanded_brute_force(&self, query: &Query) -> Vec<Hit<K>> {
        let mut matches = self.identifier_matches(query);
        let forms = query_forms(&query.name, query.entity);
        for form in &forms {
            let form = QueryForm::new(form);
            let pairs = self.expand(&form);
            let mut scratch = Scratch::default();
            for name_id in 0..self.names.len() as NameId {
                let floor = query.min_score - query.max_lift();
                self.score_into(&form, name_id, &pairs, floor, &mut matches, &mut scratch);
            }
        }
        self.rank(matches, query, &numbers_of(&forms))
    }
}
