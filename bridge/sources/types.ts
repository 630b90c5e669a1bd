import type { Channel, Command, CommandAck, CommandKind } from '../../sim/protocol/bridge';

/** Where samples come from (Lichtblick-style data source): the bridge does not care which. */
export interface Source {
  readonly channels: Channel[];
  readonly commands?: CommandKind[];
  readonly software: string;
  /** Produces samples until the source ends (file) or `signal` aborts. */
  run(push: (tDeviceS: number, values: (number | null)[]) => void, signal: AbortSignal): Promise<void>;
  onCommand?(cmd: Command): CommandAck | Promise<CommandAck>;
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
