// `--source virtual`: a simulated device. It runs our cell model (sim/battery, 1s1p pack) with
// its own hidden "true" parameters (capacity and resistance off the nominal set by a seeded
// random factor), measures through the sensor models of sim/battery/sensors.ts (noise, offset,
// quantization: SENSOR_PRESETS) and can carry a fault:
//   r0:<factor>@<s>       ohmic resistance multiplied by factor from time s on (e.g. r0:2@60)
//   stuck-voltage@<s>     the voltage sensor freezes at time s
//   temp-drift:<K/h>      the temperature sensor drifts
// The load profile repeats: 1C discharge pulses with rests, switching to charge below 15 % SOC
// and back above 90 %. setCurrent / stop commands override the profile (the interlock on the
// server checks them against the advertised current range first).
import { getParamSet } from '../../sim/battery/paramSets';
import { createPack, stepPack, type Pack } from '../../sim/battery/pack';
import { createSensorBank, sampleSensor1, SENSOR_PRESETS, type SensorBank } from '../../sim/battery/sensors';
import { Rng } from '../../sim/core/rng';
import type { CellParams } from '../../sim/battery/params';
import type { Channel, Command, CommandAck } from '../../sim/protocol/bridge';
import { sleep, type Source } from './types';

export interface VirtualOptions {
  paramSet?: string;
  seed?: number;
  hz?: number;
  /** simulated seconds per wall second */
  speed?: number;
  fault?: string;
  ambientC?: number;
  /** stop after this many simulated seconds (default: run until aborted) */
  durationS?: number;
}

export type Fault = { kind: 'r0'; factor: number; atS: number } | { kind: 'stuck-voltage'; atS: number } | { kind: 'temp-drift'; kPerH: number };

export function parseFault(spec: string | undefined): Fault | null {
  if (!spec) return null;
  let m = /^r0:([0-9.]+)@([0-9.]+)$/.exec(spec);
  if (m) return { kind: 'r0', factor: Number(m[1]), atS: Number(m[2]) };
  m = /^stuck-voltage@([0-9.]+)$/.exec(spec);
  if (m) return { kind: 'stuck-voltage', atS: Number(m[1]) };
  m = /^temp-drift:(-?[0-9.]+)$/.exec(spec);
  if (m) return { kind: 'temp-drift', kPerH: Number(m[1]) };
  throw new Error(`unknown fault '${spec}' (expected r0:<factor>@<s>, stuck-voltage@<s> or temp-drift:<K/h>)`);
}

/** The simulated device itself, stepped by the caller (deterministic by seed). */
export class VirtualDevice {
  readonly params: CellParams;
  readonly pack: Pack;
  readonly trueCapacityScale: number;
  readonly trueR0Scale: number;
  private sV: SensorBank;
  private sI: SensorBank;
  private sT: SensorBank;
  private scratch = new Float64Array(1);
  private override: number | null = null;
  private charging = false;
  private r0Applied = false;
  timeS = 0;
  readonly channels: Channel[];

  constructor(
    private o: { paramSet: string; seed: number; fault: Fault | null; ambientC: number },
  ) {
    this.params = getParamSet(o.paramSet);
    const rng = new Rng(o.seed).fork('virtual-device');
    this.trueCapacityScale = 0.9 + 0.08 * rng.next();
    this.trueR0Scale = 1.05 + 0.2 * rng.next();
    this.pack = createPack(this.params, { series: 1, parallel: 1 }, { soc: 0.95, tempC: o.ambientC }, o.seed);
    this.pack.fleet.capacityAh[0] *= this.trueCapacityScale;
    this.pack.fleet.r0Scale[0] *= this.trueR0Scale;
    this.sV = createSensorBank(o.fault?.kind === 'stuck-voltage' ? { ...SENSOR_PRESETS.cellVoltage, stuck: { fromS: o.fault.atS } } : SENSOR_PRESETS.cellVoltage, 1, o.seed, 'voltage');
    this.sI = createSensorBank(SENSOR_PRESETS.packCurrent, 1, o.seed, 'current');
    this.sT = createSensorBank(
      o.fault?.kind === 'temp-drift' ? { ...SENSOR_PRESETS.cellTemperature, driftPerHour: o.fault.kPerH } : SENSOR_PRESETS.cellTemperature,
      1,
      o.seed,
      'temperature',
    );
    const cap = this.params.capacityAh;
    this.channels = [
      { id: 'current_A', name: 'cell current (+ discharge)', unit: 'A', kind: 'current', range: [-3 * cap, 3 * cap] },
      { id: 'voltage_V', name: 'cell voltage', unit: 'V', kind: 'voltage', range: [this.params.vMinV - 0.2, this.params.vMaxV + 0.1] },
      { id: 'temp_C', name: 'cell temperature', unit: 'degC', kind: 'temperature', range: [-20, 60] },
      { id: 'ambient_C', name: 'ambient temperature', unit: 'degC', kind: 'ambient', range: [-30, 50] },
    ];
  }

