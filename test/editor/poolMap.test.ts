// The pool map (client/src/views/poolMap*.ts) in REAL VS Code (code-server + Chromium) against a
// real API server: opened from the tree, its cells checked inside the webview's frame against
// what the cluster holds, hover and click on a held address, a Service created while it is open,
// and a /16 that opens with only the visible rows in the DOM. Screenshots go to
// test-results/editor/; with OPENELB_README_SHOTS=1 one is copied to docs/images/pool-map.png for
// the README (a normal run leaves the tree as it was).
//
//   flock /tmp/openelb-tiers.lock node --import tsx --test test/editor/poolMap.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Frame, Page } from 'playwright-core';
import { restCall } from '../../runtime/src/kube/rest';
import { startEditorSession, until, type EditorSession } from '../harness/codeServer/session';
import { SHOTS, type Workbench } from '../harness/codeServer/workbench';
import { REPO } from '../harness/repo';

const EIPS = '/apis/network.kubesphere.io/v1alpha2/eips';
const SMALL = 'eip-map';
const BIG = 'eip-big';
const V6 = 'eip-v6';

async function createEip(kc: KubeConfig, name: string, spec: Record<string, unknown>, used: Record<string, string>): Promise<void> {
  await restCall(kc, 'POST', EIPS, { body: { apiVersion: 'network.kubesphere.io/v1alpha2', kind: 'Eip', metadata: { name }, spec } });
  await restCall(kc, 'PATCH', `${EIPS}/${name}/status`, { body: { status: { used } }, contentType: 'application/merge-patch+json' });
}

/** A LoadBalancer Service served by OpenELB; with `ip`, its status holds that address. */
async function createService(kc: KubeConfig, name: string, opts: { ip?: string; ask?: string; pool?: string }): Promise<void> {
  const annotations: Record<string, string> = { 'lb.kubesphere.io/v1alpha1': 'openelb' };
  if (opts.pool) annotations['eip.openelb.kubesphere.io/v1alpha2'] = opts.pool;
  if (opts.ask) annotations['eip.openelb.kubesphere.io/v1alpha1'] = opts.ask;
  await kc.makeApiClient(CoreV1Api).createNamespacedService({ namespace: 'default', body: {
    metadata: { name, annotations }, spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80 }] },
  } });
  if (opts.ip) {
    await restCall(kc, 'PATCH', `/api/v1/namespaces/default/services/${name}/status`, {
      body: { status: { loadBalancer: { ingress: [{ ip: opts.ip }] } } }, contentType: 'application/merge-patch+json',
    });
  }
}

/** The webview frame showing the map of `eip` (VS Code nests it in two iframes). */
async function mapFrame(page: Page, eip: string, timeout = 30_000): Promise<Frame> {
  return until(`the pool map of ${eip}`, async () => {
    for (const f of page.frames()) {
      const ready = await f.locator(`body[data-ready="true"] #title:text-is("Eip ${eip}")`).count().catch(() => 0);
      if (ready) return f;
    }
    return undefined;
  }, timeout);
}

async function countsByState(frame: Frame): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of ['free', 'used', 'shared', 'requested', 'reserved', 'outside']) out[s] = await frame.locator(`.cell.s-${s}`).count();
  return out;
}

async function legend(frame: Frame): Promise<Record<string, string>> {
  // Runs in the page: its elements are typed loosely here (the tests have no DOM types).
  return frame.locator('.legend-item').evaluateAll((items) => Object.fromEntries(items.map((i) => {
    const data = (i as unknown as { dataset: Record<string, string> }).dataset;
    return [data.state, data.count];
  })));
}

