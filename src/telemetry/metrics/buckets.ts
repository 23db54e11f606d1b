/**
 * Histogram buckets in seconds. A scan takes about a millisecond (most under 5 ms, the policy
 * budget is 50 ms); a detector a few hundred microseconds. Buckets reach a few seconds so a
 * queueing pool under overload is still visible rather than all in +Inf.
 */
export const SCAN_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
export const DETECTOR_SECONDS_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];
/** Control-plane RPCs hit the database: milliseconds to seconds. */
export const RPC_SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Policy push: from the control plane reading a snapshot to a sidecar enforcing it. */
export const PUSH_LAG_SECONDS_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
