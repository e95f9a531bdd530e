import { TRPCError } from "@trpc/server";
import { expect } from "vitest";

/**
 * The tRPC error a call is refused with. A call that succeeds fails the test here, rather than
 * handing its result to checks that might read `undefined` as an answer.
 */
export async function failure(promise: Promise<unknown>): Promise<TRPCError> {
  const settled = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  expect(settled, "the call was expected to be refused").toMatchObject({ ok: false });
  const { error } = settled as { error: unknown };
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}
