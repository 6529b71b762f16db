/**
 * Type-checks small programs with TypeScript 7's native compiler (`typescript-native`, the same
 * `tsc` as `npm run typecheck`), in a child process, and hands back what it reports.
 *
 * Several programs are checked in ONE run of `tsc --build`, one project each: the compiler then
 * reads the library files (lib.d.ts, @types/node, express's types) once for all of them. Each
 * project is still its own program: a `declare module` in one cannot reach another.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, symlink, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository's root, whose node_modules holds the compiler and every package's types. */
export const ROOT = join(import.meta.dirname, '..', '..');
const TSC = join(ROOT, 'node_modules', 'typescript-native', 'bin', 'tsc');

/** One diagnostic as `tsc --pretty false` prints it: `file(line,col): error TScode: message`. */
export interface Diagnostic {
  /** Absolute path of the file the error is in ('' for an error about the whole program). */
  file: string;
  line: number;
  column: number;
  code: number;
  /** The message; a chained message's further lines are joined with `\n`, indented as tsc prints them. */
  message: string;
}

export interface Project {
  /** The files the program starts from (absolute paths, or relative to the work directory). */
  files: string[];
  /** tsconfig `extends` (absolute path), e.g. the repository's own tsconfig.json. */
  extends?: string;
  compilerOptions?: Record<string, unknown>;
  /** List every file of the program (tsc's `--listFiles`), in `Result.files`. */
  listFiles?: boolean;
  /** Where its tsconfig is written (`types` are looked up from there); the run's folder by default. */
  dir?: string;
}

export interface Result {
  diagnostics: Diagnostic[];
  /** Every file of the program, absolute, when the project asked for `listFiles`. */
  files: string[];
}

/** A temporary work directory, an ES module scope (like this repository) for the files put in it. */
export interface WorkDir {
  path: string;
  /** Writes a file into the work directory and returns its absolute path. */
  write(name: string, text: string): Promise<string>;
}

/**
 * Makes a temporary directory under os.tmpdir() whose node_modules mirrors the repository's:
 * everything (a symlink to the real one), or, with `hide`, every package except the hidden ones
 * (a directory of symlinks, so the compiler cannot find them at all).
 */
export async function makeWorkDir(parent: string, name: string, hide: string[] = []): Promise<WorkDir> {
  const path = join(parent, name);
  await mkdir(path);
  await writeFile(join(path, 'package.json'), '{ "type": "module" }\n');
  const real = join(ROOT, 'node_modules');
  if (hide.length === 0) {
    await symlink(real, join(path, 'node_modules'), 'dir');
  } else {
    const mirror = async (from: string, to: string, prefix: string): Promise<void> => {
      await mkdir(to);
      for (const entry of await readdir(from)) {
        const name = prefix + entry;
        if (hide.includes(name)) continue;
        if (entry.startsWith('@') && hide.some((h) => h.startsWith(`${name}/`))) {
          await mirror(join(from, entry), join(to, entry), `${name}/`);
        } else {
          await symlink(join(from, entry), join(to, entry));
        }
      }
    };
    await mirror(real, join(path, 'node_modules'), '');
  }
  return {
    path,
    write: async (file, text) => {
      const target = join(path, file);
      await writeFile(target, text);
      return target;
    },
  };
}

/** A fresh temporary folder for work directories; `remove()` deletes it and all in it. */
export async function tempFolder(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * Type-checks every project (`name` -> project, the tsconfig is written into `dir`) in one
 * `tsc --build --verbose --pretty false` run and returns each program's diagnostics by name.
 * Fails if the compiler did not build every project or printed a line it does not understand.
 */
export async function typeCheckProjects(
  dir: string,
  projects: Record<string, Project>,
): Promise<Record<string, Result>> {
  const configs = new Map<string, string>();
  for (const [name, project] of Object.entries(projects)) {
    const config = join(project.dir ?? dir, `tsconfig.${name}.json`);
    configs.set(config, name);
    await writeFile(
      config,
      JSON.stringify({
        ...(project.extends ? { extends: project.extends } : {}),
        compilerOptions: { ...project.compilerOptions, ...(project.listFiles ? { listFiles: true } : {}) },
        include: [],
        files: project.files,
      }),
    );
  }
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      [TSC, '--build', '--verbose', '--pretty', 'false', ...configs.keys()],
      { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
      (error, out, err) => done({ code: error ? Number(error.code ?? 1) : 0, stdout: out, stderr: err }),
    );
  });
  if (stderr !== '') throw new Error(`tsc wrote to stderr:\n${stderr}`);

  const results: Record<string, Result> = {};
  let current: Result | undefined;
  let last: Diagnostic | undefined;
  for (const line of stdout.split('\n')) {
    const building = / - Building project '(.+)'\.\.\.$/.exec(line);
    const diagnostic = /^(?:(.+)\((\d+),(\d+)\): )?error TS(\d+): (.*)$/.exec(line);
    if (building) {
      const name = configs.get(resolve(dir, building[1] ?? ''));
      if (name === undefined) throw new Error(`tsc built a project it was not given: ${line}`);
      current = results[name] = { diagnostics: [], files: [] };
      last = undefined;
    } else if (diagnostic) {
      if (!current) throw new Error(`a diagnostic before any project: ${line}`);
      const [, file, row = '0', column = '0', errorCode = '', message = ''] = diagnostic;
      const at = file === undefined ? '' : resolve(dir, file);
      last = { file: at, line: Number(row), column: Number(column), code: Number(errorCode), message };
      current.diagnostics.push(last);
    } else if (line.startsWith('  ') && last) {
      last.message += `\n${line}`; // a chained message's next line, indented by tsc
    } else if (line.startsWith('/') && current) {
      current.files.push(line); // --listFiles
      last = undefined;
    } else if (line === '' || line.startsWith('    * ') || / - /.test(line)) {
      last = undefined; // blank lines, the list of projects, the timestamped progress lines
    } else {
      throw new Error(`unexpected tsc output: ${line}\n${stdout}`);
    }
  }
  for (const name of configs.values()) if (!results[name]) throw new Error(`tsc did not build ${name}:\n${stdout}`);
  const errors = Object.values(results).some((r) => r.diagnostics.length > 0);
  if (code !== (errors ? 1 : 0)) throw new Error(`tsc exited with ${code}:\n${stdout}`);
  return results;
}
