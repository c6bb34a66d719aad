// Warms the JIT before the first real file arrives: V8 compiles hot paths only after running
// them, so a cold server spends most of its first validation compiling and interpreting. The
// server runs it one round at a time in idle time after `initialized` (server/src/lsp/
// idleWarmUp.ts), bounded in time, so `initialize` is answered at once and the first real file
// is still checked by compiled code. Rounds use a scratch service: nothing reaches the real one.
import { OpenElbLanguageService } from './languageService';

// The samples cover the shapes real files have (comments, quoted and plain scalars, numbers,
// booleans, lists of scalars and of mappings, every address form, every kind, common mistakes
// such as overlaps, bad octets, reversed ranges, missing interfaces and out-of-range numbers):
// a code path the warm-up never took is compiled without type feedback, and the first real file
// that takes it throws the optimised code away.
function sample(i: number): string {
  const a = (i >> 8) & 255;
  const b = i & 255;
  switch (i % 8) {
    case 0: return `apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: warm-${i}\nspec:\n  address: 10.${a}.${b}.0/28\n  protocol: layer2\n  interface: eth0\n`;
    case 1: return `apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: warm-${i}\n  annotations:\n    team: "x"\nspec:\n  address: 10.${a}.${b}.20-10.${a}.${b}.10\n  protocl: bgp\n  priority: "1"\n`;
    case 2: return `apiVersion: network.kubesphere.io/v1alpha2\nkind: BgpPeer\nmetadata:\n  name: warm-${i}\nspec:\n  conf:\n    peerAs: 65000\n    neighborAddress: 10.${a}.${b}.1\n  timers:\n    config:\n      holdTime: "90"\n`;
    case 3: return `apiVersion: v1\nkind: Service\nmetadata:\n  name: warm-${i}\n  annotations:\n    lb.kubesphere.io/v1alpha1: openelb\n    eip.openelb.kubesphere.io/v1alpha2: warm-0\nspec:\n  type: LoadBalancer\n  ports:\n    - port: 80\n`;
    case 4: return `apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: warm-${i}\nspec:\n  address: "2001:db8:${i.toString(16)}::/120"\n  disable: false\n  protocol: ${i % 16 === 4 ? 'bgpp' : 'bgp'}\n  priority: ${i % 16 === 12 ? 'high' : '3'}\n---\napiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: warm-${i}-c\nspec:\n  protocol: bgp\n`;
    case 5: return `# pool ${i}\napiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: warm-${i}  # a comment\nspec:\n  address: 10.${((i - 5) >> 8) & 255}.${(i - 5) & 255}.7\n  protocol: bgp\n  priority: ${i % 7}\n  namespaces:\n    - default\n    - team-${i % 3}\n`;
    case 6: return `apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: warm-${i}\n  annotations:\n    eip.openelb.kubesphere.io/is-default-eip: "true"\nspec:\n  address: fd00:${a}:${b}::10-fd00:${a}:${b}::1f\n  protocol: layer2\n  interface: can_reach:192.168.${a}.1\n  namespaceSelector:\n    team: t${i % 4}\n`;
    default: return `apiVersion: network.kubesphere.io/v1alpha2\nkind: BgpConf\nmetadata:\n  name: default\nspec:\n  as: ${i % 16 === 7 ? 0 : 64512 + (i % 100)}\n  listenPort: 17900\n  routerId: 10.${a}.${b}.1\n---\napiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: warm-${i}-b\nspec:\n  address: 10.${a}.${b + 256}.1\n  protocol: layer2\n`;
  }
}

/** Most rounds a warm-up runs, whatever its time budget. */
export const MAX_ROUNDS = 200;

/** A warm-up run one round at a time, so the caller decides when each round runs. */
export class WarmUp {
  private readonly service = new OpenElbLanguageService();
  rounds = 0;

  get finished(): boolean {
    return this.rounds >= MAX_ROUNDS;
  }

  /** Validates one fresh synthetic file of 40 documents (and completes in every tenth). */
  round(): void {
    const n = this.rounds++;
    let text = '';
    for (let i = 0; i < 40; i++) text += `---\n${sample(n * 40 + i)}`;
    this.service.validate(`warmup:${n}`, text);
    if (n % 10 === 0) this.service.complete(`warmup:${n}`, text, { line: 5, character: 2 });
    // Forget the file entirely: its Eips would otherwise stay indexed, and every later round
    // would check its overlaps against all of them (the warm-up must stay cheap per round).
    this.service.close(`warmup:${n}`);
    this.service.removeWorkspaceFile(`warmup:${n}`);
  }
}
