// twinbench bridge --server URL --token T --source <spec> [options]
// Connects one device (real or simulated) to the server's /bridge namespace. See bridge/README.md.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BridgeClient, BridgeFatalError } from '../bridge/client';
import { csvSource } from '../bridge/sources/csv';
import { DEFAULT_MQTT_CHANNELS, mqttSource, parseChannelsSpec } from '../bridge/sources/mqtt';
import type { Source } from '../bridge/sources/types';
import { virtualSource } from '../bridge/sources/virtual';
import { splitToken } from '../sim/protocol/bridge';

export const USAGE = `usage: twinbench bridge --server URL --token T --source <spec> [options]
sources:
  virtual                 simulated cell with hidden true parameters, sensor noise, optional --fault
  csv:<file>              replay a Panasonic-format CSV (time_s,current_A,voltage_V,ah_Ah,battery_temp_degC[,chamber_temp_degC])
  mqtt://host:port/topic  JSON samples from a broker topic (payload mapping in bridge/README.md)
options:
  --token T          device token from \`twinbench device add\` (or env TWINBENCH_DEVICE_TOKEN)
  --speed N          csv / virtual: N times real time (csv: 'max' = as fast as acked)
  --hz H             virtual: sample rate (default 10)
  --seed S           virtual: seed of the hidden parameters and sensor noise (default 1)
  --param-set NAME   virtual: cell parameter set (default panasonic-ncr18650pf)
  --fault F          virtual: r0:<factor>@<s> | stuck-voltage@<s> | temp-drift:<K/h>
  --duration S       virtual: stop after S simulated seconds
  --channels SPEC    mqtt: id:unit:kind[:min:max],...  (default ${DEFAULT_MQTT_CHANNELS.map((c) => c.id).join(',')})
  --spill FILE       spill file for unacked batches beyond memory (default in the temp dir)
  --flush-ms MS      batch at least every MS (default 200)   --batch N  samples per batch (default 500)
  --backoff-max-ms   longest wait between reconnect attempts (default 10000; starts at 250, doubles, +-25 % jitter)
  --stats            print a JSON stats line to stdout every second and at the end
Ends at the end of a csv file once everything is acked (exit 0), or on SIGINT/SIGTERM.`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        server: { type: 'string' },
        token: { type: 'string' },
        source: { type: 'string' },
        speed: { type: 'string' },
        hz: { type: 'string' },
        seed: { type: 'string' },
        'param-set': { type: 'string' },
        fault: { type: 'string' },
        duration: { type: 'string' },
        channels: { type: 'string' },
        spill: { type: 'string' },
        'flush-ms': { type: 'string' },
        batch: { type: 'string' },
        'backoff-max-ms': { type: 'string' },
        stats: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    process.stderr.write(`twinbench bridge: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const token = v.token ?? process.env.TWINBENCH_DEVICE_TOKEN;
  const problems: string[] = [];
  if (!v.server) problems.push('--server URL is required (e.g. http://localhost:3000)');
  if (!token) problems.push('--token is required (or env TWINBENCH_DEVICE_TOKEN); create one with `twinbench device add <name>`');
  else if (!splitToken(token)) problems.push('--token is malformed (expected tbd_<device>_<secret>)');
  if (!v.source) problems.push('--source is required: virtual, csv:<file> or mqtt://host:port/topic');
  const num = (name: string, raw: string | undefined, d: number, allowMax = false): number => {
    if (raw === undefined) return d;
    if (allowMax && raw === 'max') return Infinity;
    const x = Number(raw);
    if (!Number.isFinite(x) || x <= 0) problems.push(`--${name} must be a positive number, got '${raw}'`);
    return x;
  };
  const speed = num('speed', v.speed, 1, true);
  const hz = num('hz', v.hz, 10);
  const flushMs = num('flush-ms', v['flush-ms'], 200);
  const batch = num('batch', v.batch, 500);
  const backoffMaxMs = num('backoff-max-ms', v['backoff-max-ms'], 10_000);
  const seed = v.seed === undefined ? 1 : Number(v.seed);
  if (!Number.isInteger(seed)) problems.push(`--seed must be an integer, got '${v.seed}'`);
  if (problems.length) {
    process.stderr.write(problems.map((p) => `twinbench bridge: ${p}`).join('\n') + `\n\n${USAGE}\n`);
    return 2;
  }

  let source: Source;
  const spec = v.source!;
  if (spec === 'virtual') {
    source = virtualSource({
      hz,
      speed: speed === Infinity ? 1000 : speed,
      seed,
      paramSet: v['param-set'],
      fault: v.fault,
      durationS: v.duration === undefined ? undefined : num('duration', v.duration, 0),
    });
  } else if (spec.startsWith('csv:')) {
    source = csvSource(spec.slice(4), speed);
  } else if (spec.startsWith('mqtt://') || spec.startsWith('mqtts://')) {
    source = mqttSource(spec, v.channels ? parseChannelsSpec(v.channels) : DEFAULT_MQTT_CHANNELS);
  } else {
    process.stderr.write(`twinbench bridge: unknown source '${spec}' (virtual, csv:<file>, mqtt://host:port/topic)\n`);
    return 2;
  }

  const deviceId = splitToken(token)!.deviceId;
  const client = new BridgeClient({
    server: v.server!,
    token: token!,
    channels: source.channels,
    commands: source.commands,
    software: source.software,
    flushMs,
    maxBatchSamples: batch,
    backoffMaxMs,
    spillFile: v.spill ?? path.join(os.tmpdir(), `twinbench-bridge-${deviceId}-${process.pid}.jsonl`),
    onCommand: source.onCommand?.bind(source),
  });
  const abort = new AbortController();
  let fatal: BridgeFatalError | null = null;
  client.onFatal((e) => {
    fatal = e;
    abort.abort();
  });
  const printStats = () => process.stdout.write(JSON.stringify({ deviceId, ...client.snapshot() }) + '\n');
  const statsTimer = v.stats ? setInterval(printStats, 1000) : null;
  let signalled = false;
  const onSignal = (sig: string) => {
    if (signalled) process.exit(1);
    signalled = true;
    process.stderr.write(`[bridge] ${sig}: sending what is buffered (5 s at most), then exiting\n`);
    abort.abort();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  let code = 0;
  try {
    await source.run((t, values) => client.push(t, values), abort.signal);
  } catch (e) {
    process.stderr.write(`twinbench bridge: ${(e as Error).message}\n`);
    code = 1;
  }
  if (!fatal && code === 0) {
    // the source ended (file) or we were asked to stop: wait for the acks
    const limit = signalled ? 5000 : 24 * 3600 * 1000;
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      client.drain().then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), limit);
      }),
      new Promise<boolean>((r) => abort.signal.addEventListener('abort', () => fatal && r(false), { once: true })),
    ]);
    clearTimeout(timer);
    if (!done) {
      const s = client.snapshot();
      process.stderr.write(`[bridge] exiting with ${s.buffered} unacked batches\n`);
      code = 1;
    }
  }
  if (statsTimer) clearInterval(statsTimer);
  if (v.stats) printStats();
  client.close();
  if (fatal) {
    process.stderr.write(`twinbench bridge: ${(fatal as Error).message}\n`);
    return 1;
  }
  return code;
}
