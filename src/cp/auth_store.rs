//! The Local Authorization List and the Authorization Cache (1.6 §3.5), and the local
//! authorization decision that reads them.
//!
//! Pure data: no I/O, no clock (the wall-clock `now` is an argument), memory bounded by the
//! capacities the caller passes (LocalAuthListMaxLength, SendLocalListMaxLength, the cache
//! capacity). The charge point wires it to SendLocalList, GetLocalListVersion, ClearCache,
//! the idTagInfo of Authorize/StartTransaction/StopTransaction and to persistence.
//!
//! How the spec is read here (each rule is also documented on its function):
//! - idTags compare case-insensitively, folding ASCII only (1.6 §2.2 CiString: printable ASCII).
//! - An Accepted entry whose expiryDate lies before `now` reads as Expired, in the list as in
//!   the cache (1.6 §3.5.1, §3.5.4: apparently expired identifiers MUST be rejected).
//! - The list has priority over the cache (1.6 §3.5.3); identifiers in the list are not added
//!   to the cache ([`remember`]).
//! - Online, a local entry only ever starts a transaction early (LocalPreAuthorize); it never
//!   rejects on its own: a non-Accepted or unknown tag is asked about (1.6 §3.5.1: an entry
//!   that is not valid SHOULD be checked with Authorize.req while online; §4.1 lets the charge
//!   point send Authorize.req for any locally known tag).
//! - Offline, a known non-Accepted entry always rejects (1.6 §3.5.4), a known Accepted entry
//!   accepts with LocalAuthorizeOffline, and everything else is up to AllowOfflineTxForUnknownId.

use alloc::vec::Vec;
use core::cmp::Ordering;

use crate::messages::{
    AuthorizationData, AuthorizationStatus, CiString20, IdTagInfo, SendLocalListReq, UpdateStatus, UpdateType,
};
use crate::time::DateTime;

/// Orders idTags as OCPP compares them: ASCII letters folded to lower case (1.6 §2.2).
fn cmp_tag(a: &str, b: &str) -> Ordering {
    let fold = |c: u8| c.to_ascii_lowercase();
    a.bytes().map(fold).cmp(b.bytes().map(fold))
}

/// Whether an Accepted `info` is past its expiryDate at `now` (1.6 §7.27: the idTag is
/// invalid *after* expiryDate, so the instant itself is still valid).
fn expired(info: &IdTagInfo, now: DateTime) -> bool {
    info.status == AuthorizationStatus::Accepted && info.expiry_date.is_some_and(|d| now > d)
}

/// Whether `info` lets its idTag charge at `now`.
fn valid(info: &IdTagInfo, now: DateTime) -> bool {
    info.status == AuthorizationStatus::Accepted && !expired(info, now)
}

/// `info` as it reads at `now`: Accepted turns Expired once expiryDate has passed.
fn as_of(info: &IdTagInfo, now: DateTime) -> IdTagInfo {
    let mut out = info.clone();
    if expired(info, now) {
        out.status = AuthorizationStatus::Expired;
    }
    out
}

/// An idTagInfo with only a status.
fn bare(status: AuthorizationStatus) -> IdTagInfo {
    IdTagInfo {
        status,
        expiry_date: None,
        parent_id_tag: None,
    }
}

/// The request's entries sorted by idTag, or `None` if an idTag occurs twice
/// (1.6 §5.15: all idTags in localAuthorizationList MUST be unique).
fn sorted_unique(items: &[AuthorizationData]) -> Option<Vec<&AuthorizationData>> {
    let mut sorted: Vec<&AuthorizationData> = items.iter().collect();
    crate::sort::sort_by(&mut sorted, |a, b| cmp_tag(&a.id_tag, &b.id_tag) == Ordering::Less);
    let duplicate = sorted
        .windows(2)
        .any(|w| matches!(w, [a, b] if cmp_tag(&a.id_tag, &b.id_tag) == Ordering::Equal));
    (!duplicate).then_some(sorted)
}

// ---------------------------------------------------------------------------------------
// Local Authorization List
// ---------------------------------------------------------------------------------------

/// The Local Authorization List (1.6 §3.5.2): the idTags the central system sends with
/// SendLocalList, with their idTagInfo and the list's version.
///
/// Entries are kept sorted by case-folded idTag, unique, and every one has an idTagInfo, so a
/// lookup is a binary search. Its length never exceeds the `max_len` of the
/// [`apply`](Self::apply) calls that built it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalAuthList {
    version: i32,
    entries: Vec<AuthorizationData>,
}

