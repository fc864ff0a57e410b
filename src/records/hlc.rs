//! The hybrid logical clock (uhlc), as NTP64 `u64` timestamps: upper 32 bits are seconds
//! since 1970, lower 32 bits the fraction. Advanced on every local write and every accepted
//! remote record; the store persists the last value so it never goes back across restarts,
//! even when that value is ahead of the system clock (a clock jump forward since
//! corrected): timestamps then follow the stored one until the system clock passes it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use uhlc::{HLC, HLCBuilder, ID, NTP64, Timestamp};

use crate::error::{Error, Refusal, Result};

pub struct Clock {
    hlc: HLC,
    id: ID,
    max_skew: Duration,
    /// A simulated skew (config `clock_ahead`): the physical clock reads this much later.
    ahead: Duration,
    /// The last timestamp issued (or the stored one at start): every next one is later.
    last_issued: AtomicU64,
    stored_ahead: Option<StoredClockAhead>,
}

/// At start, the stored clock was ahead of the system clock by more than the allowed skew
/// (a clock jump forward, since corrected): timestamps follow the stored clock until the
/// system clock passes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredClockAhead {
    pub stored: u64,
    pub system: u64,
}

impl StoredClockAhead {
    /// Whether the system clock has still not passed the stored one.
    pub fn still_ahead(&self) -> bool {
        wall_clock() < self.stored
    }

    /// For the operator: both times, and what follows.
    pub fn describe(&self) -> String {
        format!(
            "the stored clock ({}) was {:.0} s ahead of the system clock ({}) at start (the clock jumped \
             forward and was set back?): timestamps follow the stored clock until the system clock \
             passes it; peers take our new records once their clocks are within max_clock_skew of them",
            to_rfc3339(self.stored),
            NTP64(self.stored.saturating_sub(self.system))
                .to_duration()
                .as_secs_f64(),
            to_rfc3339(self.system)
        )
    }
}

impl Clock {
    /// A clock that issues only timestamps after `persisted` (the last value this node used).
    pub fn new(max_skew: Duration, ahead: Duration, persisted: Option<u64>) -> Self {
        let id = ID::rand();
        let hlc = HLCBuilder::new().with_id(id).with_max_delta(max_skew).build();
        let mut clock = Clock {
            hlc,
            id,
            max_skew,
            ahead,
            last_issued: AtomicU64::new(persisted.unwrap_or(0)),
            stored_ahead: None,
        };
        if let Some(stored) = persisted
            && clock.observe(stored).is_err()
        {
            let jump = StoredClockAhead {
                stored,
                system: wall_clock_ahead(ahead),
            };
            tracing::warn!("{}", jump.describe());
            clock.stored_ahead = Some(jump);
        }
        clock
    }

    /// A new timestamp, greater than every one issued or observed before.
    pub fn now(&self) -> u64 {
        if !self.ahead.is_zero() {
            // Observing our own skewed wall time makes every later timestamp follow it.
            let _ = self.observe(wall_clock_ahead(self.ahead));
        }
        let hlc = self.hlc.new_timestamp().get_time().as_u64();
        let previous = self
            .last_issued
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |last| {
                Some(hlc.max(last.saturating_add(1)))
            })
            .unwrap_or_else(|last| last);
        hlc.max(previous.saturating_add(1))
    }

    /// Advances the clock past a remote timestamp; refuses one too far in the future.
    pub fn observe(&self, hlc: u64) -> Result<()> {
        check_skew(hlc, wall_clock_ahead(self.ahead), self.max_skew)?;
        self.hlc
            .update_with_timestamp(&Timestamp::new(NTP64(hlc), self.id))
            .map_err(|e| Error::refused(Refusal::FutureTimestamp, e.to_string()))
    }

    /// The stored clock found at start, if it was ahead of the system clock.
    pub fn stored_ahead(&self) -> Option<StoredClockAhead> {
        self.stored_ahead
    }
}

