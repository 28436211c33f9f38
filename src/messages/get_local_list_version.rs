//! GetLocalListVersion (1.6 §5.10): the central system asks for the local
//! authorization list's version.

json_object! {
    /// GetLocalListVersion.req (1.6 §6.27), central system to charge point; no fields.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct GetLocalListVersionReq {
    }
}
json_object! {
    /// GetLocalListVersion.conf (1.6 §6.28).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct GetLocalListVersionConf {
        /// The version; 0 when the list is empty, -1 when there is no list support.
        req list_version: i32 = "listVersion",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let _: GetLocalListVersionReq = round_trip("{}");
        let conf: GetLocalListVersionConf = round_trip(r#"{"listVersion":-1}"#);
        assert_eq!(conf.list_version, -1);
    }

    #[test]
    fn rejections() {
        assert_rejects::<GetLocalListVersionReq>(r#"{"listVersion":1}"#, "unknown field `listVersion`");
        assert_rejects::<GetLocalListVersionConf>("{}", "missing field `listVersion`");
    }
}
