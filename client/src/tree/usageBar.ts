// The text bar an Eip shows in the tree: "▰▰▱▱▱▱▱▱▱▱ 2/10 20%".
export function usageBar(usage: number, poolSize: number, cells = 10): string {
  if (!Number.isFinite(poolSize) || poolSize <= 0) return `${usage}/? `;
  const ratio = Math.max(0, Math.min(1, usage / poolSize));
  // Any use shows at least one filled cell; a full pool shows all of them.
  let filled = Math.round(ratio * cells);
  if (usage > 0 && filled === 0) filled = 1;
  if (usage < poolSize && filled === cells) filled = cells - 1;
  const pct = ratio * 100;
  const pctText = pct > 0 && pct < 1 ? '<1%' : `${Math.round(pct)}%`;
  return `${'▰'.repeat(filled)}${'▱'.repeat(cells - filled)} ${usage}/${poolSize} ${pctText}`;
}