/// The wall clock as NTP64.
pub fn wall_clock() -> u64 {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    NTP64::from(since_epoch).as_u64()
}

/// The wall clock as NTP64, `ahead` later (config `clock_ahead`).
pub fn wall_clock_ahead(ahead: Duration) -> u64 {
    wall_clock().saturating_add(from_duration(ahead))
}

/// Refuses a timestamp whose physical part is more than `max_skew` ahead of `now`.
pub fn check_skew(hlc: u64, now: u64, max_skew: Duration) -> Result<()> {
    let ahead = NTP64(hlc.saturating_sub(now)).to_duration();
    if ahead > max_skew {
        return Err(Error::refused(
            Refusal::FutureTimestamp,
            format!(
                "timestamp {} is {:.1} s ahead of this node's clock (max_clock_skew is {} s): \
                 this host's clock is behind, or the author's is ahead",
                to_rfc3339(hlc),
                ahead.as_secs_f64(),
                max_skew.as_secs()
            ),
        ));
    }
    Ok(())
}

pub fn from_duration(since_epoch: Duration) -> u64 {
    NTP64::from(since_epoch).as_u64()
}

/// Time since the epoch of a timestamp's physical part.
pub fn to_duration(hlc: u64) -> Duration {
    NTP64(hlc).to_duration()
}

pub fn to_rfc3339(hlc: u64) -> String {
    NTP64(hlc).to_string_rfc3339_lossy()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX_SKEW: Duration = Duration::from_secs(60);

    #[test]
    fn skew_bound_is_in_seconds() {
        let now = wall_clock();
        let ahead = |d: Duration| now + from_duration(d);
        check_skew(ahead(Duration::from_secs(59)), now, MAX_SKEW).unwrap();
        assert!(check_skew(ahead(Duration::from_secs(61)), now, MAX_SKEW).is_err());
        // A unit mix-up (ms or µs read as s) would accept these; they are far ahead.
        assert!(check_skew(ahead(Duration::from_secs(60_000)), now, MAX_SKEW).is_err());
        assert!(check_skew(ahead(Duration::from_secs(61 * 1_000_000)), now, MAX_SKEW).is_err());
        // Past timestamps are always fine.
        check_skew(now - from_duration(Duration::from_secs(86_400)), now, MAX_SKEW).unwrap();
    }

    #[test]
    fn the_clock_is_monotonic_and_follows_observed_time() {
        let clock = Clock::new(MAX_SKEW, Duration::ZERO, None);
        let a = clock.now();
        let remote = wall_clock() + from_duration(Duration::from_secs(30));
        clock.observe(remote).unwrap();
        let b = clock.now();
        assert!(b > remote && b > a);
        let far = wall_clock() + from_duration(Duration::from_secs(120));
        let refused = clock.observe(far).unwrap_err().to_string();
        assert!(
            refused.contains("s ahead of this node's clock (max_clock_skew is 60 s)"),
            "{refused}"
        );
    }

    #[test]
    fn a_restarted_clock_starts_after_the_persisted_value() {
        let last = wall_clock() + from_duration(Duration::from_secs(10));
        let clock = Clock::new(MAX_SKEW, Duration::ZERO, Some(last));
        assert!(clock.now() > last);
        assert_eq!(clock.stored_ahead(), None, "within the allowed skew");
    }

    #[test]
    fn a_stored_clock_far_ahead_is_followed_and_reported() {
        let stored = wall_clock() + from_duration(Duration::from_secs(7200));
        let clock = Clock::new(MAX_SKEW, Duration::ZERO, Some(stored));
        let jump = clock.stored_ahead().expect("reported");
        assert_eq!(jump.stored, stored);
        assert!(jump.still_ahead());
        assert!(jump.describe().contains("7200 s ahead"), "{}", jump.describe());
        let (a, b) = (clock.now(), clock.now());
        assert!(stored < a && a < b);
        // A remote record from a correct clock is still taken, and issues stay after ours.
        clock.observe(wall_clock()).unwrap();
        assert!(clock.now() > b);
    }
}
