//! Bounds on the names a caller sends (collection names, ids, id prefixes), checked before
//! any work: an over-long one is refused with InvalidArgument, and its error says how long
//! it was instead of echoing it, so a megabyte id becomes neither a megabyte error message
//! (over clients' metadata limits) nor a megabyte log line or audit entry.

use crate::error::{Error, Result};
use crate::records::validate::ID_MAX;

/// The longest collection name config accepts.
pub const COLLECTION_MAX: usize = 64;

pub fn check_collection(name: &str) -> Result<()> {
    check_length("collection name", name, COLLECTION_MAX)
}

/// An id, or an id prefix or paging position (`field` names which).
pub fn check_id(field: &str, id: &str) -> Result<()> {
    check_length(field, id, ID_MAX)
}

fn check_length(field: &str, value: &str, max: usize) -> Result<()> {
    if value.len() > max {
        return Err(Error::InvalidArgument(format!(
            "{field} {} is too long: at most {max} bytes",
            crate::error::excerpt(value)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_over_long_name_is_refused_without_being_echoed() {
        assert!(check_collection("denials").is_ok());
        assert!(check_id("id", &"x".repeat(ID_MAX)).is_ok());
        let message = check_id("id", &"x".repeat(1 << 20)).unwrap_err().to_string();
        assert!(message.contains("1048576 bytes"), "{message}");
        assert!(message.len() < 200, "{message}");
        assert!(matches!(
            check_collection(&"c".repeat(65)),
            Err(Error::InvalidArgument(_))
        ));
    }
}
