import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex flex-1 flex-col items-center justify-center gap-3 p-8 text-center">
      <h1 className="text-xl font-semibold">Conversation not found</h1>
      <p className="text-sm text-zinc-500">It may have been deleted, or the link is wrong.</p>
      <Link href="/" className="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500">
        Start a new chat
      </Link>
    </main>
  );
}
