export * from './time.ts';
export * from './clocks.ts';
export * from './sample.ts';
export * from './errors.ts';
export * from './device.ts';
export * from './logger.ts';
export * from './async-queue.ts';
export * from './registry.ts';
