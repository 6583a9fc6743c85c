import { StackhouseError } from "../../src/errors.js";

/** The StackhouseError a promise rejects with; fails the test if it resolves or rejects otherwise. */
export async function rejection(promise: Promise<unknown>): Promise<StackhouseError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof StackhouseError)) {
    throw new Error(`expected a StackhouseError, got ${String(error)}`);
  }
  return error;
}
