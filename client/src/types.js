// @ts-check
/** Hand-written types of the frames the shared client reads or writes (docs/protocol.md is the
 * contract; generating these from the frames' JSON Schema is a later step). */

/**
 * @typedef {object} Author
 * @property {"visitor" | "agent" | "system"} type
 * @property {string} [id]
 * @property {string} [name]
 * @property {string | null} [avatar_url]
 */

/**
 * @typedef {object} Message
 * @property {string} [id]
 * @property {number} seq
 * @property {string} body
 * @property {string} [kind]
 * @property {string | null} [client_msg_id]
 * @property {string} [created_at]
 * @property {Author} [author]
 * @property {object[]} [attachments]
 */

/** @typedef {{type: "message.new", chat_id: string, message: Message}} MessageNewFrame */
/** @typedef {{type: "message.ack", client_msg_id: string, chat_id?: string, seq?: number}} MessageAckFrame */
/** @typedef {{type: "resume.done", chat_id: string, more?: boolean, last_seq?: number, status?: string}} ResumeDoneFrame */
/** @typedef {{type: "resync"}} ResyncFrame */
/** @typedef {{type: "error", code?: string, message?: string, ref?: string, chat_id?: string}} ErrorFrame */
/** @typedef {{type: string, [key: string]: any}} Frame any frame; the ones above are the client's own */

/** @typedef {{type: "resume", chat_id: string, after_seq: number}} ResumeFrame */
/**
 * @typedef {object} MessageSendFrame
 * @property {"message.send"} type
 * @property {string} chat_id
 * @property {string} client_msg_id
 * @property {string} body
 * @property {string} [kind]
 * @property {string[]} [attachment_ids]
 */

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
