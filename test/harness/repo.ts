// The repository root, for harness code that runs our scripts, bundles and fixtures by path.
import { resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');
