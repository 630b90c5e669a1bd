// Worker entry: exposes RunnerImpl over Comlink with the real engine. Keep it this small.
import * as Comlink from 'comlink';
import { RunnerImpl } from './RunnerImpl';
import { engineDeps } from './engineDeps';

Comlink.expose(new RunnerImpl({ ...engineDeps, transfer: Comlink.transfer }));
