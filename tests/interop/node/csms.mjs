#!/usr/bin/env node
// OCPP 1.6J central system on npm `ocpp-rpc` in strictMode, for interop tests of ocpp-cp.
//
//   node tests/interop/node/csms.mjs [--host 127.0.0.1] [--port 9000] [--tags T1,T2]
//        [--auth-key KEY] [--log FILE.jsonl] [--script FILE] [--heartbeat-interval S]
//        [--call-timeout S] [--quiet]
//
// Same duties and command language as server/dev_csms.py (see server/README.md): answers
// every charge-point-initiated 1.6 call, sends calls from --script then stdin, writes one
// JSON line per message/event to --log, a transcript to stderr, and command results as JSON
// lines on stdout (the first one is {"event":"listening","port":N}). Every strict-mode
// validation failure, bad frame and non-RFC-3339 date-time is recorded as
// {"event":"validation_error", ...}; none is swallowed.

import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import readline from 'node:readline';
import rpc from 'ocpp-rpc';

const { RPCServer, createRPCError, TimeoutError: RpcTimeoutError } = rpc;
const require = createRequire(import.meta.url);
const SUBPROTOCOL = 'ocpp1.6';
const FRAME_TYPES = { 2: 'CALL', 3: 'CALLRESULT', 4: 'CALLERROR' };

// ------------------------------------------------------------------ time and date-time checks
export function utcNow() {
  return new Date().toISOString(); // always ...sss'Z'
}

function utcIn(seconds) {
  return new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

// RFC 3339 §5.6 date-time with a mandatory zone (Z or +hh:mm), and a real calendar day.
export function isRfc3339(value) {
  if (typeof value !== 'string') return false;
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

// The 1.6 schemas are read from the installed ocpp-rpc package at run time.
function loadSchemas() {
  const list = JSON.parse(readFileSync(require.resolve('ocpp-rpc/lib/schemas/ocpp1_6.json'), 'utf8'));
  return new Map(list.map((s) => [s.$id, s]));
}
const SCHEMAS = loadSchemas();

function walkDateTimes(schema, value, path, out) {
  if (!schema || value === undefined || value === null) return;
  if (schema.format === 'date-time' && !isRfc3339(value)) {
    out.push(`${path || '(root)'}: ${JSON.stringify(value)} is not RFC 3339 with zone`);
  }
  if (schema.properties && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, sub] of Object.entries(schema.properties)) {
      walkDateTimes(sub, value[key], path ? `${path}/${key}` : key, out);
    }
  }
  if (schema.items && Array.isArray(value)) {
    value.forEach((item, i) => walkDateTimes(schema.items, item, `${path}/${i}`, out));
  }
}

export function dateTimeErrors(action, kind, payload) {
  const out = [];
  walkDateTimes(SCHEMAS.get(`urn:${action}.${kind}`), payload, '', out);
  return out;
}

// ------------------------------------------------------------------ records
class Recorder {
  constructor(logPath, transcript) {
    this.records = [];
    this.logPath = logPath;
    this.transcript = transcript;
    this.waiters = [];
  }

  add(fields) {
    const record = { ts: utcNow(), seq: this.records.length, ...fields };
    this.records.push(record);
    if (this.logPath) appendFileSync(this.logPath, JSON.stringify(record) + '\n');
    if (this.transcript) this.transcript.write(transcriptLine(record) + '\n');
    for (const w of [...this.waiters]) {
      if (record.seq >= w.since && w.predicate(record)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(record);
      }
    }
    return record;
  }

  wait(predicate, since, timeoutS) {
    const found = this.records.slice(since).find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = { predicate, since, resolve: (r) => { clearTimeout(timer); resolve(r); } };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new CommandError(`nothing matching after ${timeoutS} s`));
      }, timeoutS * 1000);
      this.waiters.push(w);
    });
  }
}

function transcriptLine(r) {
  const t = r.ts.slice(11, 23);
  if (r.event === 'message') {
    const arrow = r.direction === 'in' ? `${r.cp} -> CS` : `CS -> ${r.cp}`;
    const suffix = { CALL: '', CALLRESULT: ' (result)', CALLERROR: ' (CALLERROR)' }[r.type];
    return `${t}  ${arrow.padEnd(16)} ${r.action ?? '?'}${suffix} ${JSON.stringify(r.payload)}`;
  }
  if (r.event === 'validation_error') {
    return `${t}  !! VALIDATION ERROR [${r.source}] ${r.cp} ${r.direction} ${r.action}: ${r.error}`;
  }
  if (r.event === 'call_done') return `${t}  == ${r.action} on ${r.cp}: ${r.status}`;
  const { ts, seq, event, ...rest } = r;
  return `${t}  == ${event} ${JSON.stringify(rest)}`;
}

