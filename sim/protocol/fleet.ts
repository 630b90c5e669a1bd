/**
 * Fleet view wire types (issue 5, item 5): what GET /api/fleet and /api/alerts return and what the
 * /live room 'fleet' pushes (`alert`). Served by server/http/fleet.ts (service
 * server/bridge/fleet.ts, store server/db/alerts.ts); shown by app/fleet. Pure types: no runtime.
 */

export const ALERT_SOURCES = ['device', 'safety', 'twin'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];
/** as sim/safety/bmsMonitor's Severity */
export const ALERT_SEVERITIES = ['info', 'warning', 'alarm', 'trip'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export interface AlertRecord {
  id: number;
  deviceId: string;
  deviceName: string;
  site: string;
  source: AlertSource;
  code: string;
  severity: AlertSeverity;
  message: string;
  state: AlertState;
  /** occurrences: the first one and the repeats while not resolved */
  count: number;
  /** first / last occurrence (ISO; the reporter's clock) */
  firstAt: string;
  lastAt: string;
  /** device time (s) and measured value of the last occurrence, when known */
  deviceT: number | null;
  value: number | null;
  createdAt: string;
  ackBy: string | null;
  ackAt: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  resolveNote: string;
}

/** connected: connected and data within staleAfterS; stale: connected, no data for longer; offline */
export type DeviceStatus = 'connected' | 'stale' | 'offline';

export interface FleetDevice {
  id: string;
  name: string;
  site: string;
  status: DeviceStatus;
  connected: boolean;
  /** newest of: hello, last batch (ISO) */
  lastSeenAt: string | null;
  lastDataAt: string | null;
  /** the device's own last status message */
  deviceState: { state: 'ok' | 'warning' | 'fault' | 'offline'; message?: string; code?: string; at: string } | null;
  latest: {
    /** device time, s */
    t: number;
    /** bridge receive time of that sample (ISO) */
    at: string;
    values: { id: string; name: string; unit: string; kind: string; value: number | null; outOfRange: boolean }[];
  } | null;
  alerts: { active: number; severity: AlertSeverity | null };
}

export interface FleetView {
  now: string;
  staleAfterS: number;
  counts: { devices: number; connected: number; stale: number; offline: number; activeAlerts: number };
  sites: { site: string; devices: FleetDevice[] }[];
}

export interface AlertList {
  alerts: AlertRecord[];
  total: number;
}
