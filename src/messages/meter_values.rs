//! MeterValues (1.6 §4.7): sampled meter readings of a connector.

use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::messages::types::MeterValue;

/// MeterValues.req (1.6 §6.31), charge point to central system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MeterValuesReq {
    /// The connector; 0 is the charge point's main meter.
    pub connector_id: u32,
    /// The transaction the values belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<i32>,
    /// The readings (the schema requires at least one).
    #[serde(deserialize_with = "crate::messages::non_empty")]
    pub meter_value: Vec<MeterValue>,
}

/// MeterValues.conf (1.6 §6.32); no fields, lenient.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeterValuesConf {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};
    use crate::messages::types::{Measurand, Phase, ReadingContext, UnitOfMeasure};

    #[test]
    fn round_trips() {
        let req: MeterValuesReq = round_trip(
            r#"{"connectorId":1,"transactionId":170,"meterValue":[{"timestamp":"2026-03-01T12:00:00Z","sampledValue":[
                {"value":"15234","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","location":"Outlet","unit":"Wh"},
                {"value":"7360","context":"Sample.Periodic","measurand":"Power.Active.Import","unit":"W"},
                {"value":"16.02","context":"Sample.Periodic","measurand":"Current.Import","phase":"L1","unit":"A"},
                {"value":"231.4","context":"Sample.Periodic","measurand":"Voltage","phase":"L1-N","unit":"V"},
                {"value":"16","context":"Sample.Periodic","measurand":"Current.Offered","unit":"A"},
                {"value":"41.5","context":"Sample.Periodic","measurand":"Temperature","location":"Body","unit":"Celsius"},
                {"value":"50.01","measurand":"Frequency","unit":"Hertz"},
                {"value":"80","measurand":"SoC","location":"EV","unit":"Percent","format":"Raw"}]}]}"#,
        );
        assert_eq!(req.transaction_id, Some(170));
        let values = &req.meter_value.first().unwrap().sampled_value;
        assert_eq!(values.len(), 8);
        let current = values.get(2).unwrap();
        assert_eq!(current.measurand, Some(Measurand::CurrentImport));
        assert_eq!(current.phase, Some(Phase::L1));
        assert_eq!(current.context, Some(ReadingContext::SamplePeriodic));
        assert_eq!(values.get(6).and_then(|v| v.unit), Some(UnitOfMeasure::Hertz));
        let _: MeterValuesConf = round_trip("{}");
    }

    #[test]
    fn rejections() {
        assert_rejects::<MeterValuesReq>(r#"{"connectorId":1,"meterValue":[]}"#, "invalid length 0");
        assert_rejects::<MeterValuesReq>(r#"{"connectorId":1}"#, "missing field `meterValue`");
        assert_rejects::<MeterValuesReq>(
            r#"{"connectorId":1,"meterValue":[{"timestamp":"2026-03-01T12:00:00Z","sampledValue":[{"value":"1","measurand":"Power"}]}]}"#,
            "unknown variant `Power`",
        );
        assert_rejects::<MeterValuesReq>(
            r#"{"connectorId":1,"meterValue":[{"timestamp":"2026-03-01T12:00:00Z","sampledValue":[{"value":"1","extra":0}]}]}"#,
            "unknown field `extra`",
        );
    }
}
