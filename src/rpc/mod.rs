//! OCPP-J: text messages <-> frames, and the mapping of every bad frame to its CALLERROR.
//!
//! This layer knows nothing of what actions mean. [`frame::parse`] splits a frame and
//! answers the frame-level rows of the CALLERROR table; [`classify_payload_error`] answers
//! the payload-level rows once the charge point has tried to read the payload for its action.

pub mod error;
pub mod frame;

pub use error::{classify_payload_error, ErrorCode};
pub use frame::{Frame, FrameError, MAX_MESSAGE_ID_LEN};
