import { Conversation } from "@/app/_components/chat/conversation";

export default function HomePage() {
  return <Conversation />;
}
