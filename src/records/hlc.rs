//! The hybrid logical clock (uhlc), as NTP64 `u64` timestamps: upper 32 bits are seconds
//! since 1970, lower 32 bits the fraction. Advanced on every local write and every accepted
//! remote record; the store persists the last value so it never goes back across restarts.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use uhlc::{HLC, HLCBuilder, ID, NTP64, Timestamp};

use crate::error::{Error, Refusal, Result};

pub struct Clock {
    hlc: HLC,
    id: ID,
    /// A simulated skew (config `clock_ahead`): the physical clock reads this much later.
    ahead: Duration,
}

impl Clock {
    /// A clock that starts no earlier than `persisted` (the last value this node used).
    pub fn new(max_skew: Duration, ahead: Duration, persisted: Option<u64>) -> Result<Self> {
        let id = ID::rand();
        let hlc = HLCBuilder::new().with_id(id).with_max_delta(max_skew).build();
        let clock = Clock { hlc, id, ahead };
        if let Some(last) = persisted {
            clock.observe(last).map_err(|_| {
                Error::FailedPrecondition(format!(
                    "the stored clock ({}) is ahead of the system clock by more than the allowed skew; \
                     fix the system clock before starting",
                    to_rfc3339(last)
                ))
            })?;
        }
        Ok(clock)
    }

    /// A new timestamp, greater than every one issued or observed before.
    pub fn now(&self) -> u64 {
        if !self.ahead.is_zero() {
            // Observing our own skewed wall time makes every later timestamp follow it.
            let _ = self.observe(wall_clock_ahead(self.ahead));
        }
        self.hlc.new_timestamp().get_time().as_u64()
    }

    /// Advances the clock past a remote timestamp; refuses one too far in the future.
    pub fn observe(&self, hlc: u64) -> Result<()> {
        self.hlc
            .update_with_timestamp(&Timestamp::new(NTP64(hlc), self.id))
            .map_err(|e| Error::refused(Refusal::FutureTimestamp, e.to_string()))
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
                "timestamp {} is {:.1} s ahead of this node's clock (max_clock_skew is {} s)",
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
        let clock = Clock::new(MAX_SKEW, Duration::ZERO, None).unwrap();
        let a = clock.now();
        let remote = wall_clock() + from_duration(Duration::from_secs(30));
        clock.observe(remote).unwrap();
        let b = clock.now();
        assert!(b > remote && b > a);
        let far = wall_clock() + from_duration(Duration::from_secs(120));
        assert!(clock.observe(far).is_err());
    }

    #[test]
    fn a_restarted_clock_starts_after_the_persisted_value() {
        let last = wall_clock() + from_duration(Duration::from_secs(10));
        let clock = Clock::new(MAX_SKEW, Duration::ZERO, Some(last)).unwrap();
        assert!(clock.now() > last);
        let too_far = wall_clock() + from_duration(Duration::from_secs(600));
        assert!(Clock::new(MAX_SKEW, Duration::ZERO, Some(too_far)).is_err());
    }
}
