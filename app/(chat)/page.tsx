/** The home page is the new conversation, which the shell shows itself (app/_components/app-shell.tsx). */
export default function HomePage() {
  return null;
}
