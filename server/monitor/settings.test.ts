import { describe, expect, it } from 'vitest';
import { MONITOR_DEFAULTS, monitorSettingsFromEnv } from './settings';

describe('monitor settings from the environment', () => {
  it('is on with the live page defaults when nothing is set (empty counts as unset)', () => {
    expect(monitorSettingsFromEnv({})).toEqual(MONITOR_DEFAULTS);
    expect(monitorSettingsFromEnv({ TWINBENCH_MONITOR: '', TWINBENCH_MONITOR_HOLD_S: ' ' })).toEqual(MONITOR_DEFAULTS);
    expect(MONITOR_DEFAULTS).toMatchObject({ enabled: true, paramSet: 'panasonic-ncr18650pf', residualThresholdV: 0.05, residualHoldS: 5, warmupS: 30 });
  });

  it('reads every variable', () => {
    const s = monitorSettingsFromEnv({
      TWINBENCH_MONITOR: 'OFF',
      TWINBENCH_MONITOR_PARAM_SET: 'panasonic-ncr18650pf',
      TWINBENCH_MONITOR_RESIDUAL_MV: '80',
      TWINBENCH_MONITOR_HOLD_S: '2.5',
      TWINBENCH_MONITOR_WARMUP_S: '0',
      TWINBENCH_MONITOR_GRACE_S: '600',
      TWINBENCH_MONITOR_QUEUE_SAMPLES: '5000',
      TWINBENCH_MONITOR_ALERTS_PER_S: '5',
      TWINBENCH_MONITOR_ALERT_QUEUE: '100',
    });
    expect(s).toEqual({
      enabled: false,
      paramSet: 'panasonic-ncr18650pf',
      residualThresholdV: 0.08,
      residualHoldS: 2.5,
      warmupS: 0,
      graceS: 600,
      maxQueuedSamples: 5000,
      alertsPerS: 5,
      maxPendingAlerts: 100,
    });
    expect(monitorSettingsFromEnv({ TWINBENCH_MONITOR: 'on' }).enabled).toBe(true);
    expect(monitorSettingsFromEnv({ TWINBENCH_MONITOR: '0' }).enabled).toBe(false);
  });

  it('refuses malformed values, naming the variable', () => {
    expect(() => monitorSettingsFromEnv({ TWINBENCH_MONITOR: 'maybe' })).toThrow(/^TWINBENCH_MONITOR='maybe' is invalid: on or off$/);
    expect(() => monitorSettingsFromEnv({ TWINBENCH_MONITOR_RESIDUAL_MV: '0' })).toThrow(/TWINBENCH_MONITOR_RESIDUAL_MV='0' is invalid: .*> 0/);
    expect(() => monitorSettingsFromEnv({ TWINBENCH_MONITOR_HOLD_S: 'five' })).toThrow(/TWINBENCH_MONITOR_HOLD_S='five' is invalid/);
    expect(() => monitorSettingsFromEnv({ TWINBENCH_MONITOR_QUEUE_SAMPLES: '10.5' })).toThrow(/TWINBENCH_MONITOR_QUEUE_SAMPLES='10.5' is invalid: .*integer/);
    expect(() => monitorSettingsFromEnv({ TWINBENCH_MONITOR_GRACE_S: '-1' })).toThrow(/TWINBENCH_MONITOR_GRACE_S='-1' is invalid: .*>= 0/);
    expect(() => monitorSettingsFromEnv({ TWINBENCH_MONITOR_PARAM_SET: 'nope' })).toThrow(/TWINBENCH_MONITOR_PARAM_SET='nope' is invalid: a cell parameter set \(.*panasonic-ncr18650pf/);
  });
});
