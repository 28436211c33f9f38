//! ClearCache (1.6 §5.4): the central system clears the authorization cache.

use crate::messages::types::ClearCacheStatus;

json_object! {
    /// ClearCache.req (1.6 §6.11), central system to charge point; no fields.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct ClearCacheReq {
    }
}
json_object! {
    /// ClearCache.conf (1.6 §6.12).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ClearCacheConf {
        /// Whether the cache was cleared.
        req status: ClearCacheStatus = "status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let req: ClearCacheReq = round_trip("{}");
        assert_eq!(req, ClearCacheReq {});
        assert_eq!(crate::json::to_string(&ClearCacheReq::default()), "{}");
        let conf: ClearCacheConf = round_trip(r#"{"status":"Accepted"}"#);
        assert_eq!(conf.status, ClearCacheStatus::Accepted);
    }

    #[test]
    fn rejections() {
        assert_rejects::<ClearCacheReq>(r#"{"all":true}"#, "unknown field `all`");
        assert_rejects::<ClearCacheConf>(r#"{"status":"Cleared"}"#, "unknown variant `Cleared`");
    }
}
