/**
 * A vitest reporter the verify stage runs beside the JSON reporter. It changes one thing: an error
 * made by vitest's own time-outs carries the stack captured when the test was declared, whose first
 * line is `Error: STACK_TRACE_ERROR`, not the message ("Test timed out in 200ms. …"). The JSON
 * reporter writes the stack, so a page showed "Error: STACK_TRACE_ERROR"; here the stack's first
 * line is replaced with the real message before the JSON reporter reads it.
 * @module
 */
import { experimental_getRunnerTask, type Reporter, type TestCase } from 'vitest/node';

interface ErrorLike {
  name?: string;
  message?: string;
  stack?: string;
}

/** The error with its stack's first lines showing its real message (when they do not already). */
export function withRealMessage(error: ErrorLike): void {
  const { stack, message } = error;
  if (typeof stack !== 'string' || typeof message !== 'string' || !message) return;
  const frame = stack.search(/\n\s+at /);
  const head = frame === -1 ? stack : stack.slice(0, frame);
  if (head.includes(message)) return;
  error.stack = `${error.name ?? 'Error'}: ${message}${frame === -1 ? '' : stack.slice(frame)}`;
}

export default class VerifyReporter implements Reporter {
  onTestCaseResult(testCase: TestCase): void {
    const task = experimental_getRunnerTask(testCase);
    for (const error of task.result?.errors ?? []) withRealMessage(error as ErrorLike);
  }
}
