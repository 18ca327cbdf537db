import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { InboundMessage, OutboundMessage } from './publisher.ts';

/** A command handler: gets the parsed JSON arguments (or `{}` for an empty payload). */
export type CommandHandler = (args: Record<string, unknown>) => Promise<unknown> | unknown;

export interface CommandReply {
  v: 1;
  /** Echo of `id` from the request, for MQTT 3.1.1 requesters (no correlation data there). */
  id?: string | number;
  command: string;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/**
 * `{base}/cmd/{name}` requests, answered with MQTT 5 request/response when the requester set a
 * `responseTopic` (with its `correlationData` echoed), else on `{base}/cmd/{name}/res`. A malformed
 * request gets an error reply — it never reaches a handler and never crashes the runtime.
 * Protect these topics with broker ACLs (README: "Commands and ACLs").
 */
export class CommandServer {
  readonly #base: string;
  readonly #handlers: ReadonlyMap<string, CommandHandler>;
  readonly #publish: (m: OutboundMessage) => void;
  readonly #log: Logger;
  #handled = 0;
  #rejected = 0;

  constructor(o: { base: string; handlers: ReadonlyMap<string, CommandHandler>; publish: (m: OutboundMessage) => void; log: Logger }) {
    this.#base = o.base;
    this.#handlers = o.handlers;
    this.#publish = o.publish;
    this.#log = o.log;
  }

  /** The subscription filter. */
  get filter(): string {
    return `${this.#base}/cmd/+`;
  }

  get counts(): { handled: number; rejected: number } {
    return { handled: this.#handled, rejected: this.#rejected };
  }

  async handle(m: InboundMessage): Promise<void> {
    const name = m.topic.slice(this.#base.length + '/cmd/'.length);
    const reply = (r: Omit<CommandReply, 'v' | 'command'>): void => {
      const body: CommandReply = { v: 1, command: name, ...r };
      this.#publish({
        topic: m.responseTopic ?? `${this.#base}/cmd/${name}/res`,
        payload: JSON.stringify(body),
        qos: 1,
        schema: 'sensorium.cmd-reply/1',
        ...(m.correlationData ? { correlationData: m.correlationData } : {}),
      });
    };
    let args: Record<string, unknown> = {};
    const text = m.payload.toString('utf8').trim();
    if (text) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        this.#rejected++;
        reply({ ok: false, error: `payload is not JSON: ${(err as Error).message}` });
        return;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        this.#rejected++;
        reply({ ok: false, error: 'payload must be a JSON object (or empty)' });
        return;
      }
      args = parsed as Record<string, unknown>;
    }
    const id = typeof args.id === 'string' || typeof args.id === 'number' ? { id: args.id } : {};
    const handler = this.#handlers.get(name);
    if (!handler) {
      this.#rejected++;
      reply({ ...id, ok: false, error: `unknown command "${name}"; known: ${[...this.#handlers.keys()].join(', ')}` });
      return;
    }
    try {
      const result = await handler(args);
      this.#handled++;
      reply({ ...id, ok: true, result });
      this.#log.info({ command: name }, 'command handled');
    } catch (err) {
      this.#rejected++;
      reply({ ...id, ok: false, error: describeError(err) });
      this.#log.warn({ command: name, err: describeError(err) }, 'command failed');
    }
  }
}
