/**
 * Counts the scan calls in flight so shutdown can wait for them, and refuses new ones once
 * draining started (UNAVAILABLE: the caller retries on another instance).
 */
import { status } from '@grpc/grpc-js';
import { RpcError } from './status-errors.js';

/** In-flight scan calls, and the draining switch that refuses new ones. */
export class CallTracker {
  private active = 0;
  private drainingNow = false;
  private readonly idleWaiters = new Set<() => void>();

  get draining(): boolean {
    return this.drainingNow;
  }

  get inFlight(): number {
    return this.active;
  }

  /** Registers a call; returns the function that ends it (idempotent). Throws UNAVAILABLE while draining. */
  begin(): () => void {
    if (this.drainingNow) throw new RpcError(status.UNAVAILABLE, 'the sidecar is shutting down');
    this.active++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.active--;
      if (this.active === 0) for (const wake of [...this.idleWaiters]) wake();
    };
  }

  startDraining(): void {
    this.drainingNow = true;
  }

  /** Resolves true when no call is in flight, or false after `timeoutMs`. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.active === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean): void => {
        clearTimeout(timer);
        this.idleWaiters.delete(onIdle);
        resolve(idle);
      };
      const onIdle = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idleWaiters.add(onIdle);
    });
  }
}
