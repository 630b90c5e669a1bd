'use client';
// Live view of a bridged device: subscribe on /live, feed every batch (history first) to the twin
// worker, plot real vs twin with the residual and raise / clear alarms; send set-points through
// the server's safety interlock. Residual alarms and the safety monitor's events (run in the same
// worker on the measurements) are reported to the fleet view's alerts (POST /api/alerts; the
// server de-duplicates, so a replayed history or a second open page does not count twice).
import Link from 'next/link';
import { useCallback, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { ENGINE_VERSION } from '../../sim/engine/run';
import type { Channel, LiveBatch } from '../../sim/protocol/bridge';
import { getLibrary } from '../library/db';
import { LiveChart } from './LiveChart';
import { LiveSeries } from './series';
import { Twin } from '../../workers/live/Twin';

interface DeviceInfo {
  id: string;
  name: string;
  site: string;
  channels: Channel[];
  commands: string[];
  connected: boolean;
}

interface AlarmEvent {
  t: number;
  kind: 'raised' | 'cleared' | 'safety';
  text: string;
  at: string;
}

interface AlertReport {
  deviceId: string;
  source: 'safety' | 'twin';
  code: string;
  severity: 'info' | 'warning' | 'alarm' | 'trip';
  message: string;
  atMs?: number;
  deviceT?: number;
  value?: number;
}

/** Reports an alarm to the fleet view's alerts; resolves with an error text or ''. */
async function reportAlert(a: AlertReport): Promise<string> {
  try {
    const r = await fetch('/api/alerts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a) });
    if (r.ok) return '';
    const body = (await r.json().catch(() => ({}))) as { error?: string };
    return body.error ?? `HTTP ${r.status}`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const fmt = (x: number | undefined, digits = 3) => (x === undefined ? '' : x.toFixed(digits));

export function LivePage() {
  const socket = useRef<Socket | null>(null);
  const twin = useRef<Twin | null>(null);
  const series = useRef(new LiveSeries());
  const lastSeq = useRef(-1);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const [conn, setConn] = useState<'connecting' | 'connected' | 'disconnected'>('connecting');
  const [devices, setDevices] = useState<DeviceInfo[]>([]);
  const [selected, setSelected] = useState<string>('');
  const [device, setDevice] = useState<DeviceInfo | null>(null);
  const [deviceState, setDeviceState] = useState<string>('');
  const [version, setVersion] = useState(0);
  const [dropped, setDropped] = useState(0);
  const [alarm, setAlarm] = useState(false);
  const [events, setEvents] = useState<AlarmEvent[]>([]);
  const [error, setError] = useState<string>('');
  const [thresholdMv, setThresholdMv] = useState(50);
  const [holdS, setHoldS] = useState(5);
  const [offsetS, setOffsetS] = useState(0);
  const [windowS, setWindowS] = useState(300);
  const [setpoint, setSetpoint] = useState('1');
  const [cmdResult, setCmdResult] = useState('');
  const [saved, setSaved] = useState('');
  const [reportError, setReportError] = useState('');
  const alarmCfg = useRef({ thresholdMv: 50, holdS: 5 });
  alarmCfg.current = { thresholdMv, holdS };

  const refreshDevices = useCallback(async () => {
    const s = socket.current;
    if (!s) return;
    const r = (await s.timeout(5000).emitWithAck('devices').catch(() => null)) as { ok: boolean; devices?: DeviceInfo[] } | null;
    if (r?.ok && r.devices) setDevices(r.devices);
  }, []);

  useEffect(() => {
    const s = io('/live', { transports: ['websocket'] });
    socket.current = s;
    twin.current = new Twin();
    s.on('connect', () => {
      setConn('connected');
      void refreshDevices();
    });
    s.on('disconnect', () => setConn('disconnected'));
    s.on('dropped', (d: { count: number }) => setDropped((x) => x + d.count));
    s.on('status', (st: { state: string; message?: string }) => setDeviceState(st.state + (st.message ? `: ${st.message}` : '')));
    const timer = setInterval(() => void refreshDevices(), 5000);
    // /live?device=<id> (links from the fleet view) opens that device
    const wanted = new URLSearchParams(window.location.search).get('device');
    if (wanted) setSelected(wanted);
    return () => {
      clearInterval(timer);
      s.close();
      twin.current?.terminate();
    };
  }, [refreshDevices]);

  const feed = useCallback((batches: LiveBatch[]) => {
    queue.current = queue.current.then(async () => {
      const fresh = batches.filter((b) => b.seq > lastSeq.current).sort((a, b) => a.seq - b.seq);
      if (fresh.length === 0 || !twin.current) return;
      lastSeq.current = fresh[fresh.length - 1].seq;
      const deviceId = fresh[0].deviceId;
      const frame = await twin.current.process(fresh.flatMap((b) => b.samples.map((x) => ({ t: x.t, v: x.v, r: x.r }))));
      series.current.append(frame.t, {
        measV: frame.measV,
        twinV: frame.twinV,
        residualV: frame.residualV,
        measTempC: frame.measTempC,
        twinTempC: frame.twinTempC,
        ekfSoc: frame.ekfSoc,
        twinSoc: frame.twinSoc,
      });
      setAlarm(frame.alarm);
      const now = new Date().toLocaleTimeString();
      const shown: AlarmEvent[] = [];
      const reports: AlertReport[] = [];
      const { thresholdMv: thr, holdS: hold } = alarmCfg.current;
      for (const x of frame.events) {
        shown.push({ t: x.t, kind: x.kind, at: now, text: `residual alarm ${x.kind} (${(x.residualV * 1000).toFixed(0)} mV)` });
        if (x.kind === 'raised')
          reports.push({
            deviceId,
            source: 'twin',
            code: 'RESIDUAL_V',
            severity: 'alarm',
            message: `measured - twin voltage beyond ${thr} mV for ${hold} s (${(x.residualV * 1000).toFixed(0)} mV at device t = ${x.t.toFixed(1)} s)`,
            atMs: x.atMs,
            deviceT: x.t,
            value: x.residualV,
          });
      }
      for (const x of frame.safety) {
        shown.push({ t: x.t, kind: 'safety', at: now, text: `safety monitor: ${x.code} (${x.severity}) on ${x.target}${x.value === undefined ? '' : ` at ${fmt(x.value)}`}` });
        if (x.severity !== 'info')
          reports.push({
            deviceId,
            source: 'safety',
            code: x.code,
            severity: x.severity,
            message: `${x.code} on ${x.target}${x.value === undefined ? '' : `: ${fmt(x.value)}`} (device t = ${x.t.toFixed(1)} s)`,
            atMs: x.atMs,
            deviceT: x.t,
            value: x.value,
          });
      }
      if (shown.length) setEvents((e) => [...shown.sort((a, b) => b.t - a.t), ...e].slice(0, 50));
      for (const r of reports) void reportAlert(r).then(setReportError);
      setVersion((v) => v + 1);
    });
  }, []);

  useEffect(() => {
    const s = socket.current;
    if (!s || !selected || conn !== 'connected') return;
    let live = true;
    // the server sends what arrived in one event-loop turn as one message (any devices)
    const onBatches = (bs: LiveBatch[]) => {
      const mine = bs.filter((b) => b.deviceId === selected);
      if (mine.length) feed(mine);
    };
    s.on('batches', onBatches);
    void (async () => {
      setError('');
      series.current.clear();
      lastSeq.current = -1;
      setEvents([]);
      setAlarm(false);
      setDropped(0);
      const r = (await s.timeout(10_000).emitWithAck('subscribe', { deviceId: selected }).catch((e: Error) => ({ ok: false, error: e.message }))) as
        | { ok: true; device: DeviceInfo; history: LiveBatch[] }
        | { ok: false; error: string };
      if (!live) return;
      if (!r.ok) return setError(r.error);
      setDevice(r.device);
      setDeviceState(r.device.connected ? 'online' : 'offline');
      const cfg = await twin.current!.configure({ channels: r.device.channels, thresholdV: thresholdMv / 1000, holdS });
      if (!cfg.ok) return setError(cfg.error);
      feed(r.history);
    })();
    return () => {
      live = false;
      s.off('batches', onBatches);
      s.emit('unsubscribe', { deviceId: selected });
    };
    // thresholds are applied separately (below) without resubscribing
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected, conn, feed]);

  useEffect(() => {
    void twin.current?.setAlarm(thresholdMv / 1000, holdS);
  }, [thresholdMv, holdS]);

  async function command(kind: 'setCurrent' | 'stop') {
    const s = socket.current;
    if (!s || !device) return;
    const value = kind === 'stop' ? 0 : Number(setpoint);
    if (!Number.isFinite(value)) return setCmdResult('the set-point must be a number');
    setCmdResult('sending…');
    const r = (await s
      .timeout(12_000)
      .emitWithAck('command', { deviceId: device.id, id: `c${Date.now().toString(36)}`, kind, value, timeoutMs: 5000 })
      .catch(() => ({ ok: false, error: 'no answer from the server' }))) as { ok: boolean; error?: string };
    setCmdResult(r.ok ? `${kind === 'stop' ? 'stop' : `${value} A`}: acknowledged by the device` : `refused: ${r.error}`);
  }

  /** Records the session so far (what the plots hold) as a run in the local library. */
  async function saveSession() {
    const sr = series.current;
    const n = sr.length;
    if (!device || n === 0) return;
    const col = (a: Float64Array) => Float64Array.from(a.subarray(0, n));
    const t = col(sr.t);
    const name = `live ${device.name} ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
    try {
      await getLibrary().saveRun(
        {
          engineVersion: ENGINE_VERSION,
          scenarioHash: '',
          seed: 0,
          steps: n,
          durationS: t[n - 1] - t[0],
          channels: [
            { name: 'time_s', unit: 's', data: t },
            { name: 'voltage_V', unit: 'V', data: col(sr.y.measV) },
            { name: 'twin_voltage_V', unit: 'V', data: col(sr.y.twinV) },
            { name: 'residual_V', unit: 'V', data: col(sr.y.residualV) },
            { name: 'temp_C', unit: 'degC', data: col(sr.y.measTempC) },
            { name: 'twin_temp_C', unit: 'degC', data: col(sr.y.twinTempC) },
            { name: 'soc', unit: '', data: col(sr.y.ekfSoc) },
            { name: 'twin_soc', unit: '', data: col(sr.y.twinSoc) },
          ],
          metrics: { alarms_raised: events.filter((e) => e.kind === 'raised').length, samples: n },
          warnings: [`live session of device ${device.name} (${device.id}); soc = EKF estimate`],
          name,
        },
        { name },
      );
      setSaved(`saved to the library as "${name}"`);
    } catch (e) {
      setSaved(`could not save: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  const current = device?.channels.find((c) => c.kind === 'current');

  return (
    <main className="subpage">
      <header className="subpage-header">
        <h1>Live devices</h1>
        <Link href="/">workbench</Link>
        <Link href="/fleet" data-testid="live-fleet-link">
          fleet &amp; alerts
        </Link>
        <span className="muted" data-testid="live-conn">server: {conn}</span>
        <label>
          device{' '}
          <select data-testid="live-device" value={selected} onChange={(e) => setSelected(e.target.value)}>
            <option value="">choose…</option>
            {devices.map((d) => (
              <option key={d.id} value={d.id}>
                {d.site ? `${d.site} / ` : ''}
                {d.name} ({d.connected ? 'online' : 'offline'})
              </option>
            ))}
          </select>
        </label>
        {device && (
          <span className="muted" data-testid="live-device-state">
            {device.name}: {deviceState}
          </span>
        )}
        {dropped > 0 && (
          <span className="notice" data-testid="live-dropped">
            {dropped} batches skipped (your connection did not keep up; they are stored)
          </span>
        )}
      </header>
      {error && <p className="error-text">{error}</p>}
      {devices.length === 0 && conn === 'connected' && (
        <p className="muted">
          No devices yet. Register one with <code>twinbench device add &lt;name&gt;</code> and connect it with{' '}
          <code>twinbench bridge --server {typeof location !== 'undefined' ? location.origin : 'URL'} --token … --source virtual</code>.
        </p>
      )}
      <section style={{ display: 'flex', gap: 16, flexWrap: 'wrap', alignItems: 'center', margin: '8px 0' }}>
        <span
          data-testid="live-alarm"
          data-alarm={alarm ? 'on' : 'off'}
          style={{ padding: '2px 8px', borderRadius: 4, background: alarm ? 'var(--danger-soft)' : 'var(--ok-soft)', color: alarm ? 'var(--danger)' : 'var(--ok)' }}
        >
          {alarm ? 'ALARM: residual beyond threshold' : 'residual OK'}
        </span>
        <label>
          threshold <input type="number" min={1} step={5} value={thresholdMv} onChange={(e) => setThresholdMv(Number(e.target.value) || 50)} style={{ width: 70 }} /> mV
        </label>
        <label>
          for <input type="number" min={0} step={1} value={holdS} onChange={(e) => setHoldS(Math.max(0, Number(e.target.value)))} style={{ width: 60 }} /> s
        </label>
        <label>
          twin time offset <input type="number" step={0.1} value={offsetS} onChange={(e) => setOffsetS(Number(e.target.value) || 0)} style={{ width: 70 }} /> s
        </label>
        <label>
          window{' '}
          <select value={windowS} onChange={(e) => setWindowS(Number(e.target.value))}>
            {[60, 300, 900, 3600, 36000].map((w) => (
              <option key={w} value={w}>
                {w < 3600 ? `${w / 60} min` : `${w / 3600} h`}
              </option>
            ))}
          </select>
        </label>
        <button className="btn" data-testid="live-save" disabled={!device} onClick={() => void saveSession()}>
          Save session to library
        </button>
        {saved && <span className="muted" data-testid="live-saved">{saved}</span>}
      </section>
      <LiveChart series={series.current} version={version} offsetS={offsetS} thresholdV={thresholdMv / 1000} windowS={windowS} />
      <section style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 16, marginTop: 8 }}>
        <div>
          <h2 style={{ fontSize: 14 }}>Commands</h2>
          {device?.commands.includes('setCurrent') ? (
            <div style={{ display: 'flex', gap: 8, alignItems: 'center', flexWrap: 'wrap' }}>
              <label>
                current set-point{' '}
                <input data-testid="live-setpoint" value={setpoint} onChange={(e) => setSetpoint(e.target.value)} style={{ width: 70 }} /> A
              </label>
              <button className="btn" onClick={() => void command('setCurrent')}>
                Send
              </button>
              <button className="btn" onClick={() => void command('stop')}>
                Stop
              </button>
              {current && (
                <span className="muted">
                  interlock: {current.range[0]} … {current.range[1]} {current.unit}
                </span>
              )}
              <div data-testid="live-command-result">{cmdResult}</div>
            </div>
          ) : (
            <p className="muted">{device ? 'This device takes no commands.' : 'Choose a device.'}</p>
          )}
        </div>
        <div>
          <h2 style={{ fontSize: 14 }}>Alarms</h2>
          <ul data-testid="live-events" style={{ margin: 0, paddingLeft: 18, fontSize: 13 }}>
            {events.map((e, k) => (
              <li key={k}>
                {e.at} (device t = {e.t.toFixed(1)} s): {e.text}
              </li>
            ))}
            {events.length === 0 && <li className="muted">none</li>}
          </ul>
          <p className="muted" style={{ fontSize: 12, margin: '4px 0 0' }}>
            Raised alarms are reported to the <Link href="/fleet">fleet alerts</Link>.
            {reportError && <span className="error-text"> Reporting failed: {reportError}</span>}
          </p>
        </div>
      </section>
    </main>
  );
}
