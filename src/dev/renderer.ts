/**
 * The dev server's side of the render worker: starts render-worker.ts in a worker thread on the
 * first render, sends it requests, and replaces it when src/ changed.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { WORKER_FLAG, type RenderReply, type RenderRequest } from './render-protocol.ts';

const WORKER_FILE = new URL('./render-worker.ts', import.meta.url).href;

export class Renderer {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private seq = 0;
  private waiting = new Map<number, (reply: RenderReply) => void>();

  private start(): Promise<void> {
    // The worker loads its file through tsx's loader, registered inside the worker itself
    // (Node 20 does not carry --import hooks into worker threads).
    const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
    const code = `(async () => { const { register } = await import(${tsx}); register(); await import(${JSON.stringify(WORKER_FILE)}); })().catch((e) => { throw e; });`;
    const worker = new Worker(code, { eval: true, workerData: { [WORKER_FLAG]: true } });
    this.worker = worker;
    worker.on('message', (reply: RenderReply) => {
      if (reply.seq === 0) return;
      this.waiting.get(reply.seq)?.(reply);
      this.waiting.delete(reply.seq);
    });
    worker.on('error', (error) => {
      for (const done of this.waiting.values()) done({ seq: -1, error: `render worker: ${error.message}` });
      this.waiting.clear();
      if (this.worker === worker) this.worker = undefined;
    });
    return new Promise((resolveReady, reject) => {
      worker.once('message', () => resolveReady());
      worker.once('error', reject);
    });
  }

  /** Replaces the worker, so the next render uses src/render as it is now on disk. */
  async restart(): Promise<void> {
    const old = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (old) await old.terminate();
  }

  async render(req: Omit<RenderRequest, 'seq'>): Promise<RenderReply> {
    if (!this.worker || !this.ready) this.ready = this.start();
    await this.ready;
    const seq = ++this.seq;
    return new Promise((done) => {
      this.waiting.set(seq, done);
      this.worker?.postMessage({ ...req, seq });
    });
  }

  async close(): Promise<void> {
    await this.restart();
  }
}
