import type { Socket } from 'socket.io';
import { describe, expect, it } from 'vitest';
import { BridgeHub } from './hub';
import { BridgeMetrics } from './metrics';

/** a stand-in for a browser's socket: `pending` packets wait in its engine.io write buffer */
function fakeSocket(pending: () => number) {
  const emitted: [string, unknown][] = [];
  const s = {
    connected: true,
    conn: {
      get writeBuffer() {
        return new Array(pending());
      },
      on: () => {},
    },
    emit: (ev: string, x: unknown) => {
      emitted.push([ev, x]);
      return true;
    },
  };
  return { socket: s as unknown as Socket, emitted };
}

describe('BridgeHub fan-out', () => {
  it('drops batches for a slow subscriber, tells it how many, and never blocks the others', () => {
    const metrics = new BridgeMetrics();
    const hub = new BridgeHub({ batchesPerS: 10, samplesPerS: 100 }, metrics);
    let now = 0;
    hub.now = () => now;
    let backlog = 0;
    const slow = fakeSocket(() => backlog);
    const fast = fakeSocket(() => 0);
    hub.subscribe(slow.socket, 'd1');
    hub.subscribe(fast.socket, 'd1');
    const batch = (seq: number) => ({ deviceId: 'd1', seq, samples: [{ t: seq, r: 0, v: [1] }], s: 0 });
    const publish = (seq: number) => {
      hub.publish(batch(seq));
      hub.flushLive();
    };
    publish(0);
    backlog = 10; // a burst is not slowness
    publish(1);
    now = 5000; // ... but a buffer that has not drained for 5 s is
    for (let k = 2; k <= 4; k++) publish(k);
    backlog = hub.maxPendingPackets + 1; // and so is a huge one
    now = 5001;
    publish(5);
    backlog = 0; // it catches up
    publish(6);
    const seqs = (em: [string, unknown][]) => em.filter(([ev]) => ev === 'batches').flatMap(([, bs]) => (bs as { seq: number }[]).map((b) => b.seq));
    expect(seqs(fast.emitted)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(slow.emitted.map(([ev]) => ev)).toEqual(['batches', 'batches', 'dropped', 'batches']);
    expect(seqs(slow.emitted)).toEqual([0, 1, 6]);
    expect(slow.emitted[2][1]).toMatchObject({ deviceId: 'd1', count: 4 });
    expect(metrics.liveDropped.get()).toBe(4);
    hub.unsubscribe(slow.socket);
    publish(7);
    expect(slow.emitted).toHaveLength(4);
    expect(metrics.liveSubscribers).toBe(1);
  });

  it('sends what one event-loop turn brought as one message per subscriber', async () => {
    const hub = new BridgeHub({ batchesPerS: 10, samplesPerS: 100 }, new BridgeMetrics());
    const a = fakeSocket(() => 0);
    const b = fakeSocket(() => 0);
    hub.subscribe(a.socket, 'd1');
    hub.subscribe(a.socket, 'd2');
    hub.subscribe(b.socket, 'd2');
    for (let k = 0; k < 3; k++) {
      hub.publish({ deviceId: 'd1', seq: k, samples: [{ t: k, r: 0, v: [1] }], s: 0 });
      hub.publish({ deviceId: 'd2', seq: k, samples: [{ t: k, r: 0, v: [1] }], s: 0 });
    }
    expect(a.emitted).toHaveLength(0); // nothing before the turn ends
    await new Promise((r) => setImmediate(r));
    expect(a.emitted).toHaveLength(1);
    expect((a.emitted[0][1] as { deviceId: string; seq: number }[]).map((x) => `${x.deviceId}:${x.seq}`)).toEqual(['d1:0', 'd2:0', 'd1:1', 'd2:1', 'd1:2', 'd2:2']);
    expect(b.emitted).toHaveLength(1);
    expect((b.emitted[0][1] as unknown[]).length).toBe(3);
  });

  it('within a long turn, sends once the oldest collected batch waited maxCoalesceMs', async () => {
    const hub = new BridgeHub({ batchesPerS: 10, samplesPerS: 100 }, new BridgeMetrics());
    let now = 0;
    hub.now = () => now;
    const a = fakeSocket(() => 0);
    hub.subscribe(a.socket, 'd1');
    const b = (seq: number) => ({ deviceId: 'd1', seq, samples: [{ t: seq, r: 0, v: [1] }], s: 0 });
    hub.publish(b(0));
    now = 3;
    hub.publish(b(1));
    expect(a.emitted).toHaveLength(0);
    now = 5; // the first one has waited 5 ms: all three go now, in the same turn
    hub.publish(b(2));
    expect(a.emitted.map(([, x]) => (x as { seq: number }[]).map((y) => y.seq))).toEqual([[0, 1, 2]]);
    now = 6;
    hub.publish(b(3));
    expect(a.emitted).toHaveLength(1);
    await new Promise((r) => setImmediate(r));
    expect(a.emitted.map(([, x]) => (x as { seq: number }[]).map((y) => y.seq))).toEqual([[0, 1, 2], [3]]);
  });

  it('forwards a status only when it says something new, and always records it', () => {
    const hub = new BridgeHub({ batchesPerS: 10, samplesPerS: 100 }, new BridgeMetrics());
    let now = 1000;
    hub.now = () => now;
    const a = fakeSocket(() => 0);
    hub.subscribe(a.socket, 'd1');
    hub.statusToSubscribers('d1', { state: 'ok', buffered: 0 });
    now = 6000;
    hub.statusToSubscribers('d1', { state: 'ok', buffered: 3 }); // the periodic repeat
    expect(hub.peek('d1')!.status).toEqual({ state: 'ok', buffered: 3, at: 6000 });
    hub.statusToSubscribers('d1', { state: 'warning', code: 'BRIDGE_BUFFER_FULL', message: '2 batches dropped' });
    hub.statusToSubscribers('d1', { state: 'warning', code: 'BRIDGE_BUFFER_FULL', message: '5 batches dropped' });
    hub.statusToSubscribers('d1', { state: 'warning', code: 'BRIDGE_BUFFER_FULL', message: '5 batches dropped' });
    expect(a.emitted.map(([ev, x]) => `${ev}:${(x as { state: string }).state}:${(x as { message?: string }).message ?? ''}`)).toEqual([
      'status:ok:',
      'status:warning:2 batches dropped',
      'status:warning:5 batches dropped',
    ]);
  });

  it('serializes work per device and bounds the queue', async () => {
    const hub = new BridgeHub({ batchesPerS: 10, samplesPerS: 100 });
    hub.maxQueuedBatches = 2;
    const order: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = hub.enqueue('d', async () => {
      await gate;
      order.push(1);
    });
    const b = hub.enqueue('d', async () => {
      order.push(2);
    });
    expect(hub.enqueue('d', async () => {})).toBeNull();
    release();
    await Promise.all([a, b]);
    expect(order).toEqual([1, 2]);
    expect(hub.enqueue('d', async () => {})).not.toBeNull();
  });
});
