import type { Metadata } from 'next';
import Link from 'next/link';
import { isValidShareId } from '../../workbench/shareLinks';
import { SharedScenario } from './SharedScenario';

export const metadata: Metadata = { title: 'Shared scenario · Twinbench' };

export default async function SharedPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!isValidShareId(id)) {
    return (
      <main className="message-page" data-testid="share-malformed">
        <h1>This share link is malformed</h1>
        <p>
          A scenario link looks like <code>/s/</code> followed by 64 hexadecimal characters (the scenario’s
          content hash). This one does not, so it was probably cut off or mistyped when it was copied.
        </p>
        <p>Ask for the link again, or <Link href="/">open the workbench</Link>.</p>
      </main>
    );
  }
  return <SharedScenario id={id} />;
}