class CommandError extends Error {}

// ------------------------------------------------------------------ one charge point connection
class Session {
  constructor(csms, client) {
    this.csms = csms;
    this.client = client;
    this.id = client.identity;
    this.sentCalls = new Map(); // message id -> action of our CALLs
    this.receivedCalls = new Map(); // message id -> action of the CP's CALLs
    this.rawResponses = new Map(); // message id -> [type, payload]
    this.lastSentId = null;
    client.on('message', ({ message, outbound }) => this.onFrame(String(message), outbound));
    client.on('call', ({ outbound, payload }) => {
      if (!outbound) return;
      this.lastSentId = payload[1];
      this.sentCalls.set(payload[1], payload[2]);
    });
    client.on('strictValidationFailure', (e) => this.onStrictFailure(e));
    client.on('badMessage', ({ buffer, error }) =>
      this.violation('frame', 'in', null, null, `${error?.message ?? error}`, { raw: String(buffer).slice(0, 500) }));
    client.on('close', ({ code, reason }) => csms.onClose(this, code, String(reason ?? '')));
    this.registerHandlers();
  }

  violation(source, direction, action, id, error, extra = {}) {
    this.csms.recorder.add({ event: 'validation_error', source, cp: this.id, direction, action, id, error, ...extra });
  }

  onStrictFailure({ error, messageId, method, outbound, isCall }) {
    // outbound: our own CALL or answer broke the schema; inbound: the charge point's did.
    const code = error?.rpcErrorCode ?? error?.name ?? 'Error';
    this.violation('schema', outbound ? 'out' : 'in', method, messageId, `${code}: ${error?.message ?? error}`,
      { kind: isCall ? 'req' : 'conf' });
  }

