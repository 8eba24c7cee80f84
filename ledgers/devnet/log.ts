/**
 * The devnet node's log: structured events, one JSON object a line on stderr by default (stdout
 * stays free for the command's own output).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type DevnetLog = (level: LogLevel, event: string, fields?: Readonly<Record<string, unknown>>) => void;

/** One JSON line a event on stderr: `{"time","level","event",...fields}`. */
export function jsonLinesLog(component: string, write: (line: string) => void = (l) => process.stderr.write(l)): DevnetLog {
  return (level, event, fields = {}) => {
    write(`${JSON.stringify({ time: new Date().toISOString(), level, component, event, ...fields })}\n`);
  };
}

/** A log that drops everything (the default for library callers). */
export const silentLog: DevnetLog = () => {};
