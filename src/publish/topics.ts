/**
 * The MQTT topic layout of contract v1 (DESIGN.md "MQTT contract"):
 * `{prefix}/v1/{site}/{device}/status|health` and `{prefix}/v1/{site}/{device}/{pipeline}/result|event`.
 * Levels are lowercase `[a-z0-9_-]` so every consumer can subscribe with plain wildcards.
 */
export interface TopicScope {
  prefix: string;
  site: string;
  device: string;
}

export const TOPIC_LEVEL = /^[a-z0-9_-]+$/;

export class Topics {
  readonly base: string;

  constructor(scope: TopicScope) {
    for (const [k, v] of Object.entries(scope)) {
      if (!TOPIC_LEVEL.test(v)) throw new RangeError(`topic level ${k} "${v}" must match ${TOPIC_LEVEL}`);
    }
    this.base = `${scope.prefix}/v1/${scope.site}/${scope.device}`;
  }

  status(): string {
    return `${this.base}/status`;
  }

  health(): string {
    return `${this.base}/health`;
  }

  result(pipeline: string): string {
    return `${this.base}/${pipeline}/result`;
  }

  event(pipeline: string): string {
    return `${this.base}/${pipeline}/event`;
  }

  /** Commands addressed to this device (answered in a later version of the contract). */
  cmd(name: string): string {
    return `${this.base}/cmd/${name}`;
  }
}
