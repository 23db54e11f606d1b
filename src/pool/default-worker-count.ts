/**
 * The scanner pool's default thread count, in a module of its own so the CLI can show and
 * apply it without loading the pool.
 */
import { availableParallelism } from 'node:os';

/**
 * One thread per core but one: the main thread serves gRPC and needs a core of its own.
 * Measured on 2 cores: each scan thread costs ~50 MiB RSS idle (107 MiB with one thread,
 * 158 MiB with two), and a second thread mostly competes with the main thread (and, in a pod,
 * the caller) for the same two cores.
 */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism() - 1);
}
