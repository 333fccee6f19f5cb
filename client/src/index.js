// @ts-check
/** Parley's browser protocol client, shared by the widget and the console. */
export { backoffDelay } from "./backoff.js";
export { h, el } from "./dom.js";
export { Outbox } from "./outbox.js";
export { SeqTracker } from "./seq.js";
export { ParleySocket, subprotocols } from "./socket.js";
export { uuid } from "./uuid.js";
