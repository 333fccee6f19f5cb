// @ts-check
/** Types of the frames the shared client reads or writes. The frame types are generated from
 * the server's frame models (docs/frames.schema.json -> frames.d.ts, `make schema`); only the
 * socket interface below is written by hand. */

/** @typedef {NonNullable<import("./frames").ParleySocketFrames["server_to_client"]>} ServerFrame any frame the server sends */
/** @typedef {import("./frames").MessageNew} MessageNewFrame */
/** @typedef {import("./frames").MessageOut} Message */
/** @typedef {import("./frames").ResumeDone} ResumeDoneFrame */
/** @typedef {import("./frames").MessageSend} MessageSendFrame */
/** @typedef {import("./frames").Resume} ResumeFrame */
/** @typedef {{type: string, [key: string]: any}} Frame a frame as hooks receive it (read loosely) */

/**
 * The part of the browser's WebSocket the client uses (a test passes a fake).
 * @typedef {object} SocketLike
 * @property {number} readyState
 * @property {((ev: any) => void) | null} onopen
 * @property {((ev: {data: any}) => void) | null} onmessage
 * @property {((ev: {code: number}) => void) | null} onclose
 * @property {((ev: any) => void) | null} onerror
 * @property {(data: string) => void} send
 * @property {(code?: number) => void} close
 */

export {};
