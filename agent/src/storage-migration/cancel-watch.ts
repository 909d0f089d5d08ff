/**
 * An AbortSignal that fires once the control plane asks to cancel the job (polled every
 * `intervalMs`); `stop()` ends the polling.
 */
export function watchCancel(cancelRequested: () => Promise<boolean>, intervalMs = 1_000): { signal: AbortSignal; stop(): void } {
  const controller = new AbortController();
  const timer = setInterval(() => {
    void cancelRequested()
      .then((cancelled) => {
        if (cancelled) controller.abort("cancelled by request");
      })
      .catch(() => undefined); // Redis away: keep going, the next poll asks again
  }, intervalMs);
  return { signal: controller.signal, stop: () => clearInterval(timer) };
}
