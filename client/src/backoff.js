// @ts-check
/** Reconnect delays: exponential back-off with full jitter, so a restarted server is not hit by
 * every browser at the same moment (each waits a random time up to the current ceiling). */

/**
 * @param {number} attempt how many attempts failed in a row (0 for the first retry)
 * @param {{base?: number, cap?: number, random?: () => number}} [opts]
 * @returns {number} milliseconds to wait, in [0, min(cap, base * 2^attempt))
 */
export function backoffDelay(attempt, { base = 500, cap = 15000, random = Math.random } = {}) {
  return random() * Math.min(cap, base * 2 ** attempt);
}
