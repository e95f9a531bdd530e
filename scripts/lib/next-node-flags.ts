import { frontDoorImport } from "./front-door";

/**
 * The Node flags of the process that runs Next, the same for `npm start`, `npm run dev` and the
 * test servers: the front door, and HEAP_GROWING_PERCENT when it is set. V8 grows the heap to
 * several times what is live when allocation is fast (about 110 MB live came to 560 MB of RSS at
 * 100 users); a growing factor of (1 + percent/100) trades garbage-collector CPU for memory, and,
 * unlike a fixed --max-old-space-size, it cannot run a busy server out of heap.
 */
export function nextNodeFlags(heapGrowingPercent: number): string[] {
  return [frontDoorImport, ...(heapGrowingPercent > 0 ? [`--heap-growing-percent=${heapGrowingPercent}`] : [])];
}
