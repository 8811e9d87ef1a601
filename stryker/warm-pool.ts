// A vitest pool for mutation testing that keeps one worker thread across test runs.
//
// StrykerJS starts one vitest run per mutant. Vitest's own pools end the worker when a run has no more files
// queued, so every mutant paid a fresh thread that imported the AWS SDK, fastify and the rest again (about
// 2 CPU seconds, most of the cost of a killed mutant). This pool keeps the thread: Node's cache of the
// externalised packages (node_modules) survives, while the project's own modules (src/, test/) are
// invalidated before every run, so each mutant runs against freshly evaluated project code exactly as in a
// new worker. A module-level cache filled under one mutant therefore cannot leak into the next.
//
// It speaks vitest's pool-worker protocol (vitest 4.1, `PoolWorker`): "start" sets up the thread once and is
// answered locally afterwards; "stop" is answered locally and leaves the thread running; "run" carries the
// current test-name filter (the thread keeps the config of its first start) and the list of project modules
// to evaluate afresh. The thread is replaced when the project config changes, when it exits, or when its heap
// grows past HEAP_LIMIT_BYTES; it ends when vitest closes.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { PoolOptions, PoolRunnerInitializer, PoolWorker, WorkerRequest } from 'vitest/node';

export const WARM_POOL_NAME = 'warm-threads';

/** Folders (relative to the project root) whose modules are evaluated afresh before every run. */
const PROJECT_MODULE_DIRS = ['src', 'test'];
const MODULE_FILE = /\.(?:[cm]?[jt]s|json)$/;
/** A heap past this after a run means something leaks across runs: start a new thread at the next stop. */
const HEAP_LIMIT_BYTES = 1.5 * 1024 ** 3;

type Listener = (arg: unknown) => void;

interface Shared {
  thread: Worker;
  /** The serialized config of the thread's "start", without the test-name filter. */
  configKey: string | undefined;
  stdout: Writable;
  stderr: Writable;
  moduleFiles: string[];
  retire: boolean;
  /** Settles when the run in progress in the thread finishes; undefined when the thread is idle. */
  running: Promise<void> | undefined;
  finishRun: () => void;
}

let shared: Shared | undefined;
let runs = 0;

function listModuleFiles(root: string): string[] {
  const files: string[] = [];
  for (const dir of PROJECT_MODULE_DIRS) {
    let entries;
    try {
      entries = readdirSync(join(root, dir), { recursive: true, withFileTypes: true });
    } catch {
      continue; // a project without this folder
    }
    for (const entry of entries) {
      if (entry.isFile() && MODULE_FILE.test(entry.name)) files.push(resolve(entry.parentPath, entry.name));
    }
  }
  return files;
}

async function endThread(state: Shared): Promise<void> {
  if (shared === state) shared = undefined;
  state.thread.stdout.unpipe(state.stdout);
  state.thread.stderr.unpipe(state.stderr);
  await state.thread.terminate();
}

/** Ends the shared thread: vitest calls this when it closes (see the config's `configureVitest`). */
export async function closeWarmPool(): Promise<void> {
  if (shared) await endThread(shared);
}

function configKey(config: object): string {
  return JSON.stringify({ ...config, testNamePattern: undefined });
}

class WarmThreadsWorker implements PoolWorker {
  readonly name = WARM_POOL_NAME;
  readonly reportMemory = true;
  private readonly listeners: Array<[string, Listener]> = [];
  private state: Shared | undefined;

  constructor(private readonly options: PoolOptions) {}

  async start(): Promise<void> {
    if (shared?.retire) await endThread(shared);
    shared ??= this.spawn();
    this.state = shared;
  }

