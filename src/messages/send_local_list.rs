//! SendLocalList (1.6 §5.15): the central system replaces or updates the local
//! authorization list.

use alloc::vec::Vec;

use crate::messages::types::{AuthorizationData, UpdateStatus, UpdateType};

json_object! {
    /// SendLocalList.req (1.6 §6.41), central system to charge point.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct SendLocalListReq {
        /// The list's version after the update.
        req list_version: i32 = "listVersion",
        /// The entries; absent or empty with a Full update empties the list.
        opt local_authorization_list: Vec<AuthorizationData> = "localAuthorizationList",
        /// Full replacement or differential update.
        req update_type: UpdateType = "updateType",
    }
}

json_object! {
    /// SendLocalList.conf (1.6 §6.42).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct SendLocalListConf {
        /// Whether the list was updated.
        req status: UpdateStatus = "status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};
    use crate::messages::types::AuthorizationStatus;

    #[test]
    fn round_trips() {
        let req: SendLocalListReq = round_trip(
            r#"{"listVersion":3,"updateType":"Differential","localAuthorizationList":[{"idTag":"04E8A1B2C3D480","idTagInfo":{"status":"Accepted","expiryDate":"2027-01-01T00:00:00Z","parentIdTag":"FLEET01"}},{"idTag":"DEADBEEF"}]}"#,
        );
        assert_eq!(req.update_type, UpdateType::Differential);
        let list = req.local_authorization_list.unwrap();
        assert_eq!(list.get(1).map(|e| e.id_tag_info.is_none()), Some(true));
        let kept = list.first().and_then(|e| e.id_tag_info.as_ref());
        assert_eq!(kept.map(|i| i.status), Some(AuthorizationStatus::Accepted));
        let emptied: SendLocalListReq = round_trip(r#"{"listVersion":4,"updateType":"Full"}"#);
        assert_eq!(emptied.local_authorization_list, None);
        let empty: SendLocalListReq =
            round_trip(r#"{"listVersion":5,"updateType":"Full","localAuthorizationList":[]}"#);
        assert_eq!(empty.local_authorization_list, Some(Vec::new()));
        let conf: SendLocalListConf = round_trip(r#"{"status":"VersionMismatch"}"#);
        assert_eq!(conf.status, UpdateStatus::VersionMismatch);
    }

    #[test]
    fn rejections() {
        assert_rejects::<SendLocalListReq>(r#"{"listVersion":3}"#, "missing field `updateType`");
        assert_rejects::<SendLocalListReq>(
            r#"{"listVersion":3,"updateType":"Full","localAuthorizationList":[{"idTag":"A","note":"x"}]}"#,
            "unknown field `note`",
        );
        assert_rejects::<SendLocalListReq>(
            r#"{"listVersion":3,"updateType":"Full","localAuthorizationList":[{"idTag":"A","idTagInfo":{"status":"Revoked"}}]}"#,
            "unknown variant `Revoked`",
        );
    }
}
