import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const root = join(import.meta.dirname, '..');

// `npm test` includes the strict type check (`npm run typecheck`), with TypeScript 7's native compiler:
// the same checker as TypeScript 6 at a quarter of the time (TypeScript 6 stays for typedoc).
test('every snippet, spec and build module compiles under strict TypeScript', async () => {
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'node_modules/typescript-native/bin/tsc'), '--noEmit', '-p', join(root, 'tsconfig.json')],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
  expect(result.output).toBe('');
  expect(result.code).toBe(0);
}, 120_000);
