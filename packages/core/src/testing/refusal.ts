import { CarveError, isCarveError } from "../errors/index.ts";

/** The CarveError a use-case refused with; anything else (success, another error) fails the test. */
export async function refusal(promise: Promise<unknown>): Promise<CarveError> {
  const outcome = await promise.then((value: unknown) => ({ refused: false as const, value }), (error: unknown) => ({ refused: true as const, error }));
  if (!outcome.refused) throw new Error(`expected a refusal (CarveError), but it succeeded: ${JSON.stringify(outcome.value)}`);
  if (!isCarveError(outcome.error)) throw outcome.error;
  return outcome.error;
}
