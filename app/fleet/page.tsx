import type { Metadata } from 'next';
import { FleetPage } from './FleetPage';

export const metadata: Metadata = { title: 'Fleet · Twinbench' };

export default function Page() {
  return <FleetPage />;
}
