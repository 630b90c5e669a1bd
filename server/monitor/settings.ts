// Settings of the server-side live monitor (server/monitor/monitor.ts), from the environment.
// Every variable is optional; an unset or empty one takes the default; a malformed one is an error
// at startup naming the variable (a monitoring setting that silently fell back would hide itself).
//   TWINBENCH_MONITOR                on | off (also 1 / 0, true / false)            default on
//   TWINBENCH_MONITOR_PARAM_SET      cell parameter set of the twins and BMS limits default panasonic-ncr18650pf
//   TWINBENCH_MONITOR_RESIDUAL_MV    residual alarm threshold |measured - twin| (mV) default 50
//   TWINBENCH_MONITOR_HOLD_S         ... held for this long, device time (s)         default 5
//   TWINBENCH_MONITOR_WARMUP_S       no residual alarm in a twin's first seconds      default 30
//   TWINBENCH_MONITOR_GRACE_S        a twin outlives its device's disconnect by (s)   default 60
//   TWINBENCH_MONITOR_QUEUE_SAMPLES  samples waiting for the monitor worker at most   default 50000
//   TWINBENCH_MONITOR_ALERTS_PER_S   alarm records written per second at most         default 20
//   TWINBENCH_MONITOR_ALERT_QUEUE    alarms waiting to be written at most             default 10000
// The twin defaults are the live page's (workers/live/liveTwin.ts TWIN_DEFAULTS), so the page and
// the server raise the same alarms for the same samples.
import { z } from 'zod';
import { listParamSets } from '../../sim/battery/paramSets';
import { TWIN_DEFAULTS } from '../../workers/live/liveTwin';

export interface MonitorSettings {
  enabled: boolean;
  paramSet: string;
  residualThresholdV: number;
  residualHoldS: number;
  warmupS: number;
  graceS: number;
  maxQueuedSamples: number;
  alertsPerS: number;
  maxPendingAlerts: number;
}

export const MONITOR_DEFAULTS: MonitorSettings = {
  enabled: true,
  paramSet: TWIN_DEFAULTS.paramSet,
  residualThresholdV: TWIN_DEFAULTS.thresholdV,
  residualHoldS: TWIN_DEFAULTS.holdS,
  warmupS: TWIN_DEFAULTS.warmupS,
  graceS: 60,
  maxQueuedSamples: 50_000,
  alertsPerS: 20,
  maxPendingAlerts: 10_000,
};

const num = (what: string, min: number, opts: { int?: boolean; minExclusive?: boolean } = {}) => {
  let s = z.coerce.number({ message: `${what}: not a number` }).refine(Number.isFinite, `${what}: must be finite`);
  s = opts.minExclusive ? s.refine((x) => x > min, `${what}: must be > ${min}`) : s.refine((x) => x >= min, `${what}: must be >= ${min}`);
  return opts.int ? s.refine(Number.isInteger, `${what}: must be an integer`) : s;
};

const EnvSchema = z.object({
  TWINBENCH_MONITOR: z
    .enum(['on', 'off', '1', '0', 'true', 'false'], { message: 'on or off' })
    .transform((v) => v === 'on' || v === '1' || v === 'true')
    .optional(),
  TWINBENCH_MONITOR_PARAM_SET: z
    .string()
    .refine((s) => listParamSets().includes(s), { message: `a cell parameter set (${listParamSets().join(', ')})` })
    .optional(),
  TWINBENCH_MONITOR_RESIDUAL_MV: num('a threshold in mV', 0, { minExclusive: true }).optional(),
  TWINBENCH_MONITOR_HOLD_S: num('seconds', 0).optional(),
  TWINBENCH_MONITOR_WARMUP_S: num('seconds', 0).optional(),
  TWINBENCH_MONITOR_GRACE_S: num('seconds', 0).optional(),
  TWINBENCH_MONITOR_QUEUE_SAMPLES: num('a sample count', 1, { int: true }).optional(),
  TWINBENCH_MONITOR_ALERTS_PER_S: num('alarms per second', 0, { minExclusive: true }).optional(),
  TWINBENCH_MONITOR_ALERT_QUEUE: num('an alarm count', 1, { int: true }).optional(),
});

/** The monitor's settings from the environment; throws an Error naming the variable when one is malformed. */
export function monitorSettingsFromEnv(env: Record<string, string | undefined> = process.env): MonitorSettings {
  const raw: Record<string, string> = {};
  for (const k of Object.keys(EnvSchema.shape)) {
    const v = env[k]?.trim();
    if (v) raw[k] = k === 'TWINBENCH_MONITOR' ? v.toLowerCase() : v;
  }
  const r = EnvSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    const name = String(i.path[0]);
    throw new Error(`${name}='${raw[name]}' is invalid: ${i.message}`);
  }
  const e = r.data;
  const d = MONITOR_DEFAULTS;
  return {
    enabled: e.TWINBENCH_MONITOR ?? d.enabled,
    paramSet: e.TWINBENCH_MONITOR_PARAM_SET ?? d.paramSet,
    residualThresholdV: e.TWINBENCH_MONITOR_RESIDUAL_MV === undefined ? d.residualThresholdV : e.TWINBENCH_MONITOR_RESIDUAL_MV / 1000,
    residualHoldS: e.TWINBENCH_MONITOR_HOLD_S ?? d.residualHoldS,
    warmupS: e.TWINBENCH_MONITOR_WARMUP_S ?? d.warmupS,
    graceS: e.TWINBENCH_MONITOR_GRACE_S ?? d.graceS,
    maxQueuedSamples: e.TWINBENCH_MONITOR_QUEUE_SAMPLES ?? d.maxQueuedSamples,
    alertsPerS: e.TWINBENCH_MONITOR_ALERTS_PER_S ?? d.alertsPerS,
    maxPendingAlerts: e.TWINBENCH_MONITOR_ALERT_QUEUE ?? d.maxPendingAlerts,
  };
}
