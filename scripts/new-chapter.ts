/**
 * `npm run new-chapter -- slug "Title"`: creates chapters/NN-slug/ (the next free number) with a
 * README, a snippet and a spec that passes; then edit them.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BuildError } from '../src/errors.ts';
import { chapterTemplate, nextNumber } from '../src/scaffold.ts';

const root = resolve(import.meta.dirname, '..');
const chapters = join(root, 'chapters');
const [slug, title] = process.argv.slice(2);
if (!slug || !title) {
  console.error(
    'usage: npm run new-chapter -- slug "Title"   (e.g. npm run new-chapter -- storing-session-data "Storing session data")',
  );
  process.exit(2);
}
try {
  const { folder, files } = chapterTemplate(slug, title, nextNumber(chapters));
  const dir = join(chapters, folder);
  if (existsSync(dir)) throw new BuildError(`chapters/${folder}`, 'already exists');
  mkdirSync(dir, { recursive: true });
  for (const file of files) writeFileSync(join(dir, file.path), file.content, { flag: 'wx' });
  console.log(`Created chapters/${folder}/: ${files.map((f) => f.path).join(', ')}`);
  console.log(`Check it: npm test -- ${folder.slice(0, 2)}`);
} catch (error) {
  console.error(error instanceof BuildError ? error.message : error);
  process.exit(1);
}
