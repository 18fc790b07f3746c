/** A start-up failure the operator can fix (a path, a URL, a port): printed as one sentence, no stack. */
export class StartupError extends Error {}