  onFrame(text, outbound) {
    const direction = outbound ? 'out' : 'in';
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return; // ocpp-rpc reports it as badMessage
    }
    if (!Array.isArray(frame) || !(frame[0] in FRAME_TYPES) || typeof frame[1] !== 'string') return;
    const type = FRAME_TYPES[frame[0]];
    const id = frame[1];
    let action;
    let payload;
    if (type === 'CALL') {
      [action, payload] = [frame[2], frame[3]];
      if (!outbound) this.receivedCalls.set(id, action);
    } else {
      payload = type === 'CALLRESULT' ? frame[2]
        : { errorCode: frame[2], errorDescription: frame[3], errorDetails: frame[4] };
      if (outbound) {
        action = this.receivedCalls.get(id);
        this.receivedCalls.delete(id);
      } else {
        action = this.sentCalls.get(id);
        this.rawResponses.set(id, [type, payload]);
      }
    }
    this.csms.recorder.add({ event: 'message', direction, cp: this.id, type, action: action ?? null, id, payload });
    if (!outbound && action && type !== 'CALLERROR') {
      for (const err of dateTimeErrors(action, type === 'CALL' ? 'req' : 'conf', payload)) {
        this.violation('date-time', 'in', action, id, err);
      }
    }
  }

  tagInfo(idTag) {
    return { status: this.csms.config.tags.has(idTag) ? 'Accepted' : 'Invalid' };
  }

  registerHandlers() {
    const c = this.client;
    const cfg = this.csms.config;
    const empty = () => ({});
    c.handle('BootNotification', () => ({ status: cfg.bootStatus, currentTime: utcNow(), interval: cfg.heartbeatInterval }));
    c.handle('Heartbeat', () => ({ currentTime: utcNow() }));
    c.handle('Authorize', ({ params }) => ({ idTagInfo: this.tagInfo(params.idTag) }));
    c.handle('StartTransaction', ({ params }) => ({
      // 1.6 §6.46: a transaction id is returned even when the idTag is not Accepted.
      transactionId: this.csms.openTransaction(this.id, params.connectorId, params.idTag, params.meterStart),
      idTagInfo: this.tagInfo(params.idTag),
    }));
    c.handle('StopTransaction', ({ params }) => {
      this.csms.closeTransaction(params.transactionId, params.meterStop);
      return params.idTag !== undefined ? { idTagInfo: this.tagInfo(params.idTag) } : {};
    });
    c.handle('StatusNotification', empty);
    c.handle('MeterValues', empty);
    c.handle('DataTransfer', () => ({ status: 'Accepted' }));
    c.handle('DiagnosticsStatusNotification', empty);
    c.handle('FirmwareStatusNotification', empty);
    // Security extension (whitepaper ed.3) messages a 1.6 charge point may send.
    c.handle('SecurityEventNotification', empty);
    c.handle('SignCertificate', () => ({ status: 'Rejected' })); // no CA here
    c.handle('SignedFirmwareStatusNotification', empty);
    c.handle('LogStatusNotification', empty);
    c.handle(({ method }) => {
      this.violation('action', 'in', method, null, `no such charge-point-initiated 1.6 action: ${method}`);
      throw createRPCError('NotImplemented', `${method} is not handled by a central system`);
    });
  }

  async sendCall(action, payload) {
    const done = { event: 'call_done', cp: this.id, action, request: payload };
    if (!SCHEMAS.has(`urn:${action}.req`)) return this.csms.recorder.add({ ...done, status: 'unknown_action' });
    // ocpp-rpc picks the message id; the 'call' event tells it (commands run one at a time).
    this.lastSentId = null;
    try {
      const result = await this.client.call(action, payload);
      return this.csms.recorder.add({ ...done, id: this.lastSentId, status: 'result', result });
    } catch (err) {
      return this.csms.recorder.add({ ...done, id: this.lastSentId, ...this.failure(this.lastSentId, err) });
    }
  }

  failure(id, err) {
    const text = `${err?.rpcErrorCode ?? err?.name}: ${err?.message}`;
    if (err instanceof RpcTimeoutError) return { status: 'timeout' };
    if (id === null) return { status: 'invalid_request', error: text }; // never sent (strict mode)
    const raw = this.rawResponses.get(id);
    this.rawResponses.delete(id);
    if (raw?.[0] === 'CALLERROR') return { status: 'error', error: raw[1] };
    if (raw?.[0] === 'CALLRESULT') return { status: 'invalid_response', result: raw[1], error: text };
    return { status: 'closed', error: text };
  }
}

// ------------------------------------------------------------------ the central system
export class NodeCsms {
  constructor(config) {
    this.config = config;
    this.recorder = new Recorder(config.logPath, config.transcript);
    this.sessions = new Map();
    this.transactions = new Map();
    this.nextTx = config.firstTransactionId ?? 1;
    this.cursor = 0;
    this.port = null;
    this.stopped = false;
    this.server = new RPCServer({
      protocols: [SUBPROTOCOL],
      strictMode: true,
      callTimeoutMs: config.callTimeoutS * 1000,
      respondWithDetailedErrors: false,
    });
    this.server.auth((accept, reject, handshake) => this.authenticate(accept, reject, handshake));
    this.server.on('client', (client) => this.onClient(client));
    this.server.on('upgradeAborted', ({ error, identity }) =>
      this.recorder.add({ event: 'upgrade_aborted', cp: identity ?? null, error: `${error?.message ?? error}` }));
    this.server.on('error', (error) => this.recorder.add({ event: 'internal_error', error: `${error}` }));
  }

  authenticate(accept, reject, handshake) {
    const { identity, password, protocols } = handshake;
    if (this.config.authKey !== undefined) {
      // 1.6 security profile 1: Basic auth, user = charge point id, password = AuthorizationKey.
      if (!password || !password.equals(Buffer.from(this.config.authKey, 'utf8'))) {
        this.recorder.add({ event: 'auth_rejected', cp: identity, had_authorization: password !== undefined });
        reject(401, 'bad or missing Basic auth');
        return;
      }
    }
    if (!protocols.has(SUBPROTOCOL)) {
      // OCPP-J §3.1.2: the charge point must offer ocpp1.6; without it strict mode cannot apply.
      this.recorder.add({ event: 'validation_error', source: 'handshake', cp: identity, direction: 'in',
        action: null, id: null, error: `no '${SUBPROTOCOL}' subprotocol offered: ${[...protocols]}` });
      reject(400, `subprotocol ${SUBPROTOCOL} required`);
      return;
    }
    accept({}, SUBPROTOCOL);
  }

