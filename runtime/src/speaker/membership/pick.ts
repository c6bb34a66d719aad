// Random choices for the protocol (pure: the caller passes its random source, seeded in tests).

/** A copy of `xs` in random order (Fisher–Yates). */
export function shuffled<T>(xs: readonly T[], random: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Up to k distinct accepted values, from a bounded number of random draws (no O(N) scan). */
export function pickRandom<T, R>(xs: readonly T[], k: number, accept: (x: T) => R | undefined, random: () => number): R[] {
  const picked = new Set<R>();
  for (let tries = 0; tries < 4 * k && picked.size < k && xs.length; tries++) {
    const r = accept(xs[Math.floor(random() * xs.length)]);
    if (r !== undefined) picked.add(r);
  }
  return [...picked];
}
