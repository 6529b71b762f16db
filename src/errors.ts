/**
 * The one error type of the build: bad input, reported with the file (and line) to fix.
 * @module
 */

/** A problem in the project's input (a chapter, a directive, a results file), located. */
export class BuildError extends Error {
  override readonly name = 'BuildError';
  /** Path of the file at fault, relative to the project root. */
  readonly file: string;
  /** 1-based line, when known. */
  readonly line: number | undefined;

  constructor(file: string, message: string, line?: number) {
    super(`${line === undefined ? file : `${file}:${line}`}: ${message}`);
    this.file = file;
    this.line = line;
  }
}
