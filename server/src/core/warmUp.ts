// Warms the JIT before the first real file arrives: V8 compiles hot paths only after running
// them, so a cold server spends most of its first validation compiling and interpreting. The
// server runs this during `initialize`, bounded in time, so the first real file is checked by
// compiled code (the cost shows up as a slower initialize, which the benchmark reports).
import { OpenElbLanguageService } from './languageService';

function sample(i: number): string {
  const a = (i >> 8) & 255;
  const b = i & 255;
  switch (i % 5) {
    case 0: return `apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: warm-${i}\nspec:\n  address: 10.${a}.${b}.0/28\n  protocol: layer2\n  interface: eth0\n`;
    case 1: return `apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: warm-${i}\n  annotations:\n    team: "x"\nspec:\n  address: 10.${a}.${b}.20-10.${a}.${b}.10\n  protocl: bgp\n  priority: "1"\n`;
    case 2: return `apiVersion: network.kubesphere.io/v1alpha2\nkind: BgpPeer\nmetadata:\n  name: warm-${i}\nspec:\n  conf:\n    peerAs: 65000\n    neighborAddress: 10.${a}.${b}.1\n  timers:\n    config:\n      holdTime: "90"\n`;
    case 3: return `apiVersion: v1\nkind: Service\nmetadata:\n  name: warm-${i}\n  annotations:\n    lb.kubesphere.io/v1alpha1: openelb\n    eip.openelb.kubesphere.io/v1alpha2: warm-0\nspec:\n  type: LoadBalancer\n  ports:\n    - port: 80\n`;
    default: return `apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: warm-${i}\nspec:\n  address: "2001:db8:${i.toString(16)}::/120"\n  disable: false\n`;
  }
}

/** Validates fresh synthetic files of 40 documents on a scratch service until `budgetMs` is spent. */
export function warmUp(budgetMs = 300): number {
  const service = new OpenElbLanguageService();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < budgetMs && n < 200) {
    let text = '';
    for (let i = 0; i < 40; i++) text += `---\n${sample(n * 40 + i)}`;
    service.validate(`warmup:${n}`, text);
    if (n % 10 === 0) service.complete(`warmup:${n}`, text, { line: 5, character: 2 });
    service.close(`warmup:${n}`);
    n++;
  }
  return n;
}