describe('OpenELB pool map in VS Code', { timeout: 600_000 }, () => {
  let session: EditorSession | undefined;
  let kc: KubeConfig;
  let page: Page;
  let wb: Workbench;

  before(async () => {
    session = await startEditorSession({
      name: 'poolmap',
      crds: true,
      prepare: async (k) => {
        // eth0 of worker1 is in 192.168.0.80/28 (so .96 up is outside it) and has .93, inside the pool.
        const ifaces = [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.0.88/28', '192.168.0.93/28'] }];
        await k.makeApiClient(CoreV1Api).patchNode({ name: 'worker1', body: [
          { op: 'add', path: '/metadata/annotations', value: { 'openelb.kubesphere.io/interfaces': JSON.stringify(ifaces) } },
        ] });
        await createEip(k, SMALL, { address: '192.168.0.90-192.168.0.105', protocol: 'layer2', interface: 'eth0' },
          { '192.168.0.90': 'default/web', '192.168.0.91': 'default/a;default/b' });
        await createService(k, 'web', { ip: '192.168.0.90', pool: SMALL });
        await createService(k, 'a', { ip: '192.168.0.91', pool: SMALL });
        await createService(k, 'b', { ip: '192.168.0.91', pool: SMALL });
        await createService(k, 'want', { ask: '192.168.0.95', pool: SMALL });
        const used: Record<string, string> = {};
        for (let i = 0; i < 300; i++) used[`10.20.${i >> 8}.${i & 255}`] = `default/bulk-${i}`;
        await createEip(k, BIG, { address: '10.20.0.0/16', protocol: 'bgp' }, used);
        await createEip(k, V6, { address: '2001:db8::/64', protocol: 'bgp' }, { '2001:db8::1000': 'default/v6' });
      },
    });
    ({ kc, page, wb } = session);
  });

  after(async () => {
    await session?.stop('zz-final-poolmap');
  });

  it('opens from the tree; cells, legend, hover and click match the cluster', async () => {
    await wb.command('View: Show OpenELB');
    const row = wb.treeRow(SMALL);
    await row.waitFor({ timeout: 60_000 });
    await row.hover();
    const started = Date.now();
    await row.locator('.action-label[aria-label="Show Pool Map"]').click();
    const frame = await mapFrame(page, SMALL);
    await frame.locator('.cell').first().waitFor();
    const body = frame.locator('body');
    console.log(`# 16-address pool map: ${Date.now() - started} ms from the click to cells drawn (code-server); in the webview: ` +
      `${await body.getAttribute('data-wait-ms')} ms from its script start to the data, ${await body.getAttribute('data-draw-ms')} ms to draw`);
    // .90 web, .91 a+b, .93 worker1's own address, .95 asked for by want, .96-.105 outside eth0's /28.
    const expected = { free: 2, used: 1, shared: 1, requested: 1, reserved: 1, outside: 10 };
    await until('the cells per state match the cluster', async () =>
      JSON.stringify(await countsByState(frame)) === JSON.stringify(expected), 15_000)
      .catch(async (e) => { throw new Error(`${(e as Error).message}: ${JSON.stringify(await countsByState(frame))}`); });
    assert.deepEqual(await legend(frame), { free: '2', used: '1', shared: '1', requested: '1', reserved: '1', outside: '10' });

    await frame.locator('.cell.s-shared').hover();
    await until('the hover names both Services', async () => /192\.168\.0\.91: shared by default\/a, default\/b/.test(await frame.locator('#details').innerText()), 10_000);
    assert.match(await frame.locator('.cell.s-reserved').getAttribute('aria-label') ?? '', /192\.168\.0\.93: reserved; address of node worker1/);
    await wb.screenshot('16-pool-map');
    if (process.env.OPENELB_README_SHOTS === '1') {
      mkdirSync(join(REPO, 'docs', 'images'), { recursive: true });
      copyFileSync(join(SHOTS, '16-pool-map.png'), join(REPO, 'docs', 'images', 'pool-map.png'));
    }

    await frame.locator('.cell.s-used').click();
    await page.locator('.tab', { hasText: 'web.yaml' }).first().waitFor({ timeout: 15_000 });
    await until('the Service YAML', async () => (await wb.editorText()).includes('name: web'), 10_000);
  });

  it('moves with the arrow keys and opens the Service with Enter', async () => {
    await page.locator('.tab', { hasText: `Pool ${SMALL}` }).first().click();
    const frame = await mapFrame(page, SMALL);
    await frame.locator('.cell[data-o="4"]').click(); // .94, free: nothing opens
    await page.keyboard.press('ArrowRight');
    await until('focus moved to .95', async () => /192\.168\.0\.95: requested by default\/want/.test(await frame.locator('#details').innerText()), 10_000)
      .catch(async (e) => { throw new Error(`${(e as Error).message}; details: ${await frame.locator('#details').innerText()}; focused: ${await frame.locator(':focus').evaluateAll((els) => els.map((x) => (x as unknown as { outerHTML: string }).outerHTML))}`); });
    assert.equal(await frame.locator('.cell:focus').getAttribute('data-o'), '5');
    await page.keyboard.press('Enter');
    await page.locator('.tab', { hasText: 'want.yaml' }).first().waitFor({ timeout: 15_000 });
  });

  it('follows the cluster: a Service that gets an address changes its cell while the map is open', async () => {
    await page.locator('.tab', { hasText: `Pool ${SMALL}` }).first().click();
    const frame = await mapFrame(page, SMALL);
    assert.match(await frame.locator('.cell[data-o="2"]').getAttribute('class') ?? '', /s-free/);
    await createService(kc, 'live', { ip: '192.168.0.92', pool: SMALL });
    await until('.92 turns used', async () => /s-used/.test(await frame.locator('.cell[data-o="2"]').getAttribute('class') ?? ''), 30_000);
    assert.match(await frame.locator('.cell[data-o="2"]').getAttribute('aria-label') ?? '', /used by default\/live/);
    assert.deepEqual(await legend(frame), { free: '1', used: '2', shared: '1', requested: '1', reserved: '1', outside: '10' });
  });

  it('opens a /16 from the palette with only the visible rows in the DOM', async () => {
    await wb.command('OpenELB: Show Pool Map');
    const pick = page.locator('.quick-input-widget .monaco-list-row', { hasText: BIG }).first();
    await pick.waitFor();
    const started = Date.now();
    await pick.click();
    const frame = await mapFrame(page, BIG);
    await frame.locator('.cell').first().waitFor();
    const ms = Date.now() - started;
    const body = frame.locator('body');
    console.log(`# /16 pool map: ${ms} ms from choosing the Eip to cells drawn (code-server); in the webview: ` +
      `${await body.getAttribute('data-wait-ms')} ms from its script start to the data, ${await body.getAttribute('data-draw-ms')} ms to draw`);
    const cells = await frame.locator('.cell').count();
    console.log(`# /16 pool map: ${cells} cells in the DOM for 65,536 addresses`);
    assert.ok(cells > 100 && cells < 2000, `virtualised: ${cells} cells in the DOM`);
    assert.deepEqual(await legend(frame), { free: '65,236', used: '300', shared: '0', requested: '0', reserved: '0', outside: '0' });
    // Scrolled to the end, the last block's cells are drawn and the first block's are gone.
    await frame.locator('#viewport').evaluate((v) => { const el = v as unknown as { scrollTop: number; scrollHeight: number }; el.scrollTop = el.scrollHeight; });
    await frame.locator('.cell[data-o="65535"]').waitFor({ timeout: 10_000 });
    assert.equal(await frame.locator('.cell[data-o="0"]').count(), 0);
    await frame.locator('#zoom').click();
    assert.equal(await frame.locator('.tile').count(), 256, 'zoomed out: one tile per /24 block');
    assert.match(await frame.locator('.tile').nth(1).innerText(), /10\.20\.1\.0[\s\S]*44\/256/);
    await wb.screenshot('17-pool-map-16');
  });

  it('draws the first blocks of an IPv6 /64 and says how many addresses are not drawn', async () => {
    await wb.command('OpenELB: Show Pool Map');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: V6 }).first().click();
    const frame = await mapFrame(page, V6);
    assert.match(await frame.locator('#note').innerText(), /Showing the first 65,536 addresses; 18,446,744,073,709,486,080 more are not drawn/);
    assert.deepEqual(await legend(frame), { free: '18,446,744,073,709,551,615', used: '1', shared: '0', requested: '0', reserved: '0', outside: '0' });
    await frame.locator('#viewport').evaluate((v) => { const el = v as unknown as { scrollTop: number }; el.scrollTop = 16 * 9 * 18; }); // block 16 (rows of 18 px, 9 rows a block)
    await frame.locator('.cell.s-used').hover();
    await until('the hover names the IPv6 holder', async () => /2001:db8::1000: used by default\/v6/.test(await frame.locator('#details').innerText()), 10_000);
  });
});
