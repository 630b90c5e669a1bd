// Yielding to the event loop between pieces of main-thread work (one plot panel, one slice of
// the heat map): each `await nextTask()` resumes in a new macrotask, so the browser can handle
// input and paint between pieces and no single task grows past the ~50 ms guideline.
// A MessageChannel message is a macrotask without setTimeout's >= 4 ms clamp for nested timers.

let channel: MessageChannel | null = null;
const waiting: (() => void)[] = [];

/** Resolves in a later macrotask (FIFO among callers). */
export function nextTask(): Promise<void> {
  return new Promise<void>((resolve) => {
    if (typeof MessageChannel === 'undefined') {
      setTimeout(resolve, 0);
      return;
    }
    if (!channel) {
      channel = new MessageChannel();
      channel.port1.onmessage = () => waiting.shift()?.();
      // Node (tests): an open port would keep the process alive
      (channel.port1 as unknown as { unref?: () => void }).unref?.();
    }
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}

/**
 * Cancellation for a sequence of tasks: `start()` begins a new sequence and supersedes the
 * previous one; `current(id)` tells a running sequence whether it is still the latest.
 */
export class Generation {
  private id = 0;
  start(): number {
    return ++this.id;
  }
  current(id: number): boolean {
    return id === this.id;
  }
  /** Supersedes every running sequence (e.g. on unmount). */
  cancel(): void {
    this.id++;
  }
}
