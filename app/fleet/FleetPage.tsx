'use client';
// Fleet view (issue 5, item 5): devices grouped by site with status (connected / stale / offline),
// last seen and latest values; alerts from device alarms, the safety monitor and twin residual
// alarms with acknowledge / resolve (who and when) and the resolved history. Data: GET /api/fleet
// every 2 s, /api/alerts on load and whenever the server pushes a change (`alert` in the /live room
// 'fleet'), actions POST /api/alerts/:id/acknowledge|resolve. The operator's name is kept in this
// browser (localStorage) and sent with each action.
import Link from 'next/link';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { io } from 'socket.io-client';
import type { AlertList, AlertRecord, FleetDevice, FleetView } from '../../sim/protocol/fleet';
import css from './fleet.module.css';

const OPERATOR_KEY = 'twinbench.operator';
const HISTORY_PAGE = 50;

function ago(iso: string | null, nowMs: number): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min ago`;
  return new Date(iso).toLocaleString();
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '');

function formatValue(v: number | null): string {
  if (v === null) return '—';
  const a = Math.abs(v);
  return a !== 0 && (a < 0.01 || a >= 1e5) ? v.toExponential(2) : v.toFixed(a < 10 ? 3 : a < 1000 ? 1 : 0);
}

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url, { cache: 'no-store' });
  const body = (await r.json().catch(() => ({}))) as T & { error?: string };
  if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
  return body;
}

async function postJson<T>(url: string, data: unknown): Promise<T> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) });
  const body = (await r.json().catch(() => ({}))) as T & { error?: string };
  if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
  return body;
}

export function FleetPage() {
  const [fleet, setFleet] = useState<FleetView | null>(null);
  const [active, setActive] = useState<AlertList | null>(null);
  const [history, setHistory] = useState<AlertList | null>(null);
  const [tab, setTab] = useState<'active' | 'history'>('active');
  const [deviceFilter, setDeviceFilter] = useState<string>('');
  const [operator, setOperator] = useState('');
  const [error, setError] = useState('');
  const [actionError, setActionError] = useState('');
  const [resolving, setResolving] = useState<number | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState<number | null>(null);
  const [live, setLive] = useState(false);
  const [nowMs, setNowMs] = useState(() => Date.now());
  const operatorInput = useRef<HTMLInputElement>(null);
  const historyShown = useRef(HISTORY_PAGE);

  useEffect(() => {
    setOperator(localStorage.getItem(OPERATOR_KEY) ?? '');
  }, []);

  const loadFleet = useCallback(async () => {
    try {
      setFleet(await getJson<FleetView>('/api/fleet'));
      setError('');
    } catch (e) {
      setError(`cannot load the fleet: ${e instanceof Error ? e.message : String(e)}`);
    }
  }, []);

  const loadAlerts = useCallback(async () => {
    try {
      const [a, h] = await Promise.all([
        getJson<AlertList>('/api/alerts?view=active&limit=500'),
        getJson<AlertList>(`/api/alerts?view=resolved&limit=${historyShown.current}`),
      ]);
      setActive(a);
      setHistory(h);
    } catch (e) {
      setError(`cannot load the alerts: ${e instanceof Error ? e.message : String(e)}`);
    }
  }, []);

  useEffect(() => {
    void loadFleet();
    void loadAlerts();
    const poll = setInterval(() => void loadFleet(), 2000);
    // safety net for missed pushes (e.g. during a reconnect)
    const slow = setInterval(() => void loadAlerts(), 15_000);
    const tick = setInterval(() => setNowMs(Date.now()), 1000);
    const s = io('/live', { transports: ['websocket'] });
    s.on('connect', () => {
      setLive(true);
      s.emit('fleet:watch');
      void loadAlerts();
    });
    s.on('disconnect', () => setLive(false));
    s.on('alert', () => void loadAlerts());
    return () => {
      clearInterval(poll);
      clearInterval(slow);
      clearInterval(tick);
      s.close();
    };
  }, [loadFleet, loadAlerts]);

  const saveOperator = (v: string) => {
    setOperator(v);
    localStorage.setItem(OPERATOR_KEY, v);
  };

  const who = (): string | null => {
    const name = operator.trim();
    if (name) return name;
    setActionError('enter your name (top right) first: acknowledgements and resolutions record who did them');
    operatorInput.current?.focus();
    return null;
  };

  async function acknowledge(a: AlertRecord) {
    const by = who();
    if (!by) return;
    setBusy(a.id);
    try {
      await postJson(`/api/alerts/${a.id}/acknowledge`, { by });
      setActionError('');
    } catch (e) {
      setActionError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
      void loadAlerts();
      void loadFleet();
    }
  }

  async function resolve(a: AlertRecord) {
    const by = who();
    if (!by) return;
    setBusy(a.id);
    try {
      await postJson(`/api/alerts/${a.id}/resolve`, { by, ...(note.trim() ? { note: note.trim() } : {}) });
      setActionError('');
      setResolving(null);
      setNote('');
    } catch (e) {
      setActionError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
      void loadAlerts();
      void loadFleet();
    }
  }

  const devices = useMemo(() => new Map((fleet?.sites ?? []).flatMap((s) => s.devices.map((d) => [d.id, d] as const))), [fleet]);
  const filtered = (list: AlertRecord[] | undefined) => (list ?? []).filter((a) => !deviceFilter || a.deviceId === deviceFilter);
  const activeShown = filtered(active?.alerts);
  const historyList = filtered(history?.alerts);
  const c = fleet?.counts;

  return (
    <main className="subpage">
      <header className="subpage-header">
        <h1>Fleet</h1>
        <Link href="/live">live devices</Link>
        <Link href="/">workbench</Link>
        <span className="muted" data-testid="fleet-conn">
          updates: {live ? 'live' : 'connecting…'}
        </span>
        <label className={css.operator}>
          your name
          <input ref={operatorInput} data-testid="fleet-operator" value={operator} placeholder="for acknowledgements" maxLength={60} onChange={(e) => saveOperator(e.target.value)} />
        </label>
      </header>
      {error && <p className="error-text">{error}</p>}

      {c && (
        <div className={css.summary} data-testid="fleet-summary">
          <span className={css.chip}>
            <b>{c.devices}</b> devices
          </span>
          <span className={css.chip}>
            <span className={css.pill} data-kind="connected">
              connected
            </span>
            <b>{c.connected}</b>
          </span>
          <span className={css.chip}>
            <span className={css.pill} data-kind="stale">
              stale
            </span>
            <b>{c.stale}</b>
          </span>
          <span className={css.chip}>
            <span className={css.pill} data-kind="offline">
              offline
            </span>
            <b>{c.offline}</b>
          </span>
          <span className={css.chip}>
            <span className={css.pill} data-kind={c.activeAlerts ? 'alarm' : 'connected'}>
              active alerts
            </span>
            <b>{c.activeAlerts}</b>
          </span>
          <span className="muted small" style={{ alignSelf: 'center' }}>
            stale = connected without data for more than {fleet.staleAfterS} s
          </span>
        </div>
      )}

      <div className={css.layout}>
        <section aria-label="devices by site">
          {fleet && fleet.sites.length === 0 && (
            <p className="muted">
              No devices yet. Register one with <code>twinbench device add &lt;name&gt; --site &lt;site&gt;</code> and connect it with <code>twinbench bridge</code>.
            </p>
          )}
          {fleet?.sites.map((site) => (
            <div key={site.site} className={css.site} data-testid={`fleet-site-${site.site || 'none'}`}>
              <h2 className={css.siteHead}>
                {site.site || 'no site'}
                <span className="muted small">
                  {site.devices.filter((d) => d.status === 'connected').length} / {site.devices.length} connected
                </span>
              </h2>
              <div className={css.cards}>
                {site.devices.map((d) => (
                  <DeviceCard key={d.id} d={d} nowMs={nowMs} selected={deviceFilter === d.id} onSelect={() => setDeviceFilter((x) => (x === d.id ? '' : d.id))} />
                ))}
              </div>
            </div>
          ))}
        </section>

        <section className={css.panel} aria-label="alerts">
          <div className={css.tabs} role="tablist">
            <button className={css.tab} role="tab" aria-selected={tab === 'active'} data-testid="fleet-tab-active" onClick={() => setTab('active')}>
              Active ({active?.total ?? '…'})
            </button>
            <button className={css.tab} role="tab" aria-selected={tab === 'history'} data-testid="fleet-tab-history" onClick={() => setTab('history')}>
              History ({history?.total ?? '…'})
            </button>
            {deviceFilter && (
              <span className="small" style={{ marginLeft: 'auto' }}>
                {devices.get(deviceFilter)?.name ?? deviceFilter}{' '}
                <button className="btn small ghost" onClick={() => setDeviceFilter('')}>
                  show all
                </button>
              </span>
            )}
          </div>
          {actionError && (
            <p className="error-text small" style={{ margin: '6px 10px' }} data-testid="fleet-action-error">
              {actionError}
            </p>
          )}
          {tab === 'active' ? (
            <ul className={css.alertList} data-testid="fleet-alerts-active">
              {activeShown.length === 0 && <li className={css.empty}>No active alerts{deviceFilter ? ' for this device' : ''}.</li>}
              {activeShown.map((a) => (
                <li key={a.id} className={css.alert} data-state={a.state} data-testid={`alert-${a.id}`} data-code={a.code}>
                  <AlertHead a={a} />
                  <div className="small">{a.message}</div>
                  <div className="muted small">
                    first {when(a.firstAt)} · latest {ago(a.lastAt, nowMs)}
                    {a.deviceT !== null && ` (device t = ${a.deviceT.toFixed(1)} s)`}
                  </div>
                  {a.state === 'acknowledged' && (
                    <div className="small" data-testid="alert-ack">
                      acknowledged by <b>{a.ackBy}</b> at {when(a.ackAt)}
                    </div>
                  )}
                  <div className={css.alertActions}>
                    {a.state === 'open' && (
                      <button className="btn small" disabled={busy === a.id} onClick={() => void acknowledge(a)}>
                        Acknowledge
                      </button>
                    )}
                    {resolving === a.id ? (
                      <>
                        <input data-testid="alert-note" value={note} placeholder="what was done (optional)" maxLength={500} onChange={(e) => setNote(e.target.value)} />
                        <button className="btn small primary" disabled={busy === a.id} onClick={() => void resolve(a)}>
                          Confirm resolve
                        </button>
                        <button className="btn small ghost" onClick={() => setResolving(null)}>
                          cancel
                        </button>
                      </>
                    ) : (
                      <button
                        className="btn small"
                        onClick={() => {
                          setResolving(a.id);
                          setNote('');
                        }}
                      >
                        Resolve…
                      </button>
                    )}
                    <Link className="small" href={`/live?device=${encodeURIComponent(a.deviceId)}`}>
                      open live
                    </Link>
                  </div>
                </li>
              ))}
            </ul>
          ) : (
            <ul className={css.alertList} data-testid="fleet-alerts-history">
              {historyList.length === 0 && <li className={css.empty}>Nothing resolved yet.</li>}
              {historyList.map((a) => (
                <li key={a.id} className={css.alert} data-state={a.state} data-testid={`history-${a.id}`} data-code={a.code}>
                  <AlertHead a={a} />
                  <div className="small">{a.message}</div>
                  <div className="muted small">
                    {when(a.firstAt)}
                    {a.lastAt !== a.firstAt && <> → {when(a.lastAt)}</>}
                    {a.count > 1 && ` (${a.count} occurrences)`}
                  </div>
                  <div className="small">
                    {a.ackBy ? (
                      <>
                        acknowledged by <b>{a.ackBy}</b> at {when(a.ackAt)} ·{' '}
                      </>
                    ) : null}
                    resolved by <b>{a.resolvedBy}</b> at {when(a.resolvedAt)}
                    {a.resolveNote && <> · “{a.resolveNote}”</>}
                  </div>
                </li>
              ))}
              {history && history.total > history.alerts.length && (
                <li className={css.empty}>
                  <button
                    className="btn small"
                    onClick={() => {
                      historyShown.current += HISTORY_PAGE;
                      void loadAlerts();
                    }}
                  >
                    show {Math.min(HISTORY_PAGE, history.total - history.alerts.length)} more
                  </button>
                </li>
              )}
            </ul>
          )}
        </section>
      </div>
    </main>
  );
}

function AlertHead({ a }: { a: AlertRecord }) {
  return (
    <div className={css.alertHead}>
      <span className={css.pill} data-kind={a.severity}>
        {a.severity}
      </span>
      <span className={css.code}>{a.code}</span>
      {a.count > 1 && <span className={css.count} data-testid="alert-count">×{a.count}</span>}
      <span className="small">
        {a.deviceName}
        {a.site && <span className="muted"> · {a.site}</span>}
      </span>
      <span className="muted small">
        {a.source === 'device' ? 'device alarm' : a.source === 'safety' ? 'safety monitor' : 'twin residual'}
        {a.state === 'acknowledged' ? ' · acknowledged' : ''}
      </span>
    </div>
  );
}

function DeviceCard({ d, nowMs, selected, onSelect }: { d: FleetDevice; nowMs: number; selected: boolean; onSelect: () => void }) {
  return (
    <article className={`${css.card} ${selected ? css.selected : ''}`} data-status={d.status} data-testid={`fleet-device-${d.id}`}>
      <div className={css.cardHead}>
        <Link className={css.cardName} href={`/live?device=${encodeURIComponent(d.id)}`} title={`${d.name} (${d.id}): open live`}>
          {d.name}
        </Link>
        <span className={css.pill} data-kind={d.status} data-testid="device-status">
          {d.status}
        </span>
      </div>
      <div className="muted small">last seen {ago(d.lastSeenAt, nowMs)}</div>
      {d.latest ? (
        <div className={css.values}>
          {d.latest.values.map((v) => (
            <FragmentValue key={v.id} name={v.name} unit={v.unit} value={v.value} outOfRange={v.outOfRange} />
          ))}
        </div>
      ) : (
        <div className="muted small">no data yet</div>
      )}
      {d.deviceState && d.deviceState.state !== 'ok' && d.deviceState.state !== 'offline' && (
        <div className="small">
          <span className={css.pill} data-kind={d.deviceState.state === 'fault' ? 'alarm' : 'warning'}>
            {d.deviceState.state}
          </span>{' '}
          {d.deviceState.message}
        </div>
      )}
      <div style={{ marginTop: 4 }}>
        <button className="btn small ghost" onClick={onSelect} data-testid="device-alerts" title="show this device's alerts">
          {d.alerts.active ? (
            <span className={css.pill} data-kind={d.alerts.severity ?? 'warning'}>
              {d.alerts.active} active alert{d.alerts.active === 1 ? '' : 's'}
            </span>
          ) : (
            <span className="muted">no active alerts</span>
          )}
        </button>
      </div>
    </article>
  );
}

function FragmentValue({ name, unit, value, outOfRange }: { name: string; unit: string; value: number | null; outOfRange: boolean }) {
  return (
    <>
      <span>{name}</span>
      <span className={outOfRange ? css.outOfRange : undefined} title={outOfRange ? 'outside the advertised range' : undefined}>
        {formatValue(value)} {unit}
      </span>
    </>
  );
}
