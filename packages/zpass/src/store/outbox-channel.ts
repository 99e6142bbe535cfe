/** The channel a commit that queued a notice announces itself on (in process, and PostgreSQL LISTEN/NOTIFY). */
export const OUTBOX_CHANNEL = 'zpass_outbox';
