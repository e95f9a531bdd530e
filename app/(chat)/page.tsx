import { Composer } from "@/app/_components/composer";

export default function HomePage() {
  return (
    <main className="flex min-h-0 flex-1 flex-col">
      <div className="flex flex-1 flex-col items-center justify-center px-4 text-center">
        <h1 className="text-2xl font-semibold">What can I help with?</h1>
        <p className="mt-2 text-sm text-zinc-500">Start a new chat, or pick up a conversation from the sidebar.</p>
      </div>
      <Composer />
    </main>
  );
}
