// `--source mqtt://host:port/topic`: subscribes to a broker topic (QoS 1; MQTT wildcards allowed)
// and turns each message into samples.
//
// Payload mapping (JSON, UTF-8), one sample or an array of samples:
//   { "t": <device time, s>, "current_A": 1.2, "voltage_V": 3.71, "temp_C": 25.1, "ambient_C": 25 }
// - `t` (or `time_s`) is the device timestamp; missing: the bridge's receive time in s.
// - every other key is a channel id; the channels are the defaults below or `--channels`
//   (id:unit:kind[:min:max], comma-separated). Keys that are not channels are ignored (counted);
//   a channel missing from a message is sent as null. Non-numeric values make the message invalid.
// Invalid messages (not JSON, wrong types) are skipped, counted and reported on stderr
// (rate-limited), never sent.
import type { Channel, ChannelKind } from '../../sim/protocol/bridge';
import { CHANNEL_KINDS } from '../../sim/protocol/bridge';
import type { Source } from './types';

export const DEFAULT_MQTT_CHANNELS: Channel[] = [
  { id: 'current_A', name: 'current (+ discharge)', unit: 'A', kind: 'current', range: [-500, 500] },
  { id: 'voltage_V', name: 'voltage', unit: 'V', kind: 'voltage', range: [0, 1000] },
  { id: 'temp_C', name: 'cell temperature', unit: 'degC', kind: 'temperature', range: [-40, 120] },
  { id: 'ambient_C', name: 'ambient temperature', unit: 'degC', kind: 'ambient', range: [-40, 80] },
];

export function parseChannelsSpec(spec: string): Channel[] {
  return spec.split(',').map((part, i) => {
    const [id, unit = '', kind = 'other', lo = '-1e9', hi = '1e9'] = part.trim().split(':');
    if (!id) throw new Error(`--channels: entry ${i + 1} has no id`);
    if (!(CHANNEL_KINDS as readonly string[]).includes(kind)) throw new Error(`--channels: '${kind}' is not a channel kind (${CHANNEL_KINDS.join(', ')})`);
    return { id, name: id, unit, kind: kind as ChannelKind, range: [Number(lo), Number(hi)] as [number, number] };
  });
}

export function parseMqttUrl(spec: string): { url: string; topic: string } {
  const u = new URL(spec);
  if (u.protocol !== 'mqtt:' && u.protocol !== 'mqtts:') throw new Error(`not an mqtt:// URL: ${spec}`);
  const topic = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!topic) throw new Error(`the MQTT source needs a topic: mqtt://host:port/<topic>`);
  return { url: `${u.protocol}//${u.host}`, topic };
}

/** Maps one payload to samples; returns an error string for invalid payloads. */
export function mapMqttPayload(
  text: string,
  channels: Channel[],
  nowS: number,
): { ok: true; samples: { t: number; v: (number | null)[] }[]; ignoredKeys: number } | { ok: false; error: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, error: 'payload is not JSON' };
  }
  const items = Array.isArray(data) ? data : [data];
  if (items.length === 0 || items.length > 2000) return { ok: false, error: 'expected 1..2000 samples' };
  const index = new Map(channels.map((c, i) => [c.id, i]));
  const out: { t: number; v: (number | null)[] }[] = [];
  let ignored = 0;
  for (const [k, it] of items.entries()) {
    if (typeof it !== 'object' || it === null || Array.isArray(it)) return { ok: false, error: `sample ${k}: expected an object` };
    const v: (number | null)[] = new Array(channels.length).fill(null);
    let t = nowS;
    for (const [key, val] of Object.entries(it as Record<string, unknown>)) {
      if (key === 't' || key === 'time_s') {
        if (typeof val !== 'number' || !Number.isFinite(val)) return { ok: false, error: `sample ${k}: ${key} must be a finite number` };
        t = val;
        continue;
      }
      const i = index.get(key);
      if (i === undefined) {
        ignored++;
        continue;
      }
      if (val === null) continue;
      if (typeof val !== 'number' || !Number.isFinite(val)) return { ok: false, error: `sample ${k}: ${key} must be a finite number or null` };
      v[i] = val;
    }
    out.push({ t, v });
  }
  return { ok: true, samples: out, ignoredKeys: ignored };
}

export function mqttSource(spec: string, channels: Channel[] = DEFAULT_MQTT_CHANNELS, log = (m: string) => process.stderr.write(`[bridge] ${m}\n`)): Source {
  const { url, topic } = parseMqttUrl(spec);
  return {
    channels,
    software: `twinbench mqtt bridge ${url}/${topic}`,
    async run(push, signal) {
      const { default: mqtt } = await import('mqtt');
      const client = mqtt.connect(url, { reconnectPeriod: 1000, connectTimeout: 5000, clean: true });
      let invalid = 0;
      let lastReport = 0;
      await new Promise<void>((resolve, reject) => {
        const fail = (err: Error) => {
          client.end(true);
          reject(new Error(`the MQTT broker at ${url} does not answer (${err.message}); start it or check the URL`));
        };
        const timer = setTimeout(() => fail(new Error('no CONNACK within 5 s')), 5000);
        client.once('error', (e) => {
          clearTimeout(timer);
          fail(e);
        });
        client.once('connect', () => {
          clearTimeout(timer);
          client.subscribe(topic, { qos: 1 }, (err) => {
            if (err) return fail(err);
            log(`subscribed to ${topic} on ${url}`);
            resolve();
          });
        });
      });
      client.on('error', (e) => log(`mqtt: ${e.message}`));
      client.on('message', (_t, payload) => {
        const r = mapMqttPayload(payload.toString('utf8'), channels, Date.now() / 1000);
        if (!r.ok) {
          invalid++;
          if (Date.now() - lastReport > 5000) {
            lastReport = Date.now();
            log(`mqtt: skipped an invalid message (${r.error}); ${invalid} so far`);
          }
          return;
        }
        for (const s of r.samples) push(s.t, s.v);
      });
      await new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await client.endAsync();
    },
  };
}