impl LocalAuthList {
    /// An empty list, version 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Where `tag` is (`Ok`) or would go (`Err`).
    fn find(&self, tag: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|e| cmp_tag(&e.id_tag, tag))
    }

    /// Applies a SendLocalList.req (1.6 §5.15, §6.41) and returns the SendLocalList.conf
    /// status. Anything but Accepted leaves the list and its version unchanged.
    ///
    /// Checks, in this order:
    /// 1. More than `send_max` entries (SendLocalListMaxLength) -> Failed.
    /// 2. The version (1.6 §7.47: VersionMismatch is about differential updates):
    ///    - Differential: `listVersion` must be greater than [`version`](Self::version), so an
    ///      equal version (a repeated update) is a VersionMismatch, and so is 0 or -1.
    ///    - Full: any `listVersion` >= 1 is accepted, lower or equal to the current one
    ///      included: a full list restarts the numbering. 0 is accepted only for a Full update
    ///      that empties the list (1.6 §5.10: 0 means empty); a negative version (-1 means
    ///      "no list support") and 0 with entries -> VersionMismatch.
    /// 3. A Full entry without idTagInfo (1.6 §7.1: required for Full) -> Failed.
    /// 4. The same idTag twice, case-insensitively (1.6 §5.15: MUST be unique) -> Failed.
    /// 5. A resulting list longer than `max_len` (LocalAuthListMaxLength) -> Failed. A
    ///    differential update that does not grow a list that is already longer (the maximum
    ///    was lowered) is still applied.
    ///
    /// Full replaces the list; an absent or empty list empties it. Differential adds or
    /// replaces the entries with idTagInfo and removes those without; absent or empty, it
    /// changes only the version (1.6 §5.15: no effect on the list).
    #[must_use]
    pub fn apply(&mut self, req: &SendLocalListReq, max_len: usize, send_max: usize) -> UpdateStatus {
        let items = req.local_authorization_list.as_deref().unwrap_or(&[]);
        let full = req.update_type == UpdateType::Full;
        if items.len() > send_max {
            return UpdateStatus::Failed;
        }
        let version_ok = if full {
            req.list_version > 0 || (req.list_version == 0 && items.is_empty())
        } else {
            req.list_version > self.version()
        };
        if !version_ok {
            return UpdateStatus::VersionMismatch;
        }
        if full && items.iter().any(|e| e.id_tag_info.is_none()) {
            return UpdateStatus::Failed;
        }
        let Some(sorted) = sorted_unique(items) else {
            return UpdateStatus::Failed;
        };
        if full {
            if sorted.len() > max_len {
                return UpdateStatus::Failed;
            }
            // Free the old list before building the new one: the peak is one list, not two.
            self.entries = Vec::new();
            let mut entries = Vec::with_capacity(sorted.len());
            entries.extend(sorted.into_iter().cloned());
            self.entries = entries;
        } else {
            let before = self.entries.len();
            let mut after = before;
            for e in &sorted {
                match (e.id_tag_info.is_some(), self.find(&e.id_tag).is_ok()) {
                    (true, false) => after += 1,
                    (false, true) => after -= 1,
                    _ => {}
                }
            }
            if after > max_len && after > before {
                return UpdateStatus::Failed;
            }
            for e in sorted {
                // The indices come from the binary search on this very list.
                match (self.find(&e.id_tag), e.id_tag_info.is_some()) {
                    (Ok(i), true) => {
                        if let Some(slot) = self.entries.get_mut(i) {
                            *slot = e.clone();
                        }
                    }
                    (Ok(i), false) => {
                        self.entries.remove(i);
                    }
                    (Err(i), true) => self.entries.insert(i, e.clone()),
                    (Err(_), false) => {}
                }
            }
        }
        self.version = req.list_version;
        UpdateStatus::Accepted
    }

    /// The version for GetLocalListVersion.conf: 0 when the list is empty or was never set
    /// (1.6 §5.10), the `listVersion` of the last accepted update otherwise. Reporting -1
    /// when the list is disabled is the caller's business.
    pub fn version(&self) -> i32 {
        if self.entries.is_empty() {
            0
        } else {
            self.version
        }
    }

    /// The stored idTagInfo of `tag`, compared case-insensitively. Expiry is not applied
    /// here ([`decide`] and [`local_verdict`] apply it).
    pub fn lookup(&self, tag: &str) -> Option<&IdTagInfo> {
        let i = self.find(tag).ok()?;
        self.entries.get(i).and_then(|e| e.id_tag_info.as_ref())
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, sorted by case-folded idTag, each with an idTagInfo (for persistence).
    pub fn entries(&self) -> &[AuthorizationData] {
        &self.entries
    }

    /// Puts back a persisted list (what [`version`](Self::version) and
    /// [`entries`](Self::entries) returned). Entries without idTagInfo are dropped and of
    /// duplicate idTags the last is kept, so the list's invariants hold whatever was read
    /// back; a negative version is read as 0.
    pub fn restore(&mut self, version: i32, mut entries: Vec<AuthorizationData>) {
        entries.retain(|e| e.id_tag_info.is_some());
        // Equal idTags in stored order (the index breaks ties), then the last of each run kept.
        let mut numbered: Vec<(usize, AuthorizationData)> = entries.into_iter().enumerate().collect();
        crate::sort::sort_by(&mut numbered, |(i, a), (j, b)| {
            cmp_tag(&a.id_tag, &b.id_tag).then(i.cmp(j)) == Ordering::Less
        });
        numbered.dedup_by(|later, earlier| {
            let same = cmp_tag(&later.1.id_tag, &earlier.1.id_tag) == Ordering::Equal;
            if same {
                core::mem::swap(later, earlier);
            }
            same
        });
        self.entries = numbered.into_iter().map(|(_, e)| e).collect();
        self.version = version.max(0);
    }
}

// ---------------------------------------------------------------------------------------
// Authorization Cache
// ---------------------------------------------------------------------------------------

/// The Authorization Cache (1.6 §3.5.1): the last idTagInfo the central system gave for
/// each idTag presented, valid or not, at most `capacity` of them.
///
/// Entries are kept least recently used first; a lookup is a linear scan, which suits the
/// few dozen entries a charger keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthCache {
    capacity: usize,
    entries: Vec<(CiString20, IdTagInfo)>,
}

impl AuthCache {
    /// An empty cache holding at most `capacity` idTags (0: the cache stores nothing).
    pub fn new(capacity: usize) -> Self {
        AuthCache {
            capacity,
            entries: Vec::new(),
        }
    }

    /// The most idTags the cache holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn position(&self, tag: &str) -> Option<usize> {
        self.entries.iter().position(|(t, _)| t.eq_ignore_case(tag))
    }

    /// Stores or replaces what the central system said about `tag` (the idTagInfo of
    /// Authorize.conf, StartTransaction.conf or StopTransaction.conf, 1.6 §3.5.1) and makes it
    /// the most recently used entry. When the cache is full, the entry to drop is the least
    /// recently used one that is not valid at `now` (not Accepted, or past expiryDate), and
    /// only if every entry is valid the least recently used one (1.6 §3.5.1: remove entries
    /// that are not valid first). Use [`remember`] to also honour the configuration and the
    /// Local Authorization List.
    pub fn insert(&mut self, tag: &CiString20, info: &IdTagInfo, now: DateTime) {
        if self.capacity == 0 {
            return;
        }
        match self.position(tag) {
            Some(i) => {
                self.entries.remove(i);
            }
            None => {
                // capacity >= 1, so every turn removes an entry that exists.
                while self.entries.len() >= self.capacity {
                    let victim = self.entries.iter().position(|(_, i)| !valid(i, now)).unwrap_or(0);
                    self.entries.remove(victim);
                }
            }
        }
        self.entries.push((tag.clone(), info.clone()));
    }

    /// The cached verdict on `tag` (case-insensitive), which becomes the most recently used
    /// entry. An Accepted entry whose expiryDate has passed is changed to Expired in the cache
    /// and read as such (1.6 §3.5.1: an entry whose validity expires SHALL be changed to
    /// expired).
    pub fn lookup(&mut self, tag: &str, now: DateTime) -> Option<IdTagInfo> {
        let i = self.position(tag)?;
        let mut entry = self.entries.remove(i);
        if expired(&entry.1, now) {
            entry.1.status = AuthorizationStatus::Expired;
        }
        let info = entry.1.clone();
        self.entries.push(entry);
        Some(info)
    }

    /// Forgets `tag`; whether it was cached.
    pub fn remove(&mut self, tag: &str) -> bool {
        match self.position(tag) {
            Some(i) => {
                self.entries.remove(i);
                true
            }
            None => false,
        }
    }

    /// Empties the cache (ClearCache, 1.6 §5.4). The Local Authorization List is a separate
    /// value and is not touched.
    pub fn clear(&mut self) {
        self.entries = Vec::new();
    }

    /// Number of cached idTags.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The cached idTags with their idTagInfo, least recently used first (for persistence:
    /// [`insert`](Self::insert)ing them back in this order restores the recency too).
    pub fn entries(&self) -> impl Iterator<Item = (&CiString20, &IdTagInfo)> {
        self.entries.iter().map(|(t, i)| (t, i))
    }
}

