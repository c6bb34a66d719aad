#!/usr/bin/env node
// Copies the extension manifest keys owned by the editor work (client/package.contributes.json:
// contributes, activationEvents, categories, keywords, icon, ...) into package.json, touching
// no other key. Also adds the `package` script if it is missing.
import { readFileSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const frag = JSON.parse(readFileSync('client/package.contributes.json', 'utf8'));
const OWNED = ['categories', 'keywords', 'icon', 'activationEvents', 'extensionDependencies', 'contributes'];
for (const k of Object.keys(frag)) {
  if (!OWNED.includes(k)) throw new Error(`client/package.contributes.json: key ${k} is not one the editor work owns`);
  pkg[k] = frag[k];
}
pkg.scripts ??= {};
pkg.scripts.package ??= 'node scripts/package.mjs';
writeFileSync('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
console.log(`package.json: set ${Object.keys(frag).join(', ')}`);
