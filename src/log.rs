//! The logging facade: a function pointer the host routes (ESPHome's logger, stderr in
//! the simulator). Built without the `log` feature, every call compiles away, format
//! strings included.

use core::fmt;

/// How much a log line matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Level {
    /// Something failed that the charge point cannot repair by itself.
    Error = 1,
    /// Something unexpected that was handled.
    Warn = 2,
    /// A milestone a person following the charger wants to see.
    Info = 3,
    /// Detail for development.
    Debug = 4,
}

impl Level {
    /// The level's name in capitals.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
        }
    }
}

/// Where log lines go: the host's function, called with the level and the formatted text.
pub type LogFn = fn(Level, fmt::Arguments<'_>);

/// Logs through an `Option<LogFn>` when the `log` feature is on; nothing otherwise.
#[macro_export]
#[doc(hidden)]
macro_rules! ocpp_log {
    ($sink:expr, $level:expr, $($arg:tt)+) => {{
        #[cfg(feature = "log")]
        {
            if let Some(f) = $sink {
                f($level, format_args!($($arg)+));
            }
        }
        #[cfg(not(feature = "log"))]
        {
            let _ = &$sink;
        }
    }};
}
