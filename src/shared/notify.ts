// Shared by the notify activity and the workflows that call it (dependency-free).

/** Attempts of one notification (backoff 2 s doubling to 5 min: about 10 minutes); the last one records a failure instead of throwing. */
export const NOTIFY_MAX_ATTEMPTS = 8;
