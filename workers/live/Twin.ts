// Typed facade the live page calls; the twin and the EKF run in a worker (TwinImpl.worker.ts).
import * as Comlink from 'comlink';
import type { TwinConfig, TwinFrame, TwinImpl, TwinSample } from './TwinImpl';

export type { TwinFrame } from './TwinImpl';

export class Twin {
  private worker: Worker | null = null;
  private remote: Comlink.Remote<TwinImpl> | null = null;

  private ensure(): Comlink.Remote<TwinImpl> {
    if (!this.remote) {
      this.worker = new Worker(new URL('./TwinImpl.worker.ts', import.meta.url), { type: 'module', name: 'twinbench-live-twin' });
      this.remote = Comlink.wrap<TwinImpl>(this.worker);
    }
    return this.remote;
  }

  configure(cfg: TwinConfig) {
    return this.ensure().configure(cfg);
  }
  setAlarm(thresholdV: number, holdS: number) {
    return this.ensure().setAlarm(thresholdV, holdS);
  }
  process(samples: TwinSample[]): Promise<TwinFrame> {
    return this.ensure().process(samples);
  }
  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
    this.remote = null;
  }
}