  /** the load profile (A, + = discharge) at time t */
  profileA(t: number): number {
    const cap = this.params.capacityAh;
    const soc = this.pack.meanSoc;
    if (!this.charging && soc < 0.15) this.charging = true;
    if (this.charging && soc > 0.9) this.charging = false;
    if (this.charging) return -0.5 * cap;
    const phase = t % 120;
    if (phase < 60) return cap * (phase % 20 < 10 ? 1 : 0.5);
    if (phase < 90) return 0;
    return 2 * cap * (phase % 10 < 5 ? 1 : 0);
  }

  step(dtS: number): (number | null)[] {
    const f = this.o.fault;
    if (f?.kind === 'r0' && !this.r0Applied && this.timeS >= f.atS) {
      this.pack.fleet.r0Scale[0] *= f.factor;
      this.r0Applied = true;
    }
    const iA = this.override ?? this.profileA(this.timeS);
    stepPack(this.pack, this.params, iA, this.o.ambientC, dtS);
    this.timeS += dtS;
    const t = this.timeS;
    const v = sampleSensor1(this.sV, this.pack.packV, t, this.scratch);
    const i = sampleSensor1(this.sI, this.pack.packCurrentA, t, this.scratch);
    const temp = sampleSensor1(this.sT, this.pack.maxTempC, t, this.scratch);
    const nn = (x: number) => (Number.isFinite(x) ? x : null);
    return [nn(i), nn(v), nn(temp), this.o.ambientC];
  }

  command(cmd: Command): CommandAck {
    if (cmd.kind === 'stop') this.override = 0;
    else if (cmd.kind === 'setCurrent') this.override = cmd.value;
    else return { id: cmd.id, ok: false, error: 'power set-points are not supported by the virtual device' };
    return { id: cmd.id, ok: true };
  }
}

export function virtualSource(opts: VirtualOptions = {}): Source {
  const hz = opts.hz ?? 10;
  const speed = opts.speed ?? 1;
  const dev = new VirtualDevice({
    paramSet: opts.paramSet ?? 'panasonic-ncr18650pf',
    seed: opts.seed ?? 1,
    fault: parseFault(opts.fault),
    ambientC: opts.ambientC ?? 25,
  });
  return {
    channels: dev.channels,
    commands: ['setCurrent', 'stop'],
    software: `twinbench virtual device (${opts.paramSet ?? 'panasonic-ncr18650pf'}, seed ${opts.seed ?? 1}${opts.fault ? `, fault ${opts.fault}` : ''})`,
    async run(push, signal) {
      const dtS = 1 / hz;
      const t0 = performance.now();
      let k = 0;
      while (!signal.aborted) {
        if (opts.durationS !== undefined && dev.timeS >= opts.durationS - 1e-9) return;
        const dueK = Math.floor(((performance.now() - t0) / 1000) * speed * hz);
        while (k < dueK && !signal.aborted) {
          const v = dev.step(dtS);
          push(dev.timeS, v);
          k++;
          if (opts.durationS !== undefined && dev.timeS >= opts.durationS - 1e-9) return;
        }
        await sleep(Math.max(5, Math.min(100, 1000 / (hz * speed))), signal);
      }
    },
    onCommand: (cmd) => dev.command(cmd),
  };
}
