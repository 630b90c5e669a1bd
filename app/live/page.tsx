import type { Metadata } from 'next';
import { LivePage } from './LivePage';

export const metadata: Metadata = { title: 'Live devices · Twinbench' };

export default function Page() {
  return <LivePage />;
}
