//! Reset (1.6 §5.14): the central system asks for a soft or hard restart.

use crate::messages::types::{ResetStatus, ResetType};

json_object! {
    /// Reset.req (1.6 §6.39), central system to charge point.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ResetReq {
        /// Soft or hard.
        req r#type: ResetType = "type",
    }
}

json_object! {
    /// Reset.conf (1.6 §6.40).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ResetConf {
        /// Whether the charge point will reset.
        req status: ResetStatus = "status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let req: ResetReq = round_trip(r#"{"type":"Hard"}"#);
        assert_eq!(req.r#type, ResetType::Hard);
        let conf: ResetConf = round_trip(r#"{"status":"Accepted"}"#);
        assert_eq!(conf.status, ResetStatus::Accepted);
    }

    #[test]
    fn rejections() {
        assert_rejects::<ResetReq>(
            r#"{"type":"hard"}"#,
            "unknown variant `hard`, expected `Hard` or `Soft`",
        );
        assert_rejects::<ResetReq>(r#"{"type":"Soft","type":"Hard"}"#, "duplicate field `type`");
    }
}
