/**
 * Call first thing in a thread that will transfer ArrayBuffers. V8 compiles typed-array code
 * without detach checks until the isolate's first ArrayBuffer transfer (its "detach protector");
 * the first real transfer then throws every optimised function away at once. In the inference
 * worker that made the second set take ~30 ms instead of ~5. Detaching a throwaway buffer before
 * anything is optimised costs nothing later.
 */
export function armTransfers(): void {
  const probe = new ArrayBuffer(8);
  structuredClone(probe, { transfer: [probe] });
}
