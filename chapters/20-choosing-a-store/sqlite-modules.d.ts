// Minimal types for two untyped packages this chapter uses: better-sqlite3 (no @types installed)
// and better-sqlite3-session-store (ships none). Only what the snippet calls is declared.

declare module 'better-sqlite3' {
  namespace Database {
    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }
    interface Statement {
      run(...params: unknown[]): RunResult;
      get(...params: unknown[]): unknown;
      all(...params: unknown[]): unknown[];
    }
    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
      timeout?: number;
    }
  }
  class Database {
    constructor(filename: string, options?: Database.Options);
    readonly open: boolean;
    prepare(sql: string): Database.Statement;
    exec(sql: string): this;
    pragma(source: string, options?: { simple?: boolean }): unknown;
    close(): this;
  }
  export = Database;
}

declare module 'better-sqlite3-session-store' {
  import type Database from 'better-sqlite3';
  import type session from 'express-session';

  namespace factory {
    interface SqliteStoreOptions {
      /** An open better-sqlite3 database; the store creates a `sessions` table in it. */
      client: Database;
      /** Expired rows are deleted every `intervalMs` (15 minutes by default). */
      expired?: { clear?: boolean; intervalMs?: number };
    }
    class SqliteStore extends session.Store {
      constructor(options: SqliteStoreOptions);
      client: Database;
      expired: { clear: boolean; intervalMs: number };
      /** Called by the constructor: starts the timer that deletes expired rows. */
      startInterval(): void;
      clearExpiredSessions(): void;
      get(sid: string, callback: (err: any, session?: session.SessionData | null) => void): void;
      set(sid: string, session: session.SessionData, callback?: (err?: any) => void): void;
      destroy(sid: string, callback?: (err?: any) => void): void;
      touch(sid: string, session: session.SessionData, callback?: (err?: any) => void): void;
      length(callback: (err: any, length?: number) => void): void;
      clear(callback?: (err?: any) => void): void;
    }
  }
  /** The package exports a function that takes express-session and returns the store class. */
  function factory(session: { Store: typeof import('express-session').Store }): typeof factory.SqliteStore;
  export = factory;
}
