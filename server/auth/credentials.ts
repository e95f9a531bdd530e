import { z } from "zod";

// bcrypt only looks at the first 72 bytes, so a longer password would silently be cut.
const MAX_PASSWORD_BYTES = 72;

export const emailSchema = z.string().trim().toLowerCase().max(254, "Email must be at most 254 characters").pipe(z.email("Enter a valid email address"));

export const newPasswordSchema = z
  .string()
  .min(8, "Password must be at least 8 characters")
  .refine((p) => Buffer.byteLength(p, "utf8") <= MAX_PASSWORD_BYTES, "Password must be at most 72 characters");

export const signUpSchema = z.object({ email: emailSchema, password: newPasswordSchema });

// Sign-in does not re-apply the sign-up rules: every failure reads the same, "wrong email or password".
export const signInSchema = z.object({
  email: z.string().trim().toLowerCase().min(1, "Enter your email").max(254),
  password: z.string().min(1, "Enter your password").max(1024),
});

export type SignUpInput = z.infer<typeof signUpSchema>;
export type SignInInput = z.infer<typeof signInSchema>;
