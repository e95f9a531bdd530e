import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { MessageView } from "@/app/_components/chat/message-list";
import { SHARE_ID, sharePath } from "@/lib/share";
import { auth } from "@/server/auth";
import { getDb } from "@/server/db";
import { readShare } from "@/server/share/store";
import { ContinueButton } from "./continue-button";

// Read once per request, by the metadata and the page alike. A stopped link and one that never
// existed are the same absence: both get the app's 404.
const sharedConversation = cache(async (id: string) => (SHARE_ID.test(id) ? readShare(getDb(), id) : null));

type Props = { params: Promise<{ id: string }> };

/** Search engines are told not to index it (next.config.mjs also sends X-Robots-Tag). */
export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const shared = await sharedConversation((await params).id);
  return { title: shared ? `${shared.title} · Threadline` : "Threadline", robots: { index: false, follow: false } };
}

/**
 * A shared conversation, readable signed out: the branch as it was when shared, in the app's inert
 * Markdown, with no owner, no email and nothing to change. A signed-in viewer may copy it into their account.
 */
export default async function SharedPage({ params }: Props) {
  const { id } = await params;
  const shared = await sharedConversation(id);
  if (!shared) notFound();
  const session = await auth();
  return (
    <div className="flex h-full flex-col">
      <header className="flex items-center justify-between border-b border-zinc-200 px-4 py-2">
        <Link href="/" className="font-semibold">
          Threadline
        </Link>
        <span className="text-xs text-zinc-500">Shared conversation · read only</span>
      </header>
      <main className="min-h-0 flex-1 overflow-y-auto">
        <div className="mx-auto w-full max-w-3xl space-y-6 px-4 py-6">
          <div>
            <h1 className="text-xl font-semibold">{shared.title}</h1>
            <p className="mt-1 text-sm text-zinc-600">
              As of <time dateTime={shared.updatedAt.toISOString()}>{shared.updatedAt.toUTCString()}</time>
            </p>
          </div>
          <div className="space-y-6">
            {shared.messages.map((message) => (
              <MessageView key={message.id} message={message} shareId={id} />
            ))}
          </div>
          <div className="border-t border-zinc-200 pt-4">
            {session?.user ? (
              <ContinueButton shareId={id} />
            ) : (
              <Link
                href={`/sign-in?callbackUrl=${encodeURIComponent(sharePath(id))}`}
                className="text-sm font-medium text-indigo-600 underline underline-offset-2 hover:text-indigo-500"
              >
                Sign in to continue this conversation
              </Link>
            )}
          </div>
        </div>
      </main>
    </div>
  );
}