// ---------------------------------------------------------------------------------------
// The local decision
// ---------------------------------------------------------------------------------------

/// What the configuration keys say: AuthorizationCacheEnabled, LocalPreAuthorize,
/// LocalAuthorizeOffline, AllowOfflineTxForUnknownId (1.6 §9.1, Core) and
/// LocalAuthListEnabled (1.6 §9.2, Local Auth List Management).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuthPolicy {
    /// LocalAuthListEnabled: the Local Authorization List is consulted.
    pub list_enabled: bool,
    /// AuthorizationCacheEnabled: the Authorization Cache is consulted and fed.
    pub cache_enabled: bool,
    /// LocalPreAuthorize: online, a locally Accepted tag starts without Authorize.req.
    pub pre_authorize: bool,
    /// LocalAuthorizeOffline: offline, a locally Accepted tag starts.
    pub authorize_offline: bool,
    /// AllowOfflineTxForUnknownId: offline, a tag the charge point cannot vouch for starts.
    pub allow_offline_unknown: bool,
}

/// The outcome of [`decide`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocalDecision {
    /// Start (or stop) now; the idTagInfo is the local one (with its parentIdTag), or a bare
    /// Accepted for an unknown tag let in by AllowOfflineTxForUnknownId.
    Accept(IdTagInfo),
    /// Refuse; the idTagInfo says why (Blocked, Expired, ..., or Invalid for an unknown tag).
    Reject(IdTagInfo),
    /// Send Authorize.req and act on its answer.
    AskCentralSystem,
}

/// What the local sources say about `tag` at `now`: the Local Authorization List when it is
/// enabled and knows the tag, else the Authorization Cache when it is enabled (1.6 §3.5.3:
/// the list has priority). An Accepted entry past its expiryDate reads as Expired. `None`
/// when no enabled source knows the tag. A cache hit counts as a use for its recency.
pub fn local_verdict(
    policy: &AuthPolicy,
    list: &LocalAuthList,
    cache: &mut AuthCache,
    tag: &str,
    now: DateTime,
) -> Option<IdTagInfo> {
    if policy.list_enabled {
        if let Some(info) = list.lookup(tag) {
            return Some(as_of(info, now));
        }
    }
    if policy.cache_enabled {
        return cache.lookup(tag, now);
    }
    None
}

/// 1.6 §3.5: the decision before (online) or instead of (offline) an Authorize.req.
///
/// Online: without LocalPreAuthorize, always ask. With it, a tag the list (or, if the list
/// does not know it, the cache) holds as Accepted and unexpired is accepted at once (1.6
/// §9.1 LocalPreAuthorize: start without waiting for Authorize.conf); any other tag is asked
/// about, known non-Accepted ones included: the central system has the last word while it
/// can be reached (1.6 §3.5.1: a not-valid cache entry SHOULD be re-checked with
/// Authorize.req), and a stale local entry must not lock a user out.
///
/// Offline, with the local entry found as above:
/// - a known entry that is not Accepted (Blocked, Invalid, ConcurrentTx, or Expired, stored
///   or by expiryDate) -> Reject with that entry (1.6 §3.5.4: MUST be rejected, whatever
///   AllowOfflineTxForUnknownId says);
/// - a known Accepted entry with LocalAuthorizeOffline -> Accept with that entry;
/// - otherwise (unknown, or known but LocalAuthorizeOffline is off) AllowOfflineTxForUnknownId
///   decides: Accept (the local entry if there is one, else a bare Accepted), or Reject with
///   status Invalid (1.6 §3.5.4, §9.1).
///
/// Whether an offline Accept may also *stop* another user's transaction is the caller's
/// decision (an unknown tag should not: only the starting tag or its group may stop, 1.6 §3.6).
pub fn decide(
    policy: &AuthPolicy,
    list: &LocalAuthList,
    cache: &mut AuthCache,
    tag: &str,
    online: bool,
    now: DateTime,
) -> LocalDecision {
    if online {
        if !policy.pre_authorize {
            return LocalDecision::AskCentralSystem;
        }
        return match local_verdict(policy, list, cache, tag, now) {
            Some(info) if info.status == AuthorizationStatus::Accepted => LocalDecision::Accept(info),
            _ => LocalDecision::AskCentralSystem,
        };
    }
    match local_verdict(policy, list, cache, tag, now) {
        Some(info) if info.status != AuthorizationStatus::Accepted => LocalDecision::Reject(info),
        Some(info) if policy.authorize_offline => LocalDecision::Accept(info),
        known if policy.allow_offline_unknown => {
            LocalDecision::Accept(known.unwrap_or_else(|| bare(AuthorizationStatus::Accepted)))
        }
        _ => LocalDecision::Reject(bare(AuthorizationStatus::Invalid)),
    }
}

