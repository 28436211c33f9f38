//! Authorize (1.6 §4.1): the charge point asks whether an idTag may charge.

use crate::messages::types::{CiString20, IdTagInfo};

json_object! {
    /// Authorize.req (1.6 §6.1), charge point to central system.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct AuthorizeReq {
        /// The identifier presented by the user.
        req id_tag: CiString20 = "idTag",
    }
}

json_object! {
    /// Authorize.conf (1.6 §6.2); lenient: unknown fields from the central system are ignored.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct AuthorizeConf [lenient] {
        /// The verdict on the idTag.
        req id_tag_info: IdTagInfo = "idTagInfo",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};
    use crate::messages::AuthorizationStatus;

    #[test]
    fn request_round_trip() {
        let req: AuthorizeReq = round_trip(r#"{"idTag":"04E8A1B2C3D480"}"#);
        assert_eq!(req.id_tag, "04E8A1B2C3D480");
    }

    #[test]
    fn confirmation_round_trip() {
        let conf: AuthorizeConf = round_trip(
            r#"{"idTagInfo":{"status":"Accepted","expiryDate":"2026-12-31T23:59:59Z","parentIdTag":"FLEET01"}}"#,
        );
        assert_eq!(conf.id_tag_info.status, AuthorizationStatus::Accepted);
        assert_eq!(conf.id_tag_info.parent_id_tag.as_deref(), Some("FLEET01"));
        let expiry = conf.id_tag_info.expiry_date.map(|d| d.unix_secs());
        assert_eq!(expiry, Some(1_798_761_599));
    }

    #[test]
    fn rejections() {
        assert_rejects::<AuthorizeReq>(r#"{"idTag":"123456789012345678901"}"#, "string too long");
        assert_rejects::<AuthorizeReq>("{}", "missing field `idTag`");
        assert_rejects::<AuthorizeReq>(r#"{"idTag":1234}"#, "invalid type: integer `1234`");
        assert_rejects::<AuthorizeConf>(r#"{"idTagInfo":{"status":"Unknown"}}"#, "unknown variant `Unknown`");
    }

    #[test]
    fn confirmation_ignores_unknown_fields() {
        let conf: AuthorizeConf =
            crate::json::from_str(r#"{"idTagInfo":{"status":"Invalid","x":1},"vendorInfo":"y"}"#).unwrap();
        assert_eq!(conf.id_tag_info.status, AuthorizationStatus::Invalid);
    }
}
