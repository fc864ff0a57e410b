//! Anti-entropy's backoff for a peer whose answers we refuse: like a stream that sends
//! what we refuse is dropped and reconnected with growing delays, a peer whose `Fetch`
//! answers hold refused records is not compared again, periodically, until a delay that
//! doubles with each such round has passed. A round without refusals forgets it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The first delay; each refused round doubles it, up to `MAX`.
pub const MIN: Duration = Duration::from_secs(30);
pub const MAX: Duration = Duration::from_secs(3600);

#[derive(Debug, Default)]
pub struct RepairBackoff {
    peers: HashMap<String, Delay>,
}

#[derive(Debug, Clone, Copy)]
struct Delay {
    length: Duration,
    until: Instant,
}

impl RepairBackoff {
    /// Whether a periodic round may compare with `agency` at `now`.
    pub fn due(&self, agency: &str, now: Instant) -> bool {
        self.peers.get(agency).is_none_or(|d| now >= d.until)
    }

    /// A round with `agency` ended on refused records: backs it off, for twice as long as
    /// the last time; returns for how long.
    pub fn refused(&mut self, agency: &str, now: Instant) -> Duration {
        let length = match self.peers.get(agency) {
            Some(d) => (d.length * 2).min(MAX),
            None => MIN,
        };
        self.peers.insert(
            agency.to_string(),
            Delay {
                length,
                until: now + length,
            },
        );
        length
    }

    /// A round with `agency` had no refusals.
    pub fn clear(&mut self, agency: &str) {
        self.peers.remove(agency);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refused_round_doubles_the_delay_up_to_the_cap() {
        let mut backoff = RepairBackoff::default();
        let now = Instant::now();
        assert!(backoff.due("FR-SBDU", now));
        assert_eq!(backoff.refused("FR-SBDU", now), MIN);
        assert!(!backoff.due("FR-SBDU", now + MIN / 2));
        assert!(backoff.due("FR-SBDU", now + MIN));
        assert!(backoff.due("NL-CDIU", now), "other peers are not held back");
        assert_eq!(backoff.refused("FR-SBDU", now), MIN * 2);
        let lengths: Vec<Duration> = (0..10).map(|_| backoff.refused("FR-SBDU", now)).collect();
        assert_eq!(lengths.last(), Some(&MAX));
        backoff.clear("FR-SBDU");
        assert!(backoff.due("FR-SBDU", now));
        assert_eq!(backoff.refused("FR-SBDU", now), MIN);
    }
}
