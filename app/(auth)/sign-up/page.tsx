import { signUpAction } from "../actions";
import { AuthForm } from "../auth-form";

export const metadata = { title: "Sign up · Threadline" };

export default function SignUpPage() {
  return <AuthForm key="sign-up" mode="sign-up" action={signUpAction} />;
}
