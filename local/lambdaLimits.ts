// Lambda's own limits, as the local server enforces them.

/** Lambda's limit on a synchronous invocation's request payload and on a buffered response: 6 MB. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
