// BgpPeer timers as OpenELB's CRD writes them: strings of whole seconds ("90"). Upstream parses
// them as integers and fails the whole BgpPeer otherwise, so "90s" is refused here as well.

/** The seconds a timer string holds, or undefined when it is not a whole number. */
export function timerSeconds(text: string): number | undefined {
  return /^[0-9]+$/.test(text) ? Number(text) : undefined;
}

/** RFC 4271: a hold time is 0 (no keepalives) or at least 3 seconds. */
export function holdTimeAllowed(seconds: number): boolean {
  return seconds === 0 || seconds >= 3;
}
