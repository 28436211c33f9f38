//! The simulator's stdin language: one command a line.

use alloc::format;

use alloc::string::{String, ToString};

use crate::messages::{ChargePointErrorCode, Measurand};

/// A line of stdin, parsed.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// `plug C`: the EV's cable goes in.
    Plug(u32),
    /// `unplug C`.
    Unplug(u32),
    /// `tap TAG`: an RFID card is presented.
    Tap(String),
    /// `suspend C`: the EV pauses charging.
    Suspend(u32),
    /// `resume C`: the EV resumes.
    Resume(u32),
    /// `fault C CODE`: the charger reports a fault (an OCPP ChargePointErrorCode).
    Fault(u32, ChargePointErrorCode),
    /// `clear C`: the fault is gone.
    Clear(u32),
    /// `net down`: the link drops; power stays on.
    NetDown,
    /// `net up`: the link may come back.
    NetUp,
    /// `power off`: the charger loses power (nothing survives but the state directory).
    PowerOff,
    /// `power on`: the charger boots again.
    PowerOn,
    /// `set C MEASURAND VALUE`: a meter input overrides the EV model.
    Set(u32, Measurand, f64),
    /// `quit`.
    Quit,
}

/// Parses one line; the error says what is wrong in words.
pub fn parse(line: &str) -> Result<Option<Command>, String> {
    let mut words = line.split_whitespace();
    let Some(verb) = words.next() else { return Ok(None) };
    if verb.starts_with('#') {
        return Ok(None);
    }
    let mut arg = |what: &str| words.next().ok_or_else(|| format!("{verb}: missing {what}"));
    let connector = |s: &str| {
        s.parse::<u32>()
            .map_err(|_| format!("{verb}: connector must be a number, got {s:?}"))
    };
    let cmd = match verb {
        "plug" => Command::Plug(connector(arg("connector")?)?),
        "unplug" => Command::Unplug(connector(arg("connector")?)?),
        "tap" => Command::Tap(arg("id tag")?.to_string()),
        "suspend" => Command::Suspend(connector(arg("connector")?)?),
        "resume" => Command::Resume(connector(arg("connector")?)?),
        "fault" => {
            let c = connector(arg("connector")?)?;
            let code = arg("error code")?;
            let code = ChargePointErrorCode::from_wire(code)
                .filter(|c| *c != ChargePointErrorCode::NoError)
                .ok_or_else(|| format!("fault: {code:?} is not an OCPP ChargePointErrorCode"))?;
            Command::Fault(c, code)
        }
        "clear" => Command::Clear(connector(arg("connector")?)?),
        "net" => match arg("up or down")? {
            "down" => Command::NetDown,
            "up" => Command::NetUp,
            other => return Err(format!("net: expected up or down, got {other:?}")),
        },
        "power" => match arg("on or off")? {
            "off" => Command::PowerOff,
            "on" => Command::PowerOn,
            other => return Err(format!("power: expected on or off, got {other:?}")),
        },
        "set" => {
            let c = connector(arg("connector")?)?;
            let name = arg("measurand")?;
            let m = Measurand::from_wire(name).ok_or_else(|| format!("set: unknown measurand {name:?}"))?;
            let v = arg("value")?;
            let v: f64 = v
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| format!("set: bad value {v:?}"))?;
            Command::Set(c, m, v)
        }
        "quit" | "exit" => Command::Quit,
        other => return Err(format!("unknown command {other:?}")),
    };
    match words.next() {
        Some(extra) => Err(format!("{verb}: unexpected {extra:?}")),
        None => Ok(Some(cmd)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse() {
        assert_eq!(parse("plug 1"), Ok(Some(Command::Plug(1))));
        assert_eq!(parse("  tap  TAG1 "), Ok(Some(Command::Tap("TAG1".into()))));
        assert_eq!(
            parse("fault 2 GroundFailure"),
            Ok(Some(Command::Fault(2, ChargePointErrorCode::GroundFailure)))
        );
        assert_eq!(
            parse("set 1 Voltage 229.5"),
            Ok(Some(Command::Set(1, Measurand::Voltage, 229.5)))
        );
        assert_eq!(parse("net down"), Ok(Some(Command::NetDown)));
        assert_eq!(parse("power on"), Ok(Some(Command::PowerOn)));
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse("# comment"), Ok(None));
    }

    #[test]
    fn bad_lines_say_why() {
        for (line, want) in [
            ("plug", "missing connector"),
            ("plug x", "must be a number"),
            ("fault 1 Melted", "not an OCPP"),
            ("fault 1 NoError", "not an OCPP"),
            ("set 1 Hertz 50", "unknown measurand"),
            ("set 1 Voltage NaN", "bad value"),
            ("net sideways", "expected up or down"),
            ("dance", "unknown command"),
            ("plug 1 2", "unexpected"),
        ] {
            let e = parse(line).expect_err(line);
            assert!(e.contains(want), "{line}: {e}");
        }
    }
}
