// Drives the VS Code workbench in Chromium the way a person would: command palette, Quick Open,
// Problems panel, hovers, completion, views. Every wait is on something the page shows.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';

export const SHOTS = join(process.cwd(), 'test-results', 'editor');

export class Workbench {
  constructor(readonly page: Page) {}

  async screenshot(name: string): Promise<void> {
    mkdirSync(SHOTS, { recursive: true });
    await this.page.screenshot({ path: join(SHOTS, `${name}.png`) });
  }

  async ready(timeout = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout });
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout });
  }

  /**
   * Runs a command by its palette title, e.g. "OpenELB: Enable strictARP". Right after the
   * workbench loads, the palette may not list the extension's contributions yet: then it closes
   * the palette and asks again, until `timeout`.
   */
  async command(title: string, timeout = 30_000): Promise<void> {
    const deadline = Date.now() + timeout;
    const input = this.page.locator('.quick-input-widget input');
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    for (;;) {
      await this.page.keyboard.press('F1');
      await input.waitFor();
      await input.fill(`>${title}`);
      try {
        await row.waitFor({ timeout: Math.max(1000, Math.min(5000, deadline - Date.now())) });
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await this.page.keyboard.press('Escape');
        await input.waitFor({ state: 'hidden' });
      }
    }
    await row.click();
  }

  /** Opens a workspace file with Quick Open and waits for its tab. */
  async open(file: string): Promise<Locator> {
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(file);
    // Wait until the filtered list's first row is the file (not a recently opened one).
    const first = this.page.locator('.quick-input-widget .monaco-list-row').first();
    await first.filter({ hasText: file }).waitFor();
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tabs-container .tab.active', { hasText: file }).waitFor();
    const editor = this.page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines').waitFor();
    return editor;
  }

  /** The text of the active editor (visible lines), newline-joined. */
  async editorText(): Promise<string> {
    const lines = this.page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line');
    const texts = await lines.evaluateAll((els) => els
      .map((e) => ({ top: parseFloat((e as unknown as { style: { top: string } }).style.top || '0'), text: (e.textContent ?? '').replace(/\u00a0/g, ' ') }))
      .sort((a, b) => a.top - b.top).map((x) => x.text));
    return texts.join('\n');
  }

  /** Moves the cursor with "Go to Line/Column" (1-based). */
  async goTo(line: number, column: number): Promise<void> {
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
  }

  /** Opens the Problems panel and waits until its rows contain every given text. */
  async problemsContaining(texts: string[], timeout = 60_000): Promise<string[]> {
    const panel = this.page.locator('.markers-panel');
    // Ctrl+Shift+M toggles: press it only when the panel is not showing.
    if (!(await panel.isVisible())) await this.page.keyboard.press('Control+Shift+M');
    await panel.waitFor();
    const deadline = Date.now() + timeout;
    for (;;) {
      const rows = await panel.locator('.monaco-list-row').allInnerTexts();
      const flat = rows.map((r) => r.replace(/\s+/g, ' '));
      if (texts.every((t) => flat.some((r) => r.includes(t)))) return flat;
      if (Date.now() > deadline) throw new Error(`Problems panel lacks ${texts.filter((t) => !flat.some((r) => r.includes(t))).join(', ')}; rows:\n${flat.join('\n')}`);
      await this.page.waitForTimeout(250); // polling the page, not a fixed wait
    }
  }

  /** Waits for a notification toast containing the text; returns its text. */
  async notification(text: string | RegExp, timeout = 60_000): Promise<string> {
    const toast = this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
    await toast.waitFor({ timeout });
    return toast.innerText();
  }

  /** Clicks a button of the modal dialog (showWarningMessage with modal: true). */
  async dialogButton(label: string, timeout = 60_000): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout });
    const text = await dialog.innerText();
    await dialog.getByRole('button', { name: label, exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    return text;
  }

  /** The row of the OpenELB tree view whose label is `label` (its text includes the description). */
  treeRow(label: string): Locator {
    return this.page.locator('.sidebar .monaco-list-row', { has: this.page.locator('.label-name', { hasText: label }) }).first();
  }
}
