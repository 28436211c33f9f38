//! The Reservation profile: ReserveNow, CancelReservation, expiry (1.6 §3.11, §5.13, §5.3).

use alloc::string::String;

use super::connector::Reservation;
use super::{ChargePoint, Key};
use crate::log::Level;
use crate::messages::{CancelReservationStatus, CiString20, ReservationStatus, ReserveNowReq};
use crate::time::{DateTime, Instant};

impl ChargePoint {
    /// ReserveNow: Faulted, Unavailable or Occupied connectors refuse; the same reservation id
    /// replaces the old reservation; connector 0 needs ReserveConnectorZeroSupported.
    pub(super) fn reserve_now(&mut self, now: Instant, r: ReserveNowReq) -> ReservationStatus {
        let c = r.connector_id;
        if c > self.cfg.connectors || (c == 0 && !self.keys.bool(Key::ReserveConnectorZeroSupported)) {
            return ReservationStatus::Rejected;
        }
        if self.wall_clock(now).is_some_and(|wall| r.expiry_date <= wall) {
            return ReservationStatus::Rejected;
        }
        // 1.6 §5.13: a new ReserveNow with a known id replaces that reservation.
        self.drop_reservation(|res| res.id == r.reservation_id);
        let cp_operative = self.connectors.first().is_some_and(|c0| c0.operative);
        let Some(conn) = self.connectors.get(c as usize) else {
            return ReservationStatus::Rejected;
        };
        if conn.fault.is_some() {
            return ReservationStatus::Faulted;
        }
        if !conn.operative || !cp_operative {
            return ReservationStatus::Unavailable;
        }
        let occupied = |c: &super::Connector| {
            c.tx.is_some() || c.plugged || c.finishing || c.authorized.is_some() || c.reservation.is_some()
        };
        if c == 0 {
            // The charge point as a whole: at least one connector must be free to hold it for.
            let free = self
                .connectors
                .iter()
                .skip(1)
                .filter(|c| c.is_free() && !occupied(c))
                .count();
            let held = usize::from(conn.reservation.is_some());
            if free <= held {
                return ReservationStatus::Occupied;
            }
        } else if occupied(conn) {
            return ReservationStatus::Occupied;
        }
        let reservation = Reservation {
            id: r.reservation_id,
            id_tag: r.id_tag,
            parent_id_tag: r.parent_id_tag,
            expiry: r.expiry_date,
        };
        self.log(
            Level::Info,
            format_args!("connector {c}: reserved ({})", reservation.id),
        );
        if let Some(conn) = self.connectors.get_mut(c as usize) {
            conn.reservation = Some(reservation);
        }
        ReservationStatus::Accepted
    }

    /// CancelReservation.
    pub(super) fn cancel_reservation(&mut self, id: i32) -> CancelReservationStatus {
        if self.drop_reservation(|r| r.id == id) {
            CancelReservationStatus::Accepted
        } else {
            CancelReservationStatus::Rejected
        }
    }

    /// Removes the reservations `f` selects; true if any.
    fn drop_reservation(&mut self, f: impl Fn(&Reservation) -> bool) -> bool {
        let mut any = false;
        for c in self.connectors.iter_mut() {
            if c.reservation.as_ref().is_some_and(&f) {
                c.reservation = None;
                any = true;
            }
        }
        any
    }

    /// Reservations past their expiry date end (1.6 §3.11).
    pub(super) fn expire_reservations(&mut self, now: Instant) {
        // Runs at the end of every input: nothing to compute when nothing is reserved.
        if self.connectors.iter().all(|c| c.reservation.is_none()) {
            return;
        }
        let Some(wall) = self.wall_clock(now) else { return };
        if self.drop_reservation(|r| r.expiry <= wall) {
            self.log(Level::Info, format_args!("a reservation expired"));
        }
    }

    /// The instant the next reservation expires, on the monotonic clock.
    pub(super) fn next_reservation_expiry(&self) -> Option<Instant> {
        let first: Option<DateTime> = self
            .connectors
            .iter()
            .filter_map(|c| c.reservation.as_ref().map(|r| r.expiry))
            .min();
        self.instant_of(first?)
    }

    /// Whether `tag` may start on connector `c` as far as reservations go, and the
    /// reservation it uses (1.6 §3.11: a reserved connector serves only its tag or group; a
    /// connector-0 reservation keeps one connector free for its tag).
    pub(super) fn reservation_check(
        &self,
        c: u32,
        tag: &str,
        parent: Option<&CiString20>,
    ) -> Result<Option<i32>, String> {
        let Some(conn) = self.connectors.get(c as usize) else {
            return Err(String::from("no such connector"));
        };
        if let Some(r) = &conn.reservation {
            return if r.admits(tag, parent) {
                Ok(Some(r.id))
            } else {
                Err(String::from("connector is reserved for another id tag"))
            };
        }
        if let Some(r) = self.connectors.first().and_then(|c0| c0.reservation.as_ref()) {
            if r.admits(tag, parent) {
                return Ok(Some(r.id));
            }
            let free = self
                .connectors
                .iter()
                .enumerate()
                .skip(1)
                .filter(|(i, x)| *i != c as usize && x.is_free() && x.reservation.is_none() && !x.plugged)
                .count();
            if free == 0 {
                return Err(String::from("the last free connector is reserved"));
            }
        }
        Ok(None)
    }

    /// The connector reserved for `tag`, if any.
    pub(super) fn reserved_for(&self, tag: &str) -> Option<u32> {
        (1..=self.cfg.connectors).find(|&c| {
            self.connector(c)
                .and_then(|c| c.reservation.as_ref())
                .is_some_and(|r| r.id_tag.eq_ignore_case(tag))
        })
    }

    /// A transaction started with reservation `id`: it is used up.
    pub(super) fn reservation_used(&mut self, id: i32) {
        self.drop_reservation(|r| r.id == id);
    }
}