/// Feeds the cache with an idTagInfo the central system sent for `tag` (Authorize.conf,
/// StartTransaction.conf, StopTransaction.conf; 1.6 §3.5.1), unless AuthorizationCacheEnabled
/// is off or the enabled Local Authorization List knows the tag (1.6 §3.5.3: identifiers in
/// the list SHALL NOT be added to the cache).
pub fn remember(
    policy: &AuthPolicy,
    list: &LocalAuthList,
    cache: &mut AuthCache,
    tag: &CiString20,
    info: &IdTagInfo,
    now: DateTime,
) {
    if !policy.cache_enabled || (policy.list_enabled && list.lookup(tag).is_some()) {
        return;
    }
    cache.insert(tag, info, now);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::AuthorizeConf;
    use alloc::vec;

    const MAX: usize = 100;

    fn t(s: &str) -> DateTime {
        DateTime::parse(s).unwrap()
    }

    fn tag(s: &str) -> CiString20 {
        CiString20::new(s).unwrap()
    }

    #[test]
    fn entries_sort_by_folded_tag_whatever_the_order_given() {
        // Every length up to 40, entries given from both ends inwards, in mixed case.
        for n in 0..40u32 {
            let items: Vec<AuthorizationData> = (0..n)
                .map(|i| {
                    let k = if i % 2 == 0 { n - 1 - i / 2 } else { i / 2 };
                    let name = if k % 2 == 0 {
                        alloc::format!("tag{k:03}")
                    } else {
                        alloc::format!("TAG{k:03}")
                    };
                    AuthorizationData {
                        id_tag: tag(&name),
                        id_tag_info: None,
                    }
                })
                .collect();
            let sorted = sorted_unique(&items).unwrap();
            let got: Vec<u32> = sorted.iter().map(|e| e.id_tag.as_str()[3..].parse().unwrap()).collect();
            assert_eq!(got, (0..n).collect::<Vec<_>>(), "n = {n}");
        }
        // Equal once folded: a duplicate.
        let twice = [
            AuthorizationData {
                id_tag: tag("b"),
                id_tag_info: None,
            },
            AuthorizationData {
                id_tag: tag("a"),
                id_tag_info: None,
            },
            AuthorizationData {
                id_tag: tag("B"),
                id_tag_info: None,
            },
        ];
        assert!(sorted_unique(&twice).is_none());
    }

    fn info(json: &str) -> IdTagInfo {
        crate::json::from_str(json).unwrap()
    }

    /// A SendLocalList payload as a CSMS sends it.
    fn req(json: &str) -> SendLocalListReq {
        crate::json::from_str(json).unwrap()
    }

    /// The payload of a whole OCPP-J CALL frame `[2, id, "SendLocalList", {...}]`.
    fn call(frame: &str) -> SendLocalListReq {
        match crate::rpc::frame::parse(frame) {
            Ok(crate::rpc::Frame::Call { action, payload, .. }) => {
                assert_eq!(action, "SendLocalList");
                crate::json::from_str(payload).unwrap()
            }
            other => panic!("not a CALL: {other:?}"),
        }
    }

    fn status(list: &LocalAuthList, id: &str) -> Option<AuthorizationStatus> {
        list.lookup(id).map(|i| i.status)
    }

    fn tags(list: &LocalAuthList) -> Vec<&str> {
        list.entries().iter().map(|e| e.id_tag.as_str()).collect()
    }

    const NOW: &str = "2026-05-01T12:00:00Z";

    /// A list of three: Accepted with a group, Blocked, Accepted until 2027.
    fn three() -> LocalAuthList {
        let mut list = LocalAuthList::new();
        let r = call(
            r#"[2,"9f1c","SendLocalList",{"listVersion":3,"updateType":"Full","localAuthorizationList":[
                {"idTag":"04E8A1B2C3D480","idTagInfo":{"status":"Accepted","parentIdTag":"FLEET01"}},
                {"idTag":"DEADBEEF","idTagInfo":{"status":"Blocked"}},
                {"idTag":"card-7","idTagInfo":{"status":"Accepted","expiryDate":"2027-01-01T00:00:00.000Z"}}]}]"#,
        );
        assert_eq!(list.apply(&r, MAX, MAX), UpdateStatus::Accepted);
        list
    }

    #[test]
    fn full_replaces_the_list() {
        let mut list = LocalAuthList::new();
        assert_eq!((list.version(), list.len(), list.is_empty()), (0, 0, true));
        list = three();
        assert_eq!((list.version(), list.len()), (3, 3));
        assert_eq!(
            list.lookup("04E8A1B2C3D480").and_then(|i| i.parent_id_tag.as_deref()),
            Some("FLEET01")
        );
        assert_eq!(status(&list, "DEADBEEF"), Some(AuthorizationStatus::Blocked));
        assert_eq!(
            list.lookup("card-7").and_then(|i| i.expiry_date),
            Some(t("2027-01-01T00:00:00Z"))
        );
        // A second Full list replaces everything, with a lower version too (numbering restarts).
        let r = req(
            r#"{"listVersion":1,"updateType":"Full","localAuthorizationList":[{"idTag":"NEW1","idTagInfo":{"status":"Accepted"}}]}"#,
        );
        assert_eq!(list.apply(&r, MAX, MAX), UpdateStatus::Accepted);
        assert_eq!((list.version(), tags(&list)), (1, vec!["NEW1"]));
        assert_eq!(list.lookup("DEADBEEF"), None);
        // The same version again is fine for Full.
        assert_eq!(list.apply(&r, MAX, MAX), UpdateStatus::Accepted);
        assert_eq!(list.version(), 1);
    }

    #[test]
    fn full_without_entries_empties_and_reports_version_0() {
        for json in [
            r#"{"listVersion":4,"updateType":"Full"}"#,
            r#"{"listVersion":4,"updateType":"Full","localAuthorizationList":[]}"#,
            r#"{"listVersion":0,"updateType":"Full","localAuthorizationList":[]}"#,
        ] {
            let mut list = three();
            assert_eq!(list.apply(&req(json), MAX, MAX), UpdateStatus::Accepted, "{json}");
            // 1.6 §5.10: 0 means the list is empty.
            assert_eq!((list.len(), list.version()), (0, 0), "{json}");
        }
    }

    #[test]
    fn differential_adds_updates_and_removes() {
        let mut list = three();
        let r = call(
            r#"[2,"a7","SendLocalList",{"listVersion":4,"updateType":"Differential","localAuthorizationList":[
                {"idTag":"NEWCARD","idTagInfo":{"status":"Accepted"}},
                {"idTag":"deadbeef","idTagInfo":{"status":"Accepted","parentIdTag":"FLEET01"}},
                {"idTag":"CARD-7"}]}]"#,
        );
        assert_eq!(list.apply(&r, MAX, MAX), UpdateStatus::Accepted);
        assert_eq!(list.version(), 4);
        assert_eq!(tags(&list), vec!["04E8A1B2C3D480", "deadbeef", "NEWCARD"]);
        assert_eq!(status(&list, "DEADBEEF"), Some(AuthorizationStatus::Accepted));
        assert_eq!(list.lookup("card-7"), None);
        // Removing a tag the list does not have is no error.
        let r = req(r#"{"listVersion":5,"updateType":"Differential","localAuthorizationList":[{"idTag":"NOBODY"}]}"#);
        assert_eq!(list.apply(&r, MAX, MAX), UpdateStatus::Accepted);
        assert_eq!((list.version(), list.len()), (5, 3));
        // Without entries: only the version moves (1.6 §5.15: no effect on the list).
        let r = req(r#"{"listVersion":6,"updateType":"Differential"}"#);
        assert_eq!(list.apply(&r, MAX, MAX), UpdateStatus::Accepted);
        assert_eq!((list.version(), list.len()), (6, 3));
    }

    #[test]
    fn differential_that_removes_everything_reports_0_and_any_version_above_0_follows() {
        let mut list = three();
        let r = req(
            r#"{"listVersion":9,"updateType":"Differential","localAuthorizationList":[{"idTag":"04e8a1b2c3d480"},{"idTag":"DEADBEEF"},{"idTag":"CARD-7"}]}"#,
        );
        assert_eq!(list.apply(&r, MAX, MAX), UpdateStatus::Accepted);
        assert_eq!((list.len(), list.version()), (0, 0));
        let r = req(
            r#"{"listVersion":1,"updateType":"Differential","localAuthorizationList":[{"idTag":"A","idTagInfo":{"status":"Accepted"}}]}"#,
        );
        assert_eq!(list.apply(&r, MAX, MAX), UpdateStatus::Accepted);
        assert_eq!(list.version(), 1);
    }

    #[test]
    fn version_mismatch_leaves_the_list_alone() {
        let before = three();
        for json in [
            // Differential: equal, lower, 0 and -1 are not greater than 3.
            r#"{"listVersion":3,"updateType":"Differential","localAuthorizationList":[{"idTag":"X","idTagInfo":{"status":"Accepted"}}]}"#,
            r#"{"listVersion":2,"updateType":"Differential","localAuthorizationList":[{"idTag":"X","idTagInfo":{"status":"Accepted"}}]}"#,
            r#"{"listVersion":0,"updateType":"Differential","localAuthorizationList":[{"idTag":"DEADBEEF"}]}"#,
            r#"{"listVersion":-1,"updateType":"Differential"}"#,
            // Full: -1 is never a list version, 0 only for an empty list.
            r#"{"listVersion":-1,"updateType":"Full"}"#,
            r#"{"listVersion":0,"updateType":"Full","localAuthorizationList":[{"idTag":"X","idTagInfo":{"status":"Accepted"}}]}"#,
        ] {
            let mut list = before.clone();
            assert_eq!(
                list.apply(&req(json), MAX, MAX),
                UpdateStatus::VersionMismatch,
                "{json}"
            );
            assert_eq!(list, before, "{json}");
        }
        // On an empty list (version 0) a differential needs at least version 1.
        let mut empty = LocalAuthList::new();
        let r = req(
            r#"{"listVersion":0,"updateType":"Differential","localAuthorizationList":[{"idTag":"X","idTagInfo":{"status":"Accepted"}}]}"#,
        );
        assert_eq!(empty.apply(&r, MAX, MAX), UpdateStatus::VersionMismatch);
        assert!(empty.is_empty());
    }

    #[test]
    fn failed_when_too_many_or_too_long() {
        let before = three();
        let two_new = r#"{"listVersion":7,"updateType":"Differential","localAuthorizationList":[
            {"idTag":"N1","idTagInfo":{"status":"Accepted"}},{"idTag":"N2","idTagInfo":{"status":"Accepted"}}]}"#;
        // SendLocalListMaxLength 1: a request with 2 entries fails, whatever the list length.
        let mut list = before.clone();
        assert_eq!(list.apply(&req(two_new), MAX, 1), UpdateStatus::Failed);
        assert_eq!(list, before);
        // LocalAuthListMaxLength 4: 3 + 2 = 5 entries do not fit.
        assert_eq!(list.apply(&req(two_new), 4, MAX), UpdateStatus::Failed);
        assert_eq!(list, before);
        // Exactly at the maximum fits.
        assert_eq!(list.apply(&req(two_new), 5, 2), UpdateStatus::Accepted);
        assert_eq!(list.len(), 5);
        // A Full list longer than the maximum fails and keeps the old list.
        let mut list = before.clone();
        let full = r#"{"listVersion":8,"updateType":"Full","localAuthorizationList":[
            {"idTag":"A","idTagInfo":{"status":"Accepted"}},{"idTag":"B","idTagInfo":{"status":"Accepted"}}]}"#;
        assert_eq!(list.apply(&req(full), 1, MAX), UpdateStatus::Failed);
        assert_eq!(list, before);
        assert_eq!(list.apply(&req(full), 2, 2), UpdateStatus::Accepted);
        assert_eq!(tags(&list), vec!["A", "B"]);
    }

    #[test]
    fn differential_length_counts_the_net_change() {
        // Full at 3 of 3: removing one and adding one still fits.
        let mut list = three();
        let swap = req(
            r#"{"listVersion":4,"updateType":"Differential","localAuthorizationList":[{"idTag":"DEADBEEF"},{"idTag":"N1","idTagInfo":{"status":"Accepted"}}]}"#,
        );
        assert_eq!(list.apply(&swap, 3, MAX), UpdateStatus::Accepted);
        assert_eq!(tags(&list), vec!["04E8A1B2C3D480", "card-7", "N1"]);
        // Updating existing entries adds nothing.
        let update = req(
            r#"{"listVersion":5,"updateType":"Differential","localAuthorizationList":[{"idTag":"n1","idTagInfo":{"status":"Blocked"}}]}"#,
        );
        assert_eq!(list.apply(&update, 3, MAX), UpdateStatus::Accepted);
        assert_eq!(status(&list, "N1"), Some(AuthorizationStatus::Blocked));
        // The maximum was lowered to 1: removals still apply, growth does not.
        let shrink = req(r#"{"listVersion":6,"updateType":"Differential","localAuthorizationList":[{"idTag":"N1"}]}"#);
        assert_eq!(list.apply(&shrink, 1, MAX), UpdateStatus::Accepted);
        assert_eq!(list.len(), 2);
        let grow = req(
            r#"{"listVersion":7,"updateType":"Differential","localAuthorizationList":[{"idTag":"N2","idTagInfo":{"status":"Accepted"}}]}"#,
        );
        assert_eq!(list.apply(&grow, 1, MAX), UpdateStatus::Failed);
        assert_eq!((list.len(), list.version()), (2, 6));
    }

    #[test]
    fn failed_on_full_entry_without_info_or_duplicate_tags() {
        let before = three();
        for json in [
            // 1.6 §7.1: idTagInfo is required in a Full update.
            r#"{"listVersion":9,"updateType":"Full","localAuthorizationList":[{"idTag":"A","idTagInfo":{"status":"Accepted"}},{"idTag":"B"}]}"#,
            // 1.6 §5.15: idTags unique; CiString compares case-insensitively.
            r#"{"listVersion":9,"updateType":"Full","localAuthorizationList":[{"idTag":"abc","idTagInfo":{"status":"Accepted"}},{"idTag":"ABC","idTagInfo":{"status":"Blocked"}}]}"#,
            r#"{"listVersion":9,"updateType":"Differential","localAuthorizationList":[{"idTag":"N1","idTagInfo":{"status":"Accepted"}},{"idTag":"n1"}]}"#,
        ] {
            let mut list = before.clone();
            assert_eq!(list.apply(&req(json), MAX, MAX), UpdateStatus::Failed, "{json}");
            assert_eq!(list, before, "{json}");
        }
    }

    #[test]
    fn lookup_ignores_ascii_case_only() {
        let list = three();
        for id in ["04e8a1b2c3d480", "04E8A1B2C3D480", "Card-7", "CARD-7", "deadBEEF"] {
            assert!(list.lookup(id).is_some(), "{id}");
        }
        for id in ["04E8A1B2C3D48", "04E8A1B2C3D4800", "card7", ""] {
            assert!(list.lookup(id).is_none(), "{id}");
        }
        // Entries are kept sorted by folded idTag, whatever order the CSMS used.
        assert_eq!(tags(&list), vec!["04E8A1B2C3D480", "card-7", "DEADBEEF"]);
    }

    #[test]
    fn survives_a_reboot_through_entries_and_restore() {
        let list = three();
        let json = crate::json::to_string(&list.entries().to_vec());
        let stored: Vec<AuthorizationData> = crate::json::from_str(&json).unwrap();
        let mut again = LocalAuthList::new();
        again.restore(list.version(), stored);
        assert_eq!(again, list);
        // Corrupt or foreign data cannot break the invariants.
        let odd: Vec<AuthorizationData> = crate::json::from_str(
            r#"[{"idTag":"Z","idTagInfo":{"status":"Accepted"}},{"idTag":"gone"},
                {"idTag":"a","idTagInfo":{"status":"Blocked"}},{"idTag":"A","idTagInfo":{"status":"Expired"}}]"#,
        )
        .unwrap();
        let mut odd_list = LocalAuthList::new();
        odd_list.restore(-5, odd);
        assert_eq!(tags(&odd_list), vec!["A", "Z"]);
        assert_eq!(status(&odd_list, "a"), Some(AuthorizationStatus::Expired));
        assert_eq!(odd_list.version(), 0);
        let mut list = LocalAuthList::new();
        list.restore(12, Vec::new());
        assert_eq!(list.version(), 0);
    }

    // --- Authorization Cache -------------------------------------------------------------

    #[test]
    fn cache_stores_updates_and_ignores_case() {
        let now = t(NOW);
        let mut cache = AuthCache::new(4);
        let conf: AuthorizeConf =
            crate::json::from_str(r#"{"idTagInfo":{"status":"Accepted","parentIdTag":"FLEET01"}}"#).unwrap();
        cache.insert(&tag("04e8a1b2"), &conf.id_tag_info, now);
        assert_eq!(cache.lookup("04E8A1B2", now), Some(conf.id_tag_info.clone()));
        cache.insert(&tag("04E8A1B2"), &info(r#"{"status":"Blocked"}"#), now);
        assert_eq!(cache.len(), 1);
        assert_eq!(
            cache.lookup("04e8a1b2", now).map(|i| i.status),
            Some(AuthorizationStatus::Blocked)
        );
        assert_eq!(cache.lookup("04e8a1b", now), None);
        assert!(cache.remove("04E8A1b2"));
        assert!(!cache.remove("04E8A1b2"));
        assert!(cache.is_empty());
    }

    #[test]
    fn cache_entry_expires_after_its_expiry_date() {
        let mut cache = AuthCache::new(4);
        let until = info(r#"{"status":"Accepted","expiryDate":"2026-05-01T12:00:00Z"}"#);
        cache.insert(&tag("CARD"), &until, t("2026-04-01T00:00:00Z"));
        // At the expiry instant it is still valid (invalid *after* expiryDate).
        assert_eq!(
            cache.lookup("card", t("2026-05-01T12:00:00Z")).map(|i| i.status),
            Some(AuthorizationStatus::Accepted)
        );
        let later = t("2026-05-01T12:00:00.001Z");
        assert_eq!(
            cache.lookup("card", later).map(|i| i.status),
            Some(AuthorizationStatus::Expired)
        );
        // 1.6 §3.5.1: changed to Expired in the cache itself, which is what gets persisted.
        let stored: Vec<_> = cache.entries().map(|(_, i)| i.status).collect();
        assert_eq!(stored, vec![AuthorizationStatus::Expired]);
        // Even if the clock goes back, it stays Expired until the central system says otherwise.
        assert_eq!(
            cache.lookup("card", t("2026-01-01T00:00:00Z")).map(|i| i.status),
            Some(AuthorizationStatus::Expired)
        );
        // Non-Accepted statuses never turn into Expired.
        cache.insert(
            &tag("BAD"),
            &info(r#"{"status":"Blocked","expiryDate":"2020-01-01T00:00:00Z"}"#),
            later,
        );
        assert_eq!(
            cache.lookup("BAD", later).map(|i| i.status),
            Some(AuthorizationStatus::Blocked)
        );
    }

    fn cached(cache: &AuthCache) -> Vec<&str> {
        cache.entries().map(|(t, _)| t.as_str()).collect()
    }

    #[test]
    fn full_cache_evicts_least_recently_used() {
        let now = t(NOW);
        let ok = info(r#"{"status":"Accepted"}"#);
        let mut cache = AuthCache::new(3);
        for id in ["A", "B", "C"] {
            cache.insert(&tag(id), &ok, now);
        }
        assert_eq!(cached(&cache), vec!["A", "B", "C"]);
        // A lookup makes A the most recent, so B is the oldest now.
        assert!(cache.lookup("a", now).is_some());
        cache.insert(&tag("D"), &ok, now);
        assert_eq!(cached(&cache), vec!["C", "A", "D"]);
        // Updating an entry refreshes it and evicts nothing.
        cache.insert(&tag("C"), &ok, now);
        assert_eq!(cached(&cache), vec!["A", "D", "C"]);
        cache.insert(&tag("E"), &ok, now);
        assert_eq!(cached(&cache), vec!["D", "C", "E"]);
        assert_eq!(cache.len(), 3);
    }

    #[test]
    fn full_cache_evicts_invalid_entries_first() {
        let now = t(NOW);
        let ok = info(r#"{"status":"Accepted"}"#);
        let mut cache = AuthCache::new(3);
        cache.insert(&tag("OLD-OK"), &ok, now);
        cache.insert(
            &tag("LAPSED"),
            &info(r#"{"status":"Accepted","expiryDate":"2026-04-30T00:00:00Z"}"#),
            now,
        );
        cache.insert(&tag("BLOCKED"), &info(r#"{"status":"Blocked"}"#), now);
        // OLD-OK is least recently used, but LAPSED is past its expiry date: it goes first.
        cache.insert(&tag("N1"), &ok, now);
        assert_eq!(cached(&cache), vec!["OLD-OK", "BLOCKED", "N1"]);
        cache.insert(&tag("N2"), &ok, now);
        assert_eq!(cached(&cache), vec!["OLD-OK", "N1", "N2"]);
        // All valid again: plain LRU.
        cache.insert(&tag("N3"), &ok, now);
        assert_eq!(cached(&cache), vec!["N1", "N2", "N3"]);
    }

    #[test]
    fn zero_capacity_stores_nothing() {
        let mut cache = AuthCache::new(0);
        cache.insert(&tag("A"), &info(r#"{"status":"Accepted"}"#), t(NOW));
        assert_eq!((cache.len(), cache.capacity()), (0, 0));
        assert_eq!(cache.lookup("A", t(NOW)), None);
    }

    #[test]
    fn cache_survives_a_reboot_with_its_order() {
        let now = t(NOW);
        let mut cache = AuthCache::new(3);
        for (id, json) in [
            ("A", r#"{"status":"Accepted"}"#),
            ("B", r#"{"status":"Invalid"}"#),
            ("C", r#"{"status":"Accepted","parentIdTag":"P"}"#),
        ] {
            cache.insert(&tag(id), &info(json), now);
        }
        assert!(cache.lookup("A", now).is_some());
        let mut again = AuthCache::new(3);
        for (id, i) in cache.entries() {
            again.insert(id, i, now);
        }
        assert_eq!(again, cache);
        assert_eq!(cached(&again), vec!["B", "C", "A"]);
    }

    #[test]
    fn clear_cache_leaves_the_list_alone() {
        let now = t(NOW);
        let policy = AuthPolicy {
            list_enabled: true,
            cache_enabled: true,
            pre_authorize: true,
            authorize_offline: true,
            allow_offline_unknown: false,
        };
        let list = three();
        let mut cache = AuthCache::new(8);
        remember(
            &policy,
            &list,
            &mut cache,
            &tag("CACHED"),
            &info(r#"{"status":"Accepted"}"#),
            now,
        );
        assert_eq!(cache.len(), 1);
        cache.clear();
        assert!(cache.is_empty());
        assert_eq!((list.len(), list.version()), (3, 3));
        let d = decide(&policy, &list, &mut cache, "CACHED", false, now);
        assert_eq!(d, LocalDecision::Reject(bare(AuthorizationStatus::Invalid)));
        let d = decide(&policy, &list, &mut cache, "04E8A1B2C3D480", false, now);
        assert!(matches!(d, LocalDecision::Accept(ref i) if i.parent_id_tag.as_deref() == Some("FLEET01")));
    }

    #[test]
    fn remember_skips_listed_tags_and_a_disabled_cache() {
        let now = t(NOW);
        let list = three();
        let ok = info(r#"{"status":"Accepted"}"#);
        let mut policy = AuthPolicy {
            list_enabled: true,
            cache_enabled: true,
            ..AuthPolicy::default()
        };
        let mut cache = AuthCache::new(8);
        // 1.6 §3.5.3: a listed identifier is not added to the cache (case-insensitively).
        remember(&policy, &list, &mut cache, &tag("deadbeef"), &ok, now);
        assert!(cache.is_empty());
        remember(&policy, &list, &mut cache, &tag("OTHER"), &ok, now);
        assert_eq!(cached(&cache), vec!["OTHER"]);
        // With the list disabled it is not consulted, so the tag is cached.
        policy.list_enabled = false;
        remember(&policy, &list, &mut cache, &tag("DEADBEEF"), &ok, now);
        assert_eq!(cached(&cache), vec!["OTHER", "DEADBEEF"]);
        policy.cache_enabled = false;
        remember(&policy, &list, &mut cache, &tag("THIRD"), &ok, now);
        assert_eq!(cache.len(), 2);
    }

    // --- decide() ------------------------------------------------------------------------

    /// What a decision should be.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Want {
        Accept(AuthorizationStatus),
        Reject(AuthorizationStatus),
        Ask,
    }
    use AuthorizationStatus::{Accepted, Blocked, Expired, Invalid};
    use Want::{Accept, Ask, Reject};

    fn got(d: &LocalDecision) -> Want {
        match d {
            LocalDecision::Accept(i) => Accept(i.status),
            LocalDecision::Reject(i) => Reject(i.status),
            LocalDecision::AskCentralSystem => Ask,
        }
    }

    /// List: L-OK (Accepted, group FLEET), L-BLOCKED, L-LAPSED (Accepted until yesterday),
    /// BOTH (Blocked). Cache: C-OK (Accepted), C-BAD (Invalid), C-LAPSED (Accepted until
    /// yesterday), BOTH (Accepted). NOBODY is unknown.
    fn world() -> (LocalAuthList, AuthCache) {
        let mut list = LocalAuthList::new();
        let r = req(r#"{"listVersion":1,"updateType":"Full","localAuthorizationList":[
                {"idTag":"L-OK","idTagInfo":{"status":"Accepted","parentIdTag":"FLEET"}},
                {"idTag":"L-BLOCKED","idTagInfo":{"status":"Blocked"}},
                {"idTag":"L-LAPSED","idTagInfo":{"status":"Accepted","expiryDate":"2026-04-30T12:00:00Z"}},
                {"idTag":"BOTH","idTagInfo":{"status":"Blocked"}}]}"#);
        assert_eq!(list.apply(&r, MAX, MAX), UpdateStatus::Accepted);
        let mut cache = AuthCache::new(8);
        let past = t("2026-04-01T00:00:00Z");
        for (id, json) in [
            ("C-OK", r#"{"status":"Accepted","parentIdTag":"FLEET"}"#),
            ("C-BAD", r#"{"status":"Invalid"}"#),
            (
                "C-LAPSED",
                r#"{"status":"Accepted","expiryDate":"2026-04-30T12:00:00Z"}"#,
            ),
            // Inserted directly: remember() would refuse a listed tag.
            ("BOTH", r#"{"status":"Accepted"}"#),
        ] {
            cache.insert(&tag(id), &info(json), past);
        }
        (list, cache)
    }

    /// Flags in the order list, cache, pre_authorize, authorize_offline, allow_offline_unknown.
    fn policy(flags: [bool; 5]) -> AuthPolicy {
        let [list_enabled, cache_enabled, pre_authorize, authorize_offline, allow_offline_unknown] = flags;
        AuthPolicy {
            list_enabled,
            cache_enabled,
            pre_authorize,
            authorize_offline,
            allow_offline_unknown,
        }
    }

    const TAGS: [&str; 8] = [
        "L-OK",
        "L-BLOCKED",
        "L-LAPSED",
        "C-OK",
        "C-BAD",
        "C-LAPSED",
        "BOTH",
        "NOBODY",
    ];

    /// Checks `want[i]` for `TAGS[i]` under `flags`, online or not.
    #[track_caller]
    fn check(flags: [bool; 5], online: bool, want: [Want; 8]) {
        let now = t(NOW);
        let p = policy(flags);
        for (id, w) in TAGS.iter().zip(want) {
            let (list, mut cache) = world();
            let d = decide(&p, &list, &mut cache, id, online, now);
            assert_eq!(got(&d), w, "{id} online={online} {p:?}");
            // The same tag in lower case decides the same.
            let (list, mut cache) = world();
            let lower = id.to_ascii_lowercase();
            assert_eq!(decide(&p, &list, &mut cache, &lower, online, now), d, "{lower}");
        }
    }

    #[test]
    fn decide_online() {
        // Without LocalPreAuthorize every tag goes to the central system.
        check([true, true, false, true, true], true, [Ask; 8]);
        // With it, locally Accepted tags start at once; everything else is asked about.
        check(
            [true, true, true, false, false],
            true,
            [Accept(Accepted), Ask, Ask, Accept(Accepted), Ask, Ask, Ask, Ask],
        );
        // List disabled: BOTH falls through to its Accepted cache entry.
        check(
            [false, true, true, false, false],
            true,
            [Ask, Ask, Ask, Accept(Accepted), Ask, Ask, Accept(Accepted), Ask],
        );
        // Cache disabled: only the list counts.
        check(
            [true, false, true, false, false],
            true,
            [Accept(Accepted), Ask, Ask, Ask, Ask, Ask, Ask, Ask],
        );
        // Both disabled: nothing to pre-authorize with.
        check([false, false, true, true, true], true, [Ask; 8]);
    }

    #[test]
    fn decide_offline() {
        // LocalAuthorizeOffline, no unknown ids: list first (BOTH is Blocked there), then cache.
        check(
            [true, true, false, true, false],
            false,
            [
                Accept(Accepted),
                Reject(Blocked),
                Reject(Expired),
                Accept(Accepted),
                Reject(Invalid),
                Reject(Expired),
                Reject(Blocked),
                Reject(Invalid),
            ],
        );
        // AllowOfflineTxForUnknownId lets unknown tags in, never known bad or expired ones.
        check(
            [true, true, false, true, true],
            false,
            [
                Accept(Accepted),
                Reject(Blocked),
                Reject(Expired),
                Accept(Accepted),
                Reject(Invalid),
                Reject(Expired),
                Reject(Blocked),
                Accept(Accepted),
            ],
        );
        // LocalAuthorizeOffline off, unknown ids off: nobody starts offline.
        check(
            [true, true, false, false, false],
            false,
            [
                Reject(Invalid),
                Reject(Blocked),
                Reject(Expired),
                Reject(Invalid),
                Reject(Invalid),
                Reject(Expired),
                Reject(Blocked),
                Reject(Invalid),
            ],
        );
        // LocalAuthorizeOffline off, unknown ids on: known-good tags are no worse off than unknown ones.
        check(
            [true, true, false, false, true],
            false,
            [
                Accept(Accepted),
                Reject(Blocked),
                Reject(Expired),
                Accept(Accepted),
                Reject(Invalid),
                Reject(Expired),
                Reject(Blocked),
                Accept(Accepted),
            ],
        );
        // List disabled: its tags are unknown, BOTH reads from the cache.
        check(
            [false, true, false, true, false],
            false,
            [
                Reject(Invalid),
                Reject(Invalid),
                Reject(Invalid),
                Accept(Accepted),
                Reject(Invalid),
                Reject(Expired),
                Accept(Accepted),
                Reject(Invalid),
            ],
        );
        check(
            [false, true, false, true, true],
            false,
            [
                Accept(Accepted),
                Accept(Accepted),
                Accept(Accepted),
                Accept(Accepted),
                Reject(Invalid),
                Reject(Expired),
                Accept(Accepted),
                Accept(Accepted),
            ],
        );
        // Cache disabled: its tags are unknown.
        check(
            [true, false, false, true, false],
            false,
            [
                Accept(Accepted),
                Reject(Blocked),
                Reject(Expired),
                Reject(Invalid),
                Reject(Invalid),
                Reject(Invalid),
                Reject(Blocked),
                Reject(Invalid),
            ],
        );
        // Nothing local at all: only AllowOfflineTxForUnknownId.
        check([false, false, false, true, false], false, [Reject(Invalid); 8]);
        check([false, false, false, true, true], false, [Accept(Accepted); 8]);
    }

    #[test]
    fn decisions_carry_the_local_entry() {
        let now = t(NOW);
        let p = policy([true, true, true, true, true]);
        let (list, mut cache) = world();
        // The group travels with an Accept, so the caller can stop by parentIdTag (1.6 §3.6).
        for online in [true, false] {
            for id in ["L-OK", "C-OK"] {
                let d = decide(&p, &list, &mut cache, id, online, now);
                assert!(
                    matches!(d, LocalDecision::Accept(ref i) if i.parent_id_tag.as_deref() == Some("FLEET")),
                    "{id}"
                );
            }
        }
        // An unknown tag let in offline gets a bare Accepted; a lapsed one keeps its date.
        assert_eq!(
            decide(&p, &list, &mut cache, "NOBODY", false, now),
            LocalDecision::Accept(bare(Accepted))
        );
        assert_eq!(
            decide(&p, &list, &mut cache, "L-LAPSED", false, now),
            LocalDecision::Reject(info(r#"{"status":"Expired","expiryDate":"2026-04-30T12:00:00Z"}"#))
        );
        // The stored list entry itself is unchanged (the list belongs to the central system).
        assert_eq!(list.lookup("L-LAPSED").map(|i| i.status), Some(Accepted));
        // local_verdict agrees with what decide used.
        assert_eq!(
            local_verdict(&p, &list, &mut cache, "both", now).map(|i| i.status),
            Some(Blocked)
        );
        assert_eq!(local_verdict(&p, &list, &mut cache, "NOBODY", now), None);
    }

    #[test]
    fn decide_online_does_not_touch_the_cache_without_pre_authorize() {
        let now = t(NOW);
        let (list, mut cache) = world();
        let before = cache.clone();
        let p = policy([true, true, false, true, true]);
        assert_eq!(
            decide(&p, &list, &mut cache, "C-LAPSED", true, now),
            LocalDecision::AskCentralSystem
        );
        assert_eq!(cache, before);
        // Consulted, the lapsed entry is marked Expired in place and moves to the back.
        let p = policy([true, true, true, true, true]);
        assert_eq!(
            decide(&p, &list, &mut cache, "C-LAPSED", true, now),
            LocalDecision::AskCentralSystem
        );
        let last = cache.entries().last().map(|(t, i)| (t.as_str(), i.status));
        assert_eq!(last, Some(("C-LAPSED", Expired)));
    }
}
