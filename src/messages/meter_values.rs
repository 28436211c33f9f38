//! MeterValues (1.6 §4.7): sampled meter readings of a connector.

use alloc::vec::Vec;

use crate::messages::types::MeterValue;

json_object! {
    /// MeterValues.req (1.6 §6.31), charge point to central system.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct MeterValuesReq {
        /// The connector; 0 is the charge point's main meter.
        req connector_id: u32 = "connectorId",
        /// The transaction the values belong to.
        opt transaction_id: i32 = "transactionId",
        /// The readings (the schema requires at least one).
        req meter_value: Vec<MeterValue> = "meterValue" with crate::json::non_empty,
    }
}

json_object! {
    /// MeterValues.conf (1.6 §6.32); no fields, lenient.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct MeterValuesConf [lenient] {
    }
}
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
