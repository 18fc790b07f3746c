/** A problem with the options, a scenario or fleet file, or the hub, found before anything ran: exit status 2. */
export class SetupError extends Error {}