  onClient(client) {
    const session = new Session(this, client);
    this.sessions.set(session.id, session);
    this.recorder.add({ event: 'connect', cp: session.id, subprotocol: client.protocol ?? null,
      path: client.handshake?.request?.url ?? null });
  }

  onClose(session, code, reason) {
    if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
    this.recorder.add({ event: 'disconnect', cp: session.id, code, reason });
  }

  async start() {
    const http = await this.server.listen(this.config.port, this.config.host);
    this.port = http.address().port;
    this.recorder.add({ event: 'listening', host: this.config.host, port: this.port });
  }

  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    await this.server.close({ force: true });
    this.recorder.add({ event: 'stopped' });
  }

  openTransaction(cp, connector, idTag, meterStart) {
    const id = this.nextTx++;
    this.transactions.set(id, { cp, connector, id_tag: idTag, meter_start: meterStart, open: true });
    return id;
  }

  closeTransaction(id, meterStop) {
    const tx = this.transactions.get(id);
    if (tx) Object.assign(tx, { open: false, meter_stop: meterStop });
  }

  openTransactionOf(cp) {
    const ids = [...this.transactions].filter(([, tx]) => tx.cp === cp && tx.open).map(([id]) => id);
    return ids.length ? Math.max(...ids) : null;
  }

  async call(cp, action, payload) {
    const session = this.sessions.get(cp);
    if (!session) {
      return this.recorder.add({ event: 'call_done', cp, action, request: payload, status: 'not_connected' });
    }
    return session.sendCall(action, payload);
  }

  async runCommand(line) {
    const words = splitWords(line);
    if (words.length === 0) return null;
    const [name, ...args] = words;
    if (name === 'wait') {
      const seconds = num(arg(args, 0, 'SECONDS'), 'SECONDS');
      await new Promise((r) => setTimeout(r, seconds * 1000));
      return { event: 'waited', seconds };
    }
    if (name === 'wait_for') return this.waitForCommand(args);
    if (name === 'quit') {
      this.quit = true;
      return { event: 'quit' };
    }
    if (name === 'tags') {
      this.config.tags = new Set(args);
      return { event: 'tags', tags: [...this.config.tags].sort() };
    }
    const builder = CALL_COMMANDS[name];
    if (!builder) throw new CommandError(`unknown command '${name}' (see server/README.md)`);
    const cp = arg(args, 0, 'CP');
    const [action, payload] = builder(this, cp, args.slice(1));
    return this.call(cp, action, payload);
  }

  async waitForCommand(args) {
    if (args.length === 0) throw new CommandError('usage: wait_for EVENT|ACTION [cp=ID] [timeout=S] [since=N] [FIELD=VALUE]...');
    const [what, ...rest] = args;
    const opts = Object.fromEntries(rest.map(keyValue));
    const timeout = num(opts.timeout ?? '30', 'timeout');
    const since = opts.since !== undefined ? int(opts.since, 'since') : this.cursor;
    const cp = opts.cp;
    delete opts.timeout;
    delete opts.cp;
    delete opts.since;
    const predicate = eventMatcher(what, cp, opts);
    let found;
    try {
      found = await this.recorder.wait(predicate, since, timeout);
    } catch {
      throw new CommandError(`wait_for ${args.join(' ')}: nothing after ${timeout} s`);
    }
    this.cursor = found.seq + 1;
    return found;
  }

  // Run commands in order; true if all succeeded.
  async runLines(lines, stopOnError, out) {
    let ok = true;
    for (const line of lines) {
      if (this.quit) break;
      let result;
      try {
        result = await this.runCommand(line);
      } catch (err) {
        if (!(err instanceof CommandError)) throw err;
        ok = false;
        const rec = { event: 'command_error', line: line.trim(), error: err.message };
        this.recorder.add(rec);
        emit(out, rec);
        if (stopOnError) break;
        continue;
      }
      if (result) emit(out, result);
    }
    return ok;
  }
}

function emit(out, record) {
  if (out) out.write(JSON.stringify(record) + '\n');
}

