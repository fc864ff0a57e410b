//! How much one heavy read (`List`, `Fetch`) may answer, and how many run at once: pages
//! are bounded by bytes as well as by count, well under the message limit, so no page is
//! ever refused for its size and the caller continues after it; and a node answering many
//! such calls at once holds only a few pages in memory, the other calls waiting their turn.

use std::collections::HashSet;

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::{Error, Result};

/// Heavy reads answered at once; the rest wait.
const CONCURRENT: usize = 4;

/// Signed bytes of the records in one `List` page: each is answered twice (its signed
/// bytes and their decoding), so a page is about half a message.
pub fn list_budget(max_message_bytes: usize) -> usize {
    max_message_bytes / 4
}

/// Signed bytes of the records in one `Fetch` answer: half a message.
pub fn fetch_budget(max_message_bytes: usize) -> usize {
    max_message_bytes / 2
}

/// Permits for heavy reads.
pub struct HeavyReads(Semaphore);

impl Default for HeavyReads {
    fn default() -> Self {
        HeavyReads(Semaphore::new(CONCURRENT))
    }
}

impl HeavyReads {
    /// Waits for a turn; the permit is held while the page is read.
    pub async fn turn(&self) -> Result<SemaphorePermit<'_>> {
        self.0
            .acquire()
            .await
            .map_err(|_| Error::Unavailable("the node is shutting down".into()))
    }
}

/// `ids` without repeats, in the order first asked: each is answered once.
pub fn distinct(ids: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    ids.into_iter().filter(|id| seen.insert(id.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_ids_are_answered_once_in_the_order_asked() {
        let ids = ["b", "a", "b", "c", "a"].map(String::from).to_vec();
        assert_eq!(distinct(ids), ["b", "a", "c"].map(String::from).to_vec());
    }
}
