//! The one mapping from library errors to gRPC status codes.

use tonic::{Code, Status};

use crate::error::Error;

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        let code = match &error {
            Error::Refused { reason, .. } if reason.is_permission() => Code::PermissionDenied,
            Error::Refused { .. } | Error::InvalidArgument(_) | Error::Config(_) => Code::InvalidArgument,
            Error::Unauthenticated(_) => Code::Unauthenticated,
            Error::PermissionDenied(_) => Code::PermissionDenied,
            Error::NotFound(_) => Code::NotFound,
            Error::FailedPrecondition(_) => Code::FailedPrecondition,
            Error::Unavailable(_) | Error::Storage { .. } => Code::Unavailable,
            Error::Internal(_) => Code::Internal,
        };
        let mut status = Status::new(code, error.to_string());
        // Clients tell a refused record (their content) from a refused caller by this.
        if let Error::Refused { reason, .. } = &error {
            status.metadata_mut().insert(
                REFUSAL_METADATA,
                tonic::metadata::MetadataValue::from_static(reason.as_str()),
            );
        }
        status
    }
}

/// Response metadata naming the refusal reason of a refused record.
pub const REFUSAL_METADATA: &str = "fedx-refusal";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Refusal;

    #[test]
    fn refusals_map_to_argument_or_permission() {
        let code = |e: Error| Status::from(e).code();
        assert_eq!(code(Error::invalid("x")), Code::InvalidArgument);
        assert_eq!(code(Error::refused(Refusal::Malformed, "x")), Code::InvalidArgument);
        assert_eq!(
            code(Error::refused(Refusal::FutureTimestamp, "x")),
            Code::InvalidArgument
        );
        assert_eq!(code(Error::refused(Refusal::ForeignId, "x")), Code::PermissionDenied);
        assert_eq!(code(Error::refused(Refusal::BadSignature, "x")), Code::PermissionDenied);
        assert_eq!(code(Error::Unavailable("x".into())), Code::Unavailable);
        let foreign = Status::from(Error::refused(Refusal::ForeignId, "x"));
        assert_eq!(foreign.metadata().get(REFUSAL_METADATA).unwrap(), "foreign_id");
    }

    #[test]
    fn a_storage_fault_reads_once_and_keeps_its_cause() {
        let io = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let error = Error::storage("the data directory /d refuses writes: permission denied", io);
        assert!(std::error::Error::source(&error).is_some(), "the I/O error is kept");
        let status = Status::from(error);
        assert_eq!(status.code(), Code::Unavailable);
        assert_eq!(
            status.message(),
            "storage: the data directory /d refuses writes: permission denied"
        );
    }
}