// ------------------------------------------------------------------ command language
// Shell-like words: spaces split, '...' and "..." quote, # starts a comment.
export function splitWords(line) {
  const words = [];
  const re = /\s*(?:'([^']*)'|"((?:\\.|[^"\\])*)"|(\S+))/gy;
  let m;
  let rest = line.trim();
  re.lastIndex = 0;
  while (rest.length && (m = re.exec(rest)) !== null) {
    if (m[3] !== undefined && m[3].startsWith('#')) break;
    words.push(m[1] ?? (m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]));
    if (re.lastIndex >= rest.length) break;
  }
  return words;
}

function lookup(obj, dotted) {
  let v = obj;
  for (const part of dotted.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[part];
  }
  return v;
}

function same(actual, wanted) {
  return actual !== undefined && actual !== null && String(actual).toLowerCase() === String(wanted).toLowerCase();
}

function eventMatcher(what, cp, fields) {
  const entries = Object.entries(fields);
  if (/^[A-Z]/.test(what)) {
    return (r) => r.event === 'message' && r.direction === 'in' && r.type === 'CALL' && r.action === what
      && (cp === undefined || r.cp === cp) && entries.every(([k, v]) => same(lookup(r.payload, k), v));
  }
  return (r) => r.event === what && (cp === undefined || r.cp === cp)
    && entries.every(([k, v]) => same(lookup(r, k), v));
}

function arg(args, i, name) {
  if (i >= args.length) throw new CommandError(`missing argument ${name}`);
  return args[i];
}

function int(text, name) {
  if (!/^-?\d+$/.test(text)) throw new CommandError(`${name} must be an integer, got '${text}'`);
  return Number(text);
}

function num(text, name) {
  const n = Number(text);
  if (text === '' || Number.isNaN(n)) throw new CommandError(`${name} must be a number, got '${text}'`);
  return n;
}

function json(text, name) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CommandError(`${name} is not valid JSON: ${e.message}`);
  }
}

function keyValue(text) {
  const i = text.indexOf('=');
  if (i <= 0) throw new CommandError(`expected KEY=VALUE, got '${text}'`);
  return [text.slice(0, i), text.slice(i + 1)];
}

