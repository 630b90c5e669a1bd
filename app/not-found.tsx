import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="message-page">
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <p>
        <Link href="/">Open the workbench</Link>
      </p>
    </main>
  );
}
