"""Judges the central system's JSONL log after a fault-injection run (issue [4]).

`analyse()` is pure: the records of server/dev_csms.py's `--log` file plus what the driver did
(sessions, kills, proxy cuts, the simulator's stdout events) in, a `Report` (figures and
problems) out. What it holds the charge point to:

- every transactionId the CSMS handed out has exactly one StartTransaction and exactly one
  StopTransaction; a message repeated byte-for-byte (its answer was lost in a cut or a kill,
  so the charge point sent it again; OCPP 1.6 has no other way) counts as *duplicated*, and
  each repeat must follow a link break, otherwise it is a problem;
- the dev CSMS answers a repeated StartTransaction (same connector, idTag, timestamp,
  meterStart) with the same transactionId, as SteVe does; two different StartTransactions with
  the same (connector, idTag, timestamp) are a problem;
- nothing (MeterValues, StopTransaction) arrives for a transactionId not handed out before it,
  and no transaction MeterValues arrive after that transaction's StopTransaction;
- per transaction: StopTransaction timestamp >= StartTransaction timestamp, meterStop >=
  meterStart; MeterValues timestamps and energy never decrease, lie between start and stop;
- completeness (1.6 §4.7 MeterValueSampleInterval, the README's thinning rules): consecutive
  periodic samples are one interval apart; a longer gap must be explained by a kill (the
  charger was off) or by queue thinning (the link was down longer than the 64-message queue
  lasts); anything else counts as *lost*. StopTransaction's transactionData is Transaction.Begin,
  the periodic values, Transaction.End, and when nothing interfered exactly what the halving
  rule (keep the first, drop every second when 32 are held) leaves of the delivered samples;
- per session: a transaction the simulator began locally reaches the CSMS (else *lost*), at most
  one transaction per session, and its stop reason is what the simulator reported (PowerLoss
  when it was killed during the transaction);
- the energy register never goes back from one transaction to the next;
- no validation errors, no CALLERRORs, no simulator error events except link failures.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Record = dict[str, Any]

# Config of the charge point the rules depend on (src/cp/config.rs defaults).
TX_QUEUE_CAPACITY = 64
TX_DATA_CAPACITY = 32
# A gap up to this many sample intervals is on time (the simulator's loop is not real-time).
GAP_SLACK = 2.5
# An offline period at least this long (s) may have filled the queue: gaps inside are thinning.
THINNING_OFFLINE_S = 40.0
# Timestamps before the run started (minus this, ms) come from a charge point without a clock.
CLOCK_SLACK_MS = 60_000
# Simulator error events that a link failure explains.
LINK_ERRORS = (
    "socket",
    "connect",
    "connection",
    "handshake",
    "websocket",
    "ws:",
    "closed",
    "reset",
)


@dataclass
class Report:
    """Figures of the run and the problems found (empty = the run passed)."""

    figures: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        f = self.figures
        lines = [
            "fault-injection figures:",
            (
                f"  seed {f.get('seed')}  sessions {f.get('sessions')}  with a transaction "
                f"{f.get('sessions_with_tx')}  transactions {f.get('transactions')}"
            ),
            (
                f"  cuts {f.get('cuts')} {f.get('cuts_by_kind')}  mid-frame "
                f"{f.get('mid_frame_cuts')}  refused connects {f.get('refused_connects')}  "
                f"skipped {f.get('skipped_cuts')}"
            ),
            f"  kills {f.get('kills')} {f.get('kills_by_phase')}  processes {f.get('processes')}",
            (
                f"  messages cp->cs {f.get('messages_in')}  cs->cp {f.get('messages_out')}"
                f"  (MeterValues {f.get('meter_values')})"
            ),
            f"  lost {f.get('lost')} {f.get('lost_by_kind')}",
            f"  duplicated {f.get('duplicated')} {f.get('duplicated_by_kind')}",
            (
                f"  thinned {f.get('thinned')}  halved transactionData {f.get('halved')}"
                f"  epoch timestamps {f.get('epoch_timestamps')}"
                f"  refused (queue full) {f.get('refused_full')}"
            ),
            f"  tap to charging: median {f.get('tap_s_median')} s, longest {f.get('tap_s_max')} s",
            f"  elapsed {f.get('elapsed_s')} s (drain {f.get('drain_s')} s)",
        ]
        if self.notes:
            lines.append(f"notes ({len(self.notes)}):")
            lines += [f"  - {n}" for n in self.notes[:20]]
        if self.problems:
            lines.append(f"problems ({len(self.problems)}):")
            lines += [f"  - {p}" for p in self.problems[:60]]
            if len(self.problems) > 60:
                lines.append(f"  ... and {len(self.problems) - 60} more")
        return "\n".join(lines)


def ts_ms(text: Any) -> int | None:
    """RFC 3339 -> Unix ms (None when not parseable)."""
    if not isinstance(text, str):
        return None
    try:
        return int(datetime.fromisoformat(text).timestamp() * 1000)
    except ValueError:
        return None


def canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def _energy_of(entry: Record) -> float | None:
    for sv in entry.get("sampledValue") or []:
        if sv.get("measurand", "Energy.Active.Import.Register") == "Energy.Active.Import.Register":
            try:
                value = float(sv["value"])
            except (KeyError, TypeError, ValueError):
                return None
            return value * 1000 if sv.get("unit") == "kWh" else value
    return None


def _context_of(entry: Record) -> str:
    values = entry.get("sampledValue") or [{}]
    return str(values[0].get("context", "Sample.Periodic"))


def halve(periodic: list[int], capacity: int = TX_DATA_CAPACITY) -> list[int]:
    """What StopTxnSampledData keeps of the periodic samples after Transaction.Begin: when the
    list holds `capacity` values, the first stays and every second one after it goes."""
    data: list[int | None] = [None]  # Transaction.Begin
    for p in periodic:
        if len(data) >= max(capacity, 2):
            data = [v for j, v in enumerate(data) if j == 0 or j % 2 == 1]
        data.append(p)
    return [v for v in data[1:] if v is not None]


@dataclass
class _Tx:
    tx_id: int
    handed_seq: int
    starts: dict[str, Record] = field(default_factory=dict)  # canonical payload -> payload
    stops: dict[str, Record] = field(default_factory=dict)
    first_stop_seq: int | None = None
    meter: list[tuple[int, Record]] = field(default_factory=list)  # (seq, payload), distinct


def analyse(
    records: list[Record],
    sessions: list[Record],
    kills: list[Record],
    cuts: list[Record],
    sim_events: list[Record],
    anomalies: list[str],
    run_start_ms: int,
    interval_s: int = 1,
) -> Report:
    rep = Report()
    problems, notes = rep.problems, rep.notes
    problems += [f"driver: {a}" for a in anomalies]
    lost: Counter[str] = Counter()
    dup: Counter[str] = Counter()

    msgs = [r for r in records if r.get("event") == "message"]
    calls = [r for r in msgs if r["direction"] == "in" and r["type"] == "CALL"]
    answers = {
        r["id"]: r
        for r in msgs
        if r["direction"] == "out" and r["type"] in ("CALLRESULT", "CALLERROR")
    }
    # A new connection also proves the old one broke (its disconnect may be recorded later).
    breaks = [r["seq"] for r in records if r.get("event") in ("disconnect", "connect")]

    def broke_between(a: int, b: int) -> bool:
        return any(a < s < b for s in breaks)

    # Offline periods as the CSMS saw them (for thinning), in wall ms.
    offline: list[tuple[int, int]] = []
    down_at: int | None = None
    for r in records:
        if r.get("event") == "disconnect":
            down_at = ts_ms(r["ts"])
        elif r.get("event") == "connect" and down_at is not None:
            up = ts_ms(r["ts"])
            if up is not None:
                offline.append((down_at, up))
            down_at = None
    kill_windows = [(int(k["at_ms"]), int(k["restarted_ms"]) + 2000) for k in kills]

    # ---------------------------------------------------------------- repeats of one payload
    seen: dict[tuple[str, str], int] = {}
    for r in calls:
        if r["action"] not in ("StartTransaction", "StopTransaction", "MeterValues"):
            continue
        repeat_key = (r["action"], canonical(r.get("payload")))
        first = seen.get(repeat_key)
        if first is None:
            seen[repeat_key] = r["seq"]
            continue
        dup[r["action"]] += 1
        if not broke_between(first, r["seq"]):
            problems.append(
                f"{r['action']} repeated (seq {first} and {r['seq']}) without a link break"
            )
        seen[repeat_key] = r["seq"]

    # ---------------------------------------------------------------- transactions
    txs: dict[int, _Tx] = {}
    for r in calls:
        if r["action"] != "StartTransaction":
            continue
        answer = answers.get(r["id"])
        if answer is None or answer["type"] != "CALLRESULT":
            continue  # the link broke before the answer: the charge point sends it again
        tx_id = (answer.get("payload") or {}).get("transactionId")
        if not isinstance(tx_id, int):
            problems.append(f"StartTransaction answer without transactionId: {answer}")
            continue
        tx = txs.setdefault(tx_id, _Tx(tx_id, answer["seq"]))
        tx.starts.setdefault(canonical(r["payload"]), r["payload"])
    ids_of_start: dict[str, set[int]] = defaultdict(set)
    for tx in txs.values():
        for ckey in tx.starts:
            ids_of_start[ckey].add(tx.tx_id)
    for ckey, ids in ids_of_start.items():
        if len(ids) > 1:
            problems.append(
                f"one StartTransaction answered with transactionIds {sorted(ids)}: a repeat got "
                f"a new transaction (the CSMS did not dedupe): {ckey}"
            )
    start_keys: dict[tuple[Any, Any, Any], str] = {}
    for tx in txs.values():
        if len(tx.starts) != 1:
            problems.append(f"transaction {tx.tx_id}: {len(tx.starts)} different StartTransactions")
        for ckey, p in tx.starts.items():
            k = (p.get("connectorId"), p.get("idTag"), p.get("timestamp"))
            other = start_keys.setdefault(k, ckey)
            if other != ckey:
                problems.append(
                    f"two different StartTransactions for (connector, idTag, timestamp) {k}"
                )

    def known(tx_id: Any, seq: int, what: str) -> _Tx | None:
        tx = txs.get(tx_id) if isinstance(tx_id, int) else None
        if tx is None or tx.handed_seq > seq:
            problems.append(
                f"{what} (seq {seq}) for transaction id {tx_id} the CSMS never handed out"
            )
            return None
        return tx

    for r in calls:
        p = r.get("payload") or {}
        if r["action"] == "StopTransaction":
            found = known(p.get("transactionId"), r["seq"], "StopTransaction")
            if found is not None:
                found.stops.setdefault(canonical(p), p)
                if found.first_stop_seq is None:
                    found.first_stop_seq = r["seq"]
        elif r["action"] == "MeterValues":
            if p.get("transactionId") is None:
                problems.append(f"MeterValues without transactionId (seq {r['seq']}): {p}")
                continue
            found = known(p.get("transactionId"), r["seq"], "MeterValues")
            if found is None:
                continue
            delivered = {canonical(q) for _, q in found.meter}
            if found.first_stop_seq is not None and found.first_stop_seq < r["seq"]:
                if canonical(p) not in delivered:
                    problems.append(
                        f"transaction {found.tx_id}: MeterValues (seq {r['seq']}) after its "
                        "StopTransaction"
                    )
                continue
            if canonical(p) not in delivered:
                found.meter.append((r["seq"], p))

    session_of = {str(s["tag"]): s for s in sessions}

    def long_offline_during(tag: Any) -> bool:
        """Whether the link was down long enough to fill the queue while this session's
        messages waited (its span overlaps an offline period >= THINNING_OFFLINE_S)."""
        s = session_of.get(str(tag))
        if s is None:
            return False
        begin, end = int(s.get("started_ms", 0)), int(s.get("ended_ms", 0)) or 2**62
        return any(
            up - down >= THINNING_OFFLINE_S * 1000 and down <= end and begin <= up
            for down, up in offline
        )

    epoch_ts = 0
    thinned = 0
    halved = 0
    killed_txs: set[int] = set()
    for tx in sorted(txs.values(), key=lambda t: t.tx_id):
        if len(tx.stops) == 0:
            lost["StopTransaction"] += 1
            problems.append(f"transaction {tx.tx_id}: no StopTransaction")
            continue
        if len(tx.stops) > 1:
            problems.append(f"transaction {tx.tx_id}: {len(tx.stops)} different StopTransactions")
        start = next(iter(tx.starts.values()))
        stop = next(iter(tx.stops.values()))
        t_start, t_stop = ts_ms(start.get("timestamp")), ts_ms(stop.get("timestamp"))
        where = f"transaction {tx.tx_id} ({start.get('idTag')})"
        if t_start is None or t_stop is None:
            problems.append(f"{where}: unreadable start/stop timestamp")
            continue
        if stop.get("reason") == "PowerLoss" or any(
            a <= t_stop and t_start <= b for a, b in kill_windows
        ):
            killed_txs.add(tx.tx_id)
        if t_stop < t_start:
            problems.append(
                f"{where}: stopped at {stop.get('timestamp')} before it started at {start.get('timestamp')}"
            )
        if stop.get("meterStop", 0) < start.get("meterStart", 0):
            problems.append(
                f"{where}: meterStop {stop.get('meterStop')} < meterStart {start.get('meterStart')}"
            )
        samples: list[tuple[int, float | None, str]] = []
        for _, mv in tx.meter:
            for entry in mv.get("meterValue") or []:
                t = ts_ms(entry.get("timestamp"))
                if t is None:
                    problems.append(
                        f"{where}: unreadable MeterValues timestamp {entry.get('timestamp')}"
                    )
                    continue
                samples.append((t, _energy_of(entry), _context_of(entry)))
        stamps = [t_start] + [s[0] for s in samples] + [t_stop]
        epoch_ts += sum(1 for t in stamps if t < run_start_ms - CLOCK_SLACK_MS)
        for (t0, e0, _), (t1, e1, _) in itertools.pairwise(samples):
            if t1 < t0:
                problems.append(f"{where}: MeterValues timestamps go back ({t0} -> {t1})")
            if e0 is not None and e1 is not None and e1 < e0:
                problems.append(f"{where}: energy goes back in MeterValues ({e0} -> {e1} Wh)")
        for t, e, _ in samples:
            if not t_start <= t <= t_stop:
                problems.append(f"{where}: MeterValues at {t} outside [{t_start}, {t_stop}]")
            if (
                e is not None
                and not start.get("meterStart", 0) - 1 <= e <= stop.get("meterStop", 0) + 1
            ):
                problems.append(
                    f"{where}: MeterValues energy {e} Wh outside [meterStart {start.get('meterStart')}, "
                    f"meterStop {stop.get('meterStop')}]"
                )
        # Completeness: periodic samples one interval apart, unless a kill or thinning explains
        # it. A charge point without a clock stamps epoch + uptime: gaps are measured within one
        # clock domain, never across the moment the clock was set.
        step = interval_s * 1000
        interrupted = False
        clockless = run_start_ms - CLOCK_SLACK_MS
        for a, b in itertools.pairwise(stamps):
            if b - a <= GAP_SLACK * step or (a < clockless) != (b < clockless):
                continue
            missing = max(round((b - a) / step) - 1, 1)
            if a >= clockless and any(ka <= b and a <= kb for ka, kb in kill_windows):
                interrupted = True
                continue
            if long_offline_during(start.get("idTag")):
                thinned += missing
                interrupted = True
                continue
            lost["MeterValues"] += missing
            problems.append(f"{where}: {missing} periodic MeterValues missing between {a} and {b}")
        # StopTransaction.transactionData: Begin, periodic values (halved when full), End.
        data = stop.get("transactionData") or []
        contexts = [_context_of(e) for e in data]
        data_ts = [ts_ms(e.get("timestamp")) for e in data]
        if data:
            if contexts[0] != "Transaction.Begin" or contexts[-1] != "Transaction.End":
                problems.append(f"{where}: transactionData does not run Begin..End: {contexts}")
            elif any(c != "Sample.Periodic" for c in contexts[1:-1]):
                problems.append(
                    f"{where}: transactionData has {contexts[1:-1]} between Begin and End"
                )
            if any(a is None or b is None or b < a for a, b in itertools.pairwise(data_ts)):
                problems.append(f"{where}: transactionData timestamps out of order")
            periodic_data = [
                t for t, c in zip(data_ts, contexts, strict=True) if c == "Sample.Periodic"
            ]
            periodic_mv = [s[0] for s in samples if s[2] == "Sample.Periodic"]
            if len(periodic_mv) >= TX_DATA_CAPACITY:
                halved += 1
            if tx.tx_id not in killed_txs and not interrupted:
                want = halve(periodic_mv)
                if periodic_data != want:
                    problems.append(
                        f"{where}: transactionData periodic values {len(periodic_data)} != the "
                        f"{len(want)} the halving rule keeps of {len(periodic_mv)} samples"
                    )
            elif not set(periodic_data) <= set(periodic_mv) and not interrupted:
                problems.append(
                    f"{where}: transactionData has periodic values MeterValues never had"
                )
        elif tx.tx_id not in killed_txs:
            problems.append(
                f"{where}: StopTransaction without transactionData (StopTxnSampledData is set)"
            )

    # Energy register across transactions of the connector.
    ordered = sorted(
        (t for t in txs.values() if t.stops),
        key=lambda t: (next(iter(t.starts.values())).get("connectorId"), t.tx_id),
    )
    for prev, nxt in itertools.pairwise(ordered):
        sa, sb = next(iter(prev.starts.values())), next(iter(nxt.starts.values()))
        if sa.get("connectorId") != sb.get("connectorId"):
            continue
        stop_a = next(iter(prev.stops.values())).get("meterStop", 0)
        if sb.get("meterStart", 0) < stop_a - 1:
            problems.append(
                f"energy register went back: transaction {prev.tx_id} stopped at {stop_a} Wh, "
                f"{nxt.tx_id} started at {sb.get('meterStart')} Wh (README: the energy register "
                "survives kill -9)"
            )

    # ---------------------------------------------------------------- sessions
    by_tag: dict[str, list[int]] = defaultdict(list)
    for tx in txs.values():
        for p in tx.starts.values():
            by_tag[str(p.get("idTag"))].append(tx.tx_id)
    with_tx = 0
    for s in sessions:
        ids = sorted(set(by_tag.get(s["tag"], [])))
        where = f"session {s['index']} ({s['tag']}, kills {s['kills']}, {s['stop_method']})"
        if ids:
            with_tx += 1
        if len(ids) > 1:
            problems.append(f"{where}: {len(ids)} transactions {ids}")
        if s["began"] and not ids:
            lost["StartTransaction"] += 1
            problems.append(f"{where}: began locally but no StartTransaction reached the CSMS")
        if not s["began"] and ids and not s["killed_before_begin_seen"]:
            problems.append(f"{where}: transaction {ids} though none began")
        for sim_id in s["tx_ids"]:
            if sim_id not in ids:
                problems.append(
                    f"{where}: the simulator reported transaction {sim_id}, the CSMS has {ids}"
                )
        if len(ids) != 1 or not txs[ids[0]].stops:
            continue
        reason = next(iter(txs[ids[0]].stops.values())).get("reason", "Local")
        if s["killed_in_tx"] or (s["killed_before_begin_seen"] and not s["began"]):
            allowed = {"PowerLoss"}
        else:
            allowed = {s["stop_reason"]} | ({"PowerLoss"} if "stopping" in s["kills"] else set())
        if reason not in allowed:
            problems.append(f"{where}: stop reason {reason}, expected {sorted(map(str, allowed))}")

    # ---------------------------------------------------------------- the rest of the log
    for r in records:
        if r.get("event") in ("validation_error", "internal_error"):
            problems.append(f"CSMS {r['event']}: {r}")
        elif r.get("event") == "message" and r["type"] == "CALLERROR":
            problems.append(f"CALLERROR {r['direction']}: {r.get('action')} {r.get('payload')}")
    sim_errors = [str(e.get("message", "")) for e in sim_events if e.get("event") == "error"]
    link_errors = [m for m in sim_errors if any(w in m.lower() for w in LINK_ERRORS)]
    # A full queue refusing a new transaction is the thinning rule at work, not a failure.
    refused_full = [m for m in sim_errors if "transaction queue is full" in m]
    for m in sim_errors:
        if m not in link_errors and m not in refused_full:
            problems.append(f"simulator error event: {m}")
    if epoch_ts:
        notes.append(
            f"{epoch_ts} transaction timestamps predate the run: the charge point had no clock yet "
            "(restarted while offline, before a BootNotification answer)"
        )

    taps = sorted(float(s["tap_s"]) for s in sessions if s.get("tap_s") is not None)
    slow_taps = [t for t in taps if t > 5.0]
    if slow_taps:
        notes.append(
            f"{len(slow_taps)} taps took more than 5 s to start charging (longest "
            f"{slow_taps[-1]:.1f} s): an Authorize queued on a link that had died silently "
            "waits for the reconnect instead of falling back to offline authorization"
        )
    cut_kinds = Counter(c["kind"] for c in cuts if c["kind"] != "refused")
    rep.figures.update(
        sessions=len(sessions),
        sessions_with_tx=with_tx,
        transactions=len(txs),
        cuts=sum(cut_kinds.values()),
        cuts_by_kind=dict(cut_kinds),
        mid_frame_cuts=sum(1 for c in cuts if c.get("mid_frame") and c["kind"] != "refused"),
        refused_connects=sum(1 for c in cuts if c["kind"] == "refused"),
        kills=len(kills),
        kills_by_phase=dict(Counter(k["phase"] for k in kills)),
        messages_in=sum(1 for r in msgs if r["direction"] == "in"),
        messages_out=sum(1 for r in msgs if r["direction"] == "out"),
        meter_values=sum(1 for r in calls if r["action"] == "MeterValues"),
        lost=sum(lost.values()),
        lost_by_kind=dict(lost),
        duplicated=sum(dup.values()),
        duplicated_by_kind=dict(dup),
        thinned=thinned,
        halved=halved,
        epoch_timestamps=epoch_ts,
        link_error_events=len(link_errors),
        refused_full=len(refused_full),
        tap_s_median=taps[len(taps) // 2] if taps else None,
        tap_s_max=taps[-1] if taps else None,
    )
    return rep