const CALL_COMMANDS = {
  remote_start: (csms, cp, a) => {
    const p = { idTag: arg(a, 0, 'TAG') };
    if (a.length > 1) p.connectorId = int(a[1], 'CONNECTOR');
    if (a.length > 2) p.chargingProfile = json(a[2], 'PROFILE_JSON');
    return ['RemoteStartTransaction', p];
  },
  remote_stop: (csms, cp, a) => {
    const tx = a.length > 0 ? int(a[0], 'TXID') : csms.openTransactionOf(cp);
    if (tx === null) throw new CommandError(`no open transaction of ${cp}; give TXID`);
    return ['RemoteStopTransaction', { transactionId: tx }];
  },
  reset: (csms, cp, a) => ['Reset', { type: arg(a, 0, 'Soft|Hard') }],
  unlock: (csms, cp, a) => ['UnlockConnector', { connectorId: int(arg(a, 0, 'CONNECTOR'), 'CONNECTOR') }],
  change_availability: (csms, cp, a) => ['ChangeAvailability',
    { connectorId: int(arg(a, 0, 'CONNECTOR'), 'CONNECTOR'), type: arg(a, 1, 'Operative|Inoperative') }],
  get_configuration: (csms, cp, a) => ['GetConfiguration', a.length ? { key: a } : {}],
  change_configuration: (csms, cp, a) => ['ChangeConfiguration', { key: arg(a, 0, 'KEY'), value: arg(a, 1, 'VALUE') }],
  clear_cache: () => ['ClearCache', {}],
  data_transfer: (csms, cp, a) => {
    const p = { vendorId: arg(a, 0, 'VENDOR') };
    if (a.length > 1) p.messageId = a[1];
    if (a.length > 2) p.data = a[2];
    return ['DataTransfer', p];
  },
  trigger: (csms, cp, a) => {
    const p = { requestedMessage: arg(a, 0, 'MESSAGE') };
    if (a.length > 1) p.connectorId = int(a[1], 'CONNECTOR');
    return ['TriggerMessage', p];
  },
  set_charging_profile: (csms, cp, a) => ['SetChargingProfile',
    { connectorId: int(arg(a, 0, 'CONNECTOR'), 'CONNECTOR'), csChargingProfiles: json(arg(a, 1, 'JSON'), 'JSON') }],
  clear_charging_profile: (csms, cp, a) => {
    const names = { id: 'id', connector: 'connectorId', purpose: 'chargingProfilePurpose', stack: 'stackLevel' };
    const p = {};
    for (const [k, v] of a.map(keyValue)) {
      if (!(k in names)) throw new CommandError(`clear_charging_profile: unknown filter '${k}'`);
      p[names[k]] = k === 'purpose' ? v : int(v, k);
    }
    return ['ClearChargingProfile', p];
  },
  get_composite_schedule: (csms, cp, a) => {
    const p = { connectorId: int(arg(a, 0, 'CONNECTOR'), 'CONNECTOR'), duration: int(arg(a, 1, 'SECONDS'), 'SECONDS') };
    if (a.length > 2) p.chargingRateUnit = a[2];
    return ['GetCompositeSchedule', p];
  },
  send_local_list: (csms, cp, a) => {
    const p = { listVersion: int(arg(a, 0, 'VERSION'), 'VERSION'), updateType: arg(a, 1, 'Full|Differential') };
    const entries = a.slice(2).map((item) => {
      const [tag, status = ''] = item.split(':');
      return status === '-' ? { idTag: tag } : { idTag: tag, idTagInfo: { status: status || 'Accepted' } };
    });
    if (entries.length) p.localAuthorizationList = entries;
    return ['SendLocalList', p];
  },
  get_local_list_version: () => ['GetLocalListVersion', {}],
  reserve_now: (csms, cp, a) => ['ReserveNow', {
    connectorId: int(arg(a, 0, 'CONNECTOR'), 'CONNECTOR'), idTag: arg(a, 1, 'TAG'),
    reservationId: int(arg(a, 2, 'RESERVATION_ID'), 'RESERVATION_ID'),
    expiryDate: utcIn(num(a[3] ?? '3600', 'EXPIRES_IN')),
  }],
  cancel_reservation: (csms, cp, a) => ['CancelReservation',
    { reservationId: int(arg(a, 0, 'RESERVATION_ID'), 'RESERVATION_ID') }],
  update_firmware: (csms, cp, a) => ['UpdateFirmware',
    { location: arg(a, 0, 'URI'), retrieveDate: utcIn(num(a[1] ?? '0', 'RETRIEVE_IN')) }],
  get_diagnostics: (csms, cp, a) => ['GetDiagnostics', { location: arg(a, 0, 'URI') }],
  call: (csms, cp, a) => {
    const payload = a.length > 1 ? json(a[1], 'JSON') : {};
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      throw new CommandError('JSON payload must be an object');
    }
    return [arg(a, 0, 'ACTION'), payload];
  },
};

// ------------------------------------------------------------------ command line
function configFromArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '9000' },
      tags: { type: 'string', default: '' },
      'auth-key': { type: 'string' },
      log: { type: 'string' },
      script: { type: 'string' },
      'heartbeat-interval': { type: 'string', default: '300' },
      'boot-status': { type: 'string', default: 'Accepted' },
      'call-timeout': { type: 'string', default: '30' },
      quiet: { type: 'boolean', default: false },
    },
  });
  return {
    host: values.host,
    port: Number(values.port),
    tags: new Set(values.tags.split(',').filter(Boolean)),
    authKey: values['auth-key'],
    logPath: values.log,
    script: values.script,
    heartbeatInterval: Number(values['heartbeat-interval']),
    bootStatus: values['boot-status'],
    callTimeoutS: Number(values['call-timeout']),
    transcript: values.quiet ? null : process.stderr,
  };
}

async function main() {
  const config = configFromArgs(process.argv.slice(2));
  const csms = new NodeCsms(config);
  await csms.start();
  emit(process.stdout, { event: 'listening', host: config.host, port: csms.port });
  let ok = true;
  const finish = async (code) => {
    await csms.stop();
    process.exit(code);
  };
  process.on('SIGTERM', () => finish(0));
  process.on('SIGINT', () => finish(130));
  if (config.script) {
    const lines = readFileSync(config.script, 'utf8').split('\n');
    ok = await csms.runLines(lines, true, process.stdout);
    if (!ok || csms.quit) return finish(ok ? 0 : 1);
  }
  // stdin: one command at a time, in order; at EOF keep serving until killed or `quit`.
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    await csms.runLines([line], false, process.stdout);
    if (csms.quit) return finish(0);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    process.stderr.write(`csms.mjs: fatal: ${err?.stack ?? err}\n`);
    process.exit(2);
  });
}
