import { githubEnabled, signIn } from "@/server/auth";
import { signInAction } from "../actions";
import { AuthForm } from "../auth-form";

export const metadata = { title: "Sign in · Threadline" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  const { callbackUrl } = await searchParams;
  return (
    <>
      <AuthForm key="sign-in" mode="sign-in" action={signInAction} callbackUrl={callbackUrl} />
      {githubEnabled() && (
        <form
          action={async () => {
            "use server";
            await signIn("github", { redirectTo: "/" });
          }}
          className="mt-4"
        >
          <button type="submit" className="w-full rounded-lg border border-zinc-300 px-4 py-2 font-medium hover:bg-zinc-50">
            Continue with GitHub
          </button>
        </form>
      )}
    </>
  );
}
