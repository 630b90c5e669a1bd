import type { Metadata } from 'next';
import { ReplayPage } from './ReplayPage';

export const metadata: Metadata = { title: 'Replay a cell record · Twinbench' };

export default function Page() {
  return <ReplayPage />;
}