  private spawn(): Shared {
    const logger = this.options.project.vitest.logger;
    const thread = new Worker(resolve(this.options.distPath, 'workers/threads.js'), {
      env: this.options.env,
      execArgv: this.options.execArgv,
      stdout: true,
      stderr: true,
    });
    // Between runs nothing waits on the thread: it must not keep the process alive.
    thread.unref();
    thread.stdout.pipe(logger.outputStream);
    thread.stderr.pipe(logger.errorStream);
    const state: Shared = {
      thread,
      configKey: undefined,
      stdout: logger.outputStream,
      stderr: logger.errorStream,
      moduleFiles: listModuleFiles(this.options.project.config.root),
      retire: false,
      running: undefined,
      finishRun: () => {},
    };
    thread.on('message', (message: { type?: string; usedMemory?: number }) => {
      if (message?.type !== 'testfileFinished') return;
      if ((message.usedMemory ?? 0) > HEAP_LIMIT_BYTES) state.retire = true;
      state.finishRun();
    });
    thread.once('exit', () => {
      if (shared === state) shared = undefined;
      state.finishRun();
    });
    return state;
  }

  async stop(): Promise<void> {
    // Detach this runner's listeners; the thread itself stays for the next run.
    const thread = this.state?.thread;
    for (const [event, callback] of this.listeners.splice(0)) thread?.off(event, callback);
    this.state = undefined;
  }

  on(event: string, callback: Listener): void {
    this.listeners.push([event, callback]);
    this.thread().on(event, callback);
  }

  off(event: string, callback: Listener): void {
    const index = this.listeners.findIndex(([e, c]) => e === event && c === callback);
    if (index !== -1) this.listeners.splice(index, 1);
    this.thread().off(event, callback);
  }

  deserialize(data: unknown): unknown {
    return data;
  }

  send(message: WorkerRequest): void {
    const state = this.current();
    switch (message.type) {
      case 'start': {
        const key = configKey(message.context.config);
        if (state.configKey === key) return this.reply({ type: 'started' });
        if (state.configKey !== undefined) this.replaceThread();
        this.current().configKey = key;
        // The thread keeps this config for its whole life, so the test-name filter goes with each run instead.
        const config = { ...message.context.config, testNamePattern: undefined };
        this.current().thread.postMessage({ ...message, context: { ...message.context, config } });
        return;
      }
      case 'stop':
        // A run cancelled by a failing test (bail) is still finishing in the thread: answer once it has, so
        // that the thread's last messages reach this runner and the next run finds the thread idle.
        void (state.running ?? Promise.resolve()).then(() => this.reply({ type: 'stopped' }));
        return;
      case 'run':
      case 'collect': {
        const pattern = this.options.project.serializedConfig.testNamePattern;
        const files = message.context.files.map((file) => ({
          ...file,
          testNamePattern: file.testNamePattern ?? pattern,
        }));
        const invalidates = [...(message.context.invalidates ?? []), ...state.moduleFiles];
        state.running = new Promise((done) => {
          state.finishRun = () => {
            state.running = undefined;
            done();
          };
        });
        // Numbered so that stryker/warm-pool-setup.ts can tell the first test file of a run.
        const providedContext = { ...message.context.providedContext, warmPoolRun: ++runs };
        state.thread.postMessage({
          ...message,
          context: { ...message.context, files, invalidates, providedContext },
        });
        return;
      }
      default:
        state.thread.postMessage(message);
    }
  }

  /** Another project config needs another thread: this runner moves its listeners to a new one. */
  private replaceThread(): void {
    const old = this.current();
    const listeners = [...this.listeners];
    for (const [event, callback] of listeners) old.thread.off(event, callback);
    void endThread(old);
    shared = this.spawn();
    this.state = shared;
    for (const [event, callback] of listeners) shared.thread.on(event, callback);
  }

  /** Answers as the thread would, asynchronously, to the runner's listeners of that moment. */
  private reply(response: { type: 'started' | 'stopped' }): void {
    setImmediate(() => {
      for (const [event, callback] of [...this.listeners])
        if (event === 'message') callback({ ...response, __vitest_worker_response__: true });
    });
  }

  private current(): Shared {
    if (!this.state) throw new Error('warm-threads pool: the worker was used before start() or after stop()');
    return this.state;
  }

  private thread(): Worker {
    return this.current().thread;
  }
}

export const warmThreadsPool: PoolRunnerInitializer = {
  name: WARM_POOL_NAME,
  createPoolWorker: (options) => new WarmThreadsWorker(options),
};
